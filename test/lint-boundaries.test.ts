/**
 * The import boundaries of oxlint.config.mjs hold: the linter, run as `npm run lint` runs it,
 * refuses a file that crosses each kind of boundary and accepts the same imports where they are
 * allowed (docs/architecture.md#layers).
 */
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pathToFileURL } from 'node:url'

const run = promisify(execFile)
const ROOT = path.resolve(import.meta.dirname, '..')
const OXLINT = path.join(ROOT, 'node_modules', 'oxlint', 'bin', 'oxlint')
const CONFIG = path.join(ROOT, 'oxlint.config.mjs')
const { SERVER_LAYERS } = (await import(pathToFileURL(CONFIG).href)) as {
  SERVER_LAYERS: string[][]
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tmb-lint-'))
  await copyFile(CONFIG, path.join(dir, 'oxlint.config.mjs'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** Lints one file at `relative` (inside a tree laid out like this repository's). */
async function lint(relative: string, source: string): Promise<{ ok: boolean; output: string }> {
  const file = path.join(dir, relative)
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, source)
  try {
    const { stdout } = await run(
      process.execPath,
      [OXLINT, '-c', 'oxlint.config.mjs', '--deny-warnings', relative],
      { cwd: dir },
    )
    return { ok: true, output: stdout }
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string }
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }
  } finally {
    await rm(file)
  }
}

const importing = (spec: string) => `import { x } from '${spec}'\nexport const y = x\n`

describe('import boundaries', () => {
  it('a server folder imports lower layers only: not its own layer, not a higher one', async () => {
    const lowest = SERVER_LAYERS[0]![0]!
    const sibling = SERVER_LAYERS[0]![1]!
    const top = SERVER_LAYERS.at(-1)![0]!
    const up = await lint(`src/server/${lowest}/a.ts`, importing(`../${top}/index.ts`))
    expect(up.ok, up.output).toBe(false)
    expect(up.output).toContain(`src/server/${lowest} may import only`)
    const side = await lint(`src/server/${lowest}/a.ts`, importing(`../${sibling}/index.ts`))
    expect(side.ok, side.output).toBe(false)
    const down = await lint(`src/server/${top}/a.ts`, importing(`../${lowest}/index.ts`))
    expect(down.ok, down.output).toBe(true)
  })

  it('no server folder imports the entry points, and compose.ts only for its types', async () => {
    const folder = SERVER_LAYERS[2]![0]!
    expect((await lint(`src/server/${folder}/a.ts`, importing('../main.ts'))).ok).toBe(false)
    expect((await lint(`src/server/${folder}/a.ts`, importing('../compose.ts'))).ok).toBe(false)
    const typeOnly = `import type { X } from '../compose.ts'\nexport type Y = X\n`
    expect((await lint(`src/server/${folder}/a.ts`, typeOnly)).ok).toBe(true)
  })

  it('src/shared and the page import neither the server nor Node', async () => {
    expect((await lint('src/shared/a.ts', importing('../server/compose.ts'))).ok).toBe(false)
    expect((await lint('src/shared/a.ts', importing('node:fs'))).ok).toBe(false)
    expect((await lint('src/web/a.tsx', importing('../server/http/app.ts'))).ok).toBe(false)
    expect((await lint('src/web/a.tsx', importing('node:path'))).ok).toBe(false)
    expect((await lint('src/web/a.tsx', importing('../shared/iso-date.ts'))).ok).toBe(true)
  })

  it('keeps the recommended rules: an unused variable fails, one named with _ passes', async () => {
    expect((await lint('src/cli/a.ts', 'const unused = 1\nexport {}\n')).ok).toBe(false)
    expect((await lint('src/cli/a.ts', 'const _unused = 1\nexport {}\n')).ok).toBe(true)
  })
})
