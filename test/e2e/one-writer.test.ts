/**
 * One writer per DATA_DIR: a server holds the lock; a second server is refused naming it; the
 * writing CLI commands run through the server's API (its history shows them) with the same
 * output and exit codes as a local run; read-only commands work beside it; a SIGKILLed server's
 * lock is taken over by the next server or CLI.
 */
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acquireDataDirLock } from '../../src/server/storage/index.ts'
import { startSimulator, type Simulator } from '../../src/sim/index.ts'
import { cliArgv, runCli, startCli, stop } from '../helpers/cli.ts'
import { waitFor, type Json } from '../helpers/jobs.ts'

const TOKEN = 'one-writer-token'
let sim: Simulator
let dataDir: string
let otherDir: string
let server: { child: ChildProcess; url: string } | null = null

/** A server at the default upstream rate limit (2 requests a second). */
async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const { child, match } = await startCli(
    ['serve', '--port', '0', '--data-dir', dataDir, '--dashboard-url', sim.url],
    /listening on (http:\/\/\S+)/,
    { ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn' },
  )
  return { child, url: match[1] ?? '' }
}

/** Commands that talk to the dashboard take `--dashboard-url`; the offline ones do not offer it. */
const ONLINE = new Set(['serve', 'backfill', 'refresh'])
const cli = (args: string[], env: Record<string, string> = { ADMIN_TOKEN: TOKEN }) =>
  runCli(
    [
      ...args,
      '--data-dir',
      dataDir,
      ...(ONLINE.has(args[0] ?? '') ? ['--dashboard-url', sim.url] : []),
    ],
    env,
  )

async function api(route: string, init: RequestInit = {}): Promise<Json> {
  const res = await fetch(`${server?.url ?? ''}${route}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  })
  return (await res.json()) as Json
}

/** The summary with the job id taken out: what must read the same locally and remotely. */
const withoutId = (stdout: string) => stdout.replace(/backfill \S+:/, 'backfill <id>:')

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tmb-writer-'))
  otherDir = await mkdtemp(path.join(os.tmpdir(), 'tmb-writer-local-'))
  sim = await startSimulator({ seed: 5, today: '2026-11-29' })
  server = await startServer()
}, 60_000)

afterAll(async () => {
  if (server) await stop(server.child, 'SIGKILL')
  await sim.close()
  await rm(dataDir, { recursive: true, force: true })
  await rm(otherDir, { recursive: true, force: true })
})

describe('one writer per DATA_DIR', () => {
  it('refuses a second server on the same DATA_DIR, naming the holder', async () => {
    const holder = await api('/api/health')
    expect(holder.store.dataDirId).toMatch(/^[0-9a-f-]{36}$/)
    const second = await cli(['serve', '--port', '0'])
    expect(second.code).toBe(75)
    const lines = second.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(
      `a server holds DATA_DIR (pid ${server?.child.pid} on host ${os.hostname()}, ${server?.url}`,
    )
  }, 60_000)

  it('runs a CLI backfill through the server: in its history, same summary and exit code as locally', async () => {
    sim.addFault({
      kind: 'server-error',
      status: 503,
      match: { report: 'clubperformance', districtId: '21' },
    })
    try {
      const args = ['backfill', '--from', '2026-10-01', '--to', '2026-10-02']
      const options = ['--districts', '61,21', '--no-retry']
      const remote = await cli([...args, ...options])
      const local = await runCli([
        ...args,
        ...options,
        '--data-dir',
        otherDir,
        '--dashboard-url',
        sim.url,
        '--max-requests',
        '0',
      ])
      expect(remote.code).toBe(2)
      expect(local.code).toBe(2)
      expect(remote.stdout).toMatch(
        /partial_success — 2 completed, 0 skipped, 0 unavailable, 2 failed of 4 cells; 2 snapshots written/,
      )
      expect(withoutId(remote.stdout)).toBe(withoutId(local.stdout))

      const id = /backfill (\S+):/.exec(remote.stdout)?.[1]
      const history = await api('/api/districts/backfill')
      expect(history.jobs.map((j: Json) => j.backfillId)).toContain(id)
      expect((await api(`/api/districts/backfill/${id}`)).status).toBe('partial_success')
    } finally {
      sim.clearFaults()
    }
  }, 120_000)

  it('runs a CLI refresh through the server, and needs the admin token the server was given', async () => {
    await api('/api/districts', { method: 'PUT', body: JSON.stringify({ districts: ['61'] }) })
    expect((await api('/api/refresh')).last).toBeNull()
    const refused = await cli(['refresh'], { ADMIN_TOKEN: '' })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/401 .*ADMIN_TOKEN/)

    const r = await cli(['refresh'])
    expect(r.code, r.stderr).toBe(0)
    const last = (await api('/api/refresh')).last as Json
    expect(last.status).toMatch(/^(written|unchanged)$/)
    expect(r.stdout).toBe(`${last.message}\n`)
  }, 120_000)

  it('lists snapshots beside the running server, which keeps serving', async () => {
    const list = await cli(['snapshots', 'list', '--json'])
    expect(list.code).toBe(0)
    const parsed = JSON.parse(list.stdout) as Json
    expect(parsed.snapshots.map((s: Json) => s.asOf)).toEqual(
      expect.arrayContaining(['2026-10-01', '2026-10-02']),
    )
    expect((await api('/api/health')).status).toBe('ok')
  }, 60_000)

  it('cancels the server-side job on Ctrl-C and exits 130', async () => {
    const child = spawn(
      process.execPath,
      cliArgv([
        'backfill',
        '--from',
        '2026-09-01',
        '--to',
        '2026-09-30',
        '--districts',
        '61',
        '--json',
        '--data-dir',
        dataDir,
      ]),
      { env: { ...process.env, ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const job = await waitFor(
      'the CLI job to run on the server',
      async () =>
        ((await api('/api/districts/backfill?status=processing')).jobs as Json[])[0] ?? null,
      30_000,
    )
    child.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(130)
    expect(JSON.parse(out)).toMatchObject({ backfillId: job.backfillId, status: 'cancelled' })
    expect((await api(`/api/districts/backfill/${job.backfillId}`)).status).toBe('cancelled')
  }, 120_000)

  it('refuses a writing command while another CLI command holds the lock', async () => {
    const lock = await acquireDataDirLock({ dataDir: otherDir, role: 'cli', command: 'backfill' })
    try {
      const r = await runCli([
        'rebuild',
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-02',
        '--data-dir',
        otherDir,
      ])
      expect(r.code).toBe(75)
      expect(r.stderr).toContain(
        `tm-backfill backfill holds DATA_DIR (pid ${process.pid} on host ${os.hostname()}`,
      )
    } finally {
      await lock.release()
    }
  }, 60_000)

  it('after a SIGKILL of the server, the next server and then a CLI take the lock over at once', async () => {
    const history = (await api('/api/districts/backfill')).total as number
    const lockDir = path.join(dataDir, '.lock')
    for (const next of ['server', 'cli'] as const) {
      if (!server) throw new Error('no server')
      await stop(server.child, 'SIGKILL')
      server = null
      // The dead server's lock is still there and fresh: what a crash leaves.
      await stat(lockDir)
      if (next === 'server') {
        server = await startServer()
        expect((await api('/api/districts/backfill')).total).toBe(history)
      } else {
        const repair = await cli(['verify', '--repair'])
        expect(repair.code, repair.stderr).toBe(0)
        expect(repair.stdout).toContain('OK:')
        // It held the lock while it wrote, and let go of it when done.
        await expect(stat(lockDir)).rejects.toThrow(/ENOENT/)
      }
    }
  }, 120_000)
})
