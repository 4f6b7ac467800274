/** When the compiled build may stand in for the source (bin/build-stamp.js). */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildState } from '../../bin/build-stamp.js'

let root: string
const STARTED_AT = Date.parse('2026-06-01T12:00:00Z')

async function writeBuild(stamp: unknown, entries = ['cli.js', 'server.js']): Promise<void> {
  await mkdir(path.join(root, 'dist', 'node'), { recursive: true })
  for (const entry of entries) await writeFile(path.join(root, 'dist', 'node', entry), '')
  await writeFile(path.join(root, 'dist', 'node', 'build.json'), JSON.stringify(stamp))
}

async function source(file: string, mtime: number): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true })
  await writeFile(path.join(root, file), 'export {}\n')
  await utimes(path.join(root, file), mtime / 1000, mtime / 1000)
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tm-stamp-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('buildState', () => {
  it('is fresh when every input is older than the start of the build', async () => {
    await source('src/cli/main.ts', STARTED_AT - 60_000)
    await source('package.json', STARTED_AT - 1)
    await writeBuild({ startedAt: STARTED_AT, inputs: ['package.json', 'src/cli/main.ts'] })
    expect(buildState(root)).toBe('fresh')
  })

  it('is stale when an input changed at or after the start of the build', async () => {
    await source('src/cli/main.ts', STARTED_AT - 60_000)
    await source('src/server/app.ts', STARTED_AT)
    await writeBuild({ startedAt: STARTED_AT, inputs: ['src/cli/main.ts', 'src/server/app.ts'] })
    expect(buildState(root)).toBe('stale')
  })

  it('is stale when an input is gone', async () => {
    await source('src/cli/main.ts', STARTED_AT - 60_000)
    await writeBuild({ startedAt: STARTED_AT, inputs: ['src/cli/main.ts', 'src/gone.ts'] })
    expect(buildState(root)).toBe('stale')
  })

  it('is missing without a stamp, with an unreadable one, or without an entry point', async () => {
    expect(buildState(root)).toBe('missing')
    await source('src/cli/main.ts', STARTED_AT - 60_000)
    await writeBuild({ startedAt: STARTED_AT, inputs: ['src/cli/main.ts'] }, ['cli.js'])
    expect(buildState(root)).toBe('missing')
    await writeBuild({ inputs: ['src/cli/main.ts'] })
    expect(buildState(root)).toBe('missing')
    await writeFile(path.join(root, 'dist', 'node', 'build.json'), '{"startedAt":')
    expect(buildState(root)).toBe('missing')
  })
})
