/**
 * Usage errors and help, as a person (or cron) meets them: a child process without a TTY, one
 * line on stderr naming the flag typed, no stack, exit 64; `--help` of every command works and
 * shows the defaults that command really uses, and its exit codes.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliArgv, runCli } from '../helpers/cli.ts'

type Result = Awaited<ReturnType<typeof runCli>>

let dataDir: string
// Nothing listens there: a usage error must be found before any upstream request.
const OFFLINE = ['--dashboard-url', 'http://127.0.0.1:9']
const runs: Record<string, Promise<Result>> = {}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-usage-'))
  const common = ['--data-dir', dataDir, ...OFFLINE]
  runs.strategy = runCli(['backfill', '--from', '2026-10-01', '--strategy', 'fastest', ...common])
  runs.districts = runCli([
    'backfill',
    '--from',
    '2026-10-01',
    '--districts',
    '61,6x1x1',
    ...common,
  ])
  runs.reprocess = runCli([
    'backfill',
    '--from',
    '2026-10-01',
    '--reprocess',
    'missing',
    '--no-skip-existing',
    ...common,
  ])
  runs.unknownFlag = runCli(['refresh', '--colour', 'red', ...common])
  runs.workerWithoutDb = runCli(['serve', '--role', 'worker', '--port', '0', ...common], {
    DATABASE_URL: '',
  })
  runs.simHelp = runCli(['sim', '--help'])
  runs.demoHelp = runCli(['demo', '--help'])
  runs.helpIntoClosedPipe = helpIntoClosedPipe()
})

/** `tm-backfill --help | head -0`: the reader of stdout is gone before the help is written. */
function helpIntoClosedPipe(): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgv(['--help']), {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout: '', stderr }))
  })
}

afterAll(async () => {
  await Promise.allSettled(Object.values(runs))
  await rm(dataDir, { recursive: true, force: true })
})

function expectUsageError(r: Result, flag: string): void {
  expect(r.code, r.stderr).toBe(64)
  expect(r.stderr).toContain(flag)
  expect(r.stderr).not.toMatch(/^\s+at /m)
  expect(r.stderr.trim().split('\n')).toHaveLength(1)
  expect(r.stdout).toBe('')
}

describe('tm-backfill usage errors', () => {
  it('names --strategy, not the API field, for a bad strategy', { timeout: 60_000 }, async () => {
    const r = await runs.strategy!
    expectUsageError(r, '--strategy')
    expect(r.stderr).not.toContain('collectionType')
    expect(r.stderr).toContain('"fastest"')
  })

  it('names --districts and the entry for a bad district id', { timeout: 60_000 }, async () => {
    const r = await runs.districts!
    expectUsageError(r, '--districts entry 2')
    expect(r.stderr).not.toContain('targetDistricts')
    expect(r.stderr).toContain('"6x1x1"')
    // Nothing was started, so nothing was written.
    expect(await readdir(dataDir).catch(() => [])).not.toContain('snapshots')
  })

  it(
    'refuses serve --role worker without DATABASE_URL, naming --role and the rule',
    { timeout: 60_000 },
    async () => {
      const r = await runs.workerWithoutDb!
      expectUsageError(r, '--role=worker needs DATABASE_URL')
      expect(r.stderr).toContain('must be all')
    },
  )

  it(
    'names --reprocess and --no-skip-existing when they contradict',
    { timeout: 60_000 },
    async () => {
      const r = await runs.reprocess!
      expectUsageError(r, '--reprocess missing contradicts --no-skip-existing')
      expect(r.stderr).not.toContain('skipExisting')
    },
  )

  it('answers an unknown flag with exit 64 and the flag', { timeout: 60_000 }, async () => {
    expectUsageError(await runs.unknownFlag!, "'--colour'")
  })
})

describe('tm-backfill --help', () => {
  it(
    'shows the simulator options, their defaults and the exit codes for sim --help',
    { timeout: 60_000 },
    async () => {
      const r = await runs.simHelp!
      expect(r.code, r.stderr).toBe(0)
      expect(r.stderr).toBe('')
      expect(r.stdout).toMatch(/--port <port>.*\(default: 5002\)/)
      for (const flag of ['--host', '--seed', '--today', '--districts'])
        expect(r.stdout).toContain(flag)
      expect(r.stdout).toMatch(/Exit codes:[\s\S]*\n {2}64 +usage error/)
    },
  )

  it("shows the demo's own data dir and budget for demo --help", { timeout: 60_000 }, async () => {
    const r = await runs.demoHelp!
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/--data-dir <dir>[\s\S]*?\(default:\s+\.\/\.demo-data\)/)
    expect(r.stdout).not.toMatch(/default:\s+\.\/data\)/)
    expect(r.stdout).toMatch(/--max-requests <n>[\s\S]*?\(default: 20\)/)
    // The demo always collects from its own simulator: no flag pretends otherwise.
    expect(r.stdout).not.toContain('--dashboard-url')
    expect(r.stdout).toMatch(/Exit codes:/)
  })

  it('ends with 0 and nothing on stderr when its reader has gone (a closed pipe)', async () => {
    const r = await runs.helpIntoClosedPipe!
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
  })
})
