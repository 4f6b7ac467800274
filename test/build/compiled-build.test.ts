/**
 * The compiled build (dist/node, `npm run build`; node-build.global-setup.ts keeps it fresh) runs
 * as production does: plain `node`, only runtime dependencies, from any working directory, and
 * `tm-backfill` starts no second process whether it runs the build or falls back to tsx.
 */
import { spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NODE_OUT_DIR, PACKAGE_ROOT } from '../../bin/build-stamp.js'
import { NODE_FLAGS } from '../../bin/node-flags.js'
import { EXIT } from '../../src/cli/output.ts'
import { stop } from '../helpers/cli.ts'
import { startStack } from '../helpers/stack.ts'

interface PackageJson {
  version: string
  dependencies: Record<string, string>
  scripts: Record<string, string>
}

let scratch: string
let pkg: PackageJson
/** Records the pid of every Node process started with it in NODE_OPTIONS. */
let pidLog: string
let countPids: string

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'tm-compiled-'))
  pkg = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson
  pidLog = path.join(scratch, 'pids.log')
  countPids = path.join(scratch, 'count-pids.cjs')
  await writeFile(
    countPids,
    `require('node:fs').appendFileSync(${JSON.stringify(pidLog)}, process.pid + '\\n')\n`,
  )
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

/** The package roots of `names`, as node_modules entries pointing at the real installs. */
async function linkPackages(root: string, names: string[]): Promise<void> {
  for (const name of names) {
    const link = path.join(root, 'node_modules', name)
    await mkdir(path.dirname(link), { recursive: true })
    await symlink(path.join(PACKAGE_ROOT, 'node_modules', name), link, 'dir')
  }
}

/** Runs `node argv`, or with `program`, that program itself (a file its first line starts). */
function run(
  argv: string[],
  options: { cwd: string; env?: Record<string, string>; program?: string },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.program ?? process.execPath, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** The processes that started since the last call (a loader thread logs its process's pid too). */
async function pidsLogged(): Promise<string[]> {
  const text = await readFile(pidLog, 'utf8').catch(() => '')
  await rm(pidLog, { force: true })
  return [...new Set(text.split('\n').filter(Boolean))]
}

describe('the compiled build', () => {
  it('imports only packages listed in dependencies', async () => {
    const stamp = JSON.parse(await readFile(path.join(NODE_OUT_DIR, 'build.json'), 'utf8')) as {
      packages: string[]
    }
    const packageName = (spec: string) =>
      spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!
    expect(stamp.packages.length).toBeGreaterThan(0)
    const notDependencies = stamp.packages.map(packageName).filter((n) => !(n in pkg.dependencies))
    expect(notDependencies).toEqual([])
  })

  it('serves the page of its own package from another working directory, with runtime dependencies only', async () => {
    // An installed copy: package.json, bin, dist (node + a page), node_modules holding only
    // `dependencies`; no src, no tsx. Started from an unrelated directory.
    const root = path.join(scratch, 'installed')
    await mkdir(path.join(root, 'dist', 'web'), { recursive: true })
    await cp(path.join(PACKAGE_ROOT, 'package.json'), path.join(root, 'package.json'))
    await cp(path.join(PACKAGE_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true })
    await cp(NODE_OUT_DIR, path.join(root, 'dist', 'node'), { recursive: true })
    const page = `<!doctype html><title>page of ${root}</title>`
    await writeFile(path.join(root, 'dist', 'web', 'index.html'), page)
    await linkPackages(root, Object.keys(pkg.dependencies))
    const elsewhere = await mkdtemp(path.join(scratch, 'cwd-'))

    const help = await run([path.join(root, 'bin', 'tm-backfill.js'), '--help'], {
      cwd: elsewhere,
      env: { NODE_OPTIONS: `--require ${countPids}` },
    })
    expect(help.stderr).toBe('')
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: tm-backfill /)
    expect(await pidsLogged()).toHaveLength(1)

    const server = spawn(
      process.execPath,
      [...NODE_FLAGS, path.join(root, 'dist', 'node', 'server.js')],
      {
        cwd: elsewhere,
        env: {
          ...process.env,
          PORT: '0',
          DATA_DIR: path.join(scratch, 'data'),
          TOASTMASTERS_DASHBOARD_URL: 'http://127.0.0.1:9',
          LOG_LEVEL: 'silent',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    try {
      let out = ''
      const url = await new Promise<string>((resolve, reject) => {
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          const m = /listening on (http:\/\/\S+)/.exec(out)
          if (m) resolve(m[1]!)
        })
        server.stderr.on('data', (d: Buffer) => (out += d.toString()))
        server.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)))
      })
      const res = await fetch(`${url}/`)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe(page)
      expect((await fetch(`${url}/api/health`)).status).toBe(200)
      // zod is compiled into the build (scripts/build-node.ts, BUNDLED): the routes' schemas
      // describe and validate as they do from the source, the OpenAPI document included.
      const badJob = { startDate: '2026-02-30', collectionType: 'sideways' }
      const compiled = {
        doc: await (await fetch(`${url}/api/openapi.json`)).json(),
        bad: await fetch(`${url}/api/districts/backfill`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(badJob),
        }),
      }
      const source = await startStack()
      try {
        expect(compiled.doc).toEqual((await source.api('GET', '/api/openapi.json')).body)
        const fromSource = await source.api('POST', '/api/districts/backfill', badJob)
        expect(compiled.bad.status).toBe(400)
        expect(fromSource.status).toBe(400)
        expect(await compiled.bad.json()).toEqual(fromSource.body)
      } finally {
        await source.close()
      }
    } finally {
      await stop(server)
    }
  })

  it('tm-backfill in a source checkout without a build runs the source through tsx, in one process', async () => {
    const root = path.join(scratch, 'checkout')
    await mkdir(root, { recursive: true })
    await cp(path.join(PACKAGE_ROOT, 'package.json'), path.join(root, 'package.json'))
    await cp(path.join(PACKAGE_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true })
    await symlink(path.join(PACKAGE_ROOT, 'src'), path.join(root, 'src'), 'dir')
    await symlink(path.join(PACKAGE_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir')

    const r = await run([path.join(root, 'bin', 'tm-backfill.js'), '--bogus'], {
      cwd: scratch,
      env: { NODE_OPTIONS: `--require ${countPids}` },
    })
    expect(r.stderr).toBe("tm-backfill: unknown option '--bogus' (--help lists the options)\n")
    expect(r.code).toBe(EXIT.USAGE)
    expect(await pidsLogged()).toHaveLength(1)
  })

  it('starts with the heap cap of bin/node-flags.js wherever production starts', async () => {
    const flags = NODE_FLAGS.join(' ')
    for (const script of ['start', 'demo', 'cli', 'sim'])
      expect(pkg.scripts[script], `npm run ${script}`).toMatch(new RegExp(`^node ${flags} `))
    const bin = path.join(PACKAGE_ROOT, 'bin', 'tm-backfill.js')
    const firstLine = (await readFile(bin, 'utf8')).split('\n', 1)[0]
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${flags}`)
    // The bin run as a program (its first line starting node) has the heap of a node given the
    // flags, not the default one.
    const printLimit = path.join(scratch, 'print-heap-limit.cjs')
    await writeFile(
      printLimit,
      "process.stderr.write('heap ' + require('node:v8').getHeapStatistics().heap_size_limit + '\\n')\n",
    )
    const viaBin = await run(['--help'], {
      cwd: scratch,
      env: { NODE_OPTIONS: `--require ${printLimit}` },
      program: bin,
    })
    const flagged = await run([...NODE_FLAGS, '--require', printLimit, '-e', '0'], { cwd: scratch })
    const plain = await run(['--require', printLimit, '-e', '0'], { cwd: scratch })
    expect(viaBin.stderr).toMatch(/^heap \d+\n$/)
    expect(viaBin.stderr).toBe(flagged.stderr)
    expect(plain.stderr).not.toBe(flagged.stderr)
  })
})
