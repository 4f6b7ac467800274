/**
 * The CLI beside a PostgreSQL deployment (README "Running on several machines"): child
 * processes without a TTY, DATABASE_URL set, the simulator over loopback answering the first
 * attempt of every URL with a 503, and the default politeness limits. A backfill with no worker
 * running says so and leaves its job queued; a worker started later runs it; with a worker a
 * backfill is followed to its end with the usual summary and exit code; verify points at export.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPgPool, type PgPool } from '../../src/server/pg/index.ts'
import { createPgSnapshotStore } from '../../src/server/storage/index.ts'
import { startSimulator, type Simulator } from '../../src/sim/index.ts'
import { EXIT } from '../../src/cli/output.ts'
import { runCli, startCli, stop } from '../helpers/cli.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/pg-database.ts'
import { waitFor } from '../helpers/wait.ts'

let sim: Simulator
let db: TestDatabase
let pool: PgPool
let dataDir: string
let worker: ChildProcess | null = null

const env = () => ({ DATABASE_URL: db.url })
const common = () => ['--data-dir', dataDir, '--dashboard-url', sim.url]

async function jobStatus(id: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ status: string }>(
    'SELECT status FROM backfill_jobs WHERE backfill_id = $1',
    [id],
  )
  return rows[0]?.status
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-cli-pg-'))
  db = await createTestDatabase('clipg')
  pool = createPgPool({ databaseUrl: db.url, max: 2 })
  sim = await startSimulator({
    seed: 4,
    today: '2026-11-29',
    faults: [{ kind: 'server-error', status: 503, firstAttempts: 1 }],
  })
}, 60_000)

afterAll(async () => {
  if (worker) await stop(worker, 'SIGKILL')
  await pool?.end()
  await db?.drop()
  await sim?.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('tm-backfill beside PostgreSQL', () => {
  let queuedId = ''

  it('backfill with no worker running says so on stderr and exits EXIT.QUEUED, the job left queued in the database', async () => {
    const r = await runCli(
      [
        ...['backfill', '--from', '2026-10-05', '--districts', '61'],
        ...['--strategy', 'per-district', '--json', ...common()],
      ],
      env(),
    )
    expect(r.stderr).toContain('no worker is running: the job')
    expect(r.stderr).toContain('is queued and will run when one starts')
    expect(r.code, r.stderr).toBe(EXIT.QUEUED)
    const job = JSON.parse(r.stdout) as { backfillId: string; status: string }
    expect(job.status).toBe('queued')
    queuedId = job.backfillId
    expect(await jobStatus(queuedId)).toBe('queued')
    // Nothing was asked upstream: only workers run jobs.
    expect(sim.requestLog().filter((e) => e.url.includes('performance'))).toEqual([])
  }, 60_000)

  it('a worker started later runs the queued job; a backfill then follows its job to the end with the summary and exit 0', async () => {
    // The default politeness limits: no --max-requests, --max-concurrent.
    const started = await startCli(
      ['serve', '--role', 'worker', ...common()],
      /worker started/,
      env(),
    )
    worker = started.child
    await waitFor(
      'the queued job to complete',
      async () => (await jobStatus(queuedId)) === 'complete',
      60_000,
      { everyMs: 250 },
    )

    const r = await runCli(
      [
        ...['backfill', '--from', '2026-10-06', '--districts', '02,61'],
        ...['--strategy', 'per-district', '--no-progress', ...common()],
      ],
      env(),
    )
    expect(r.stderr).not.toContain('no worker is running')
    expect(r.code, r.stderr + r.stdout).toBe(EXIT.OK)
    expect(r.stdout).toMatch(/complete/)
    const store = createPgSnapshotStore({ pool, toolVersion: 'test' })
    for (const [date, district] of [
      ['2026-10-05', '61'],
      ['2026-10-06', '02'],
      ['2026-10-06', '61'],
    ] as const)
      expect(await store.hasValidDistrict(date, district, 'full'), `${date} ${district}`).toBe(true)
    // The first attempt of every URL was refused: each stored report was asked twice.
    const reports = sim.requestLog().filter((e) => decodeURIComponent(e.url).includes('~61~'))
    expect(reports.some((e) => e.status === 503)).toBe(true)
  }, 120_000)

  it('rebuild works from the raw bodies in the database, never touching DATA_DIR (one that cannot be created)', async () => {
    const r = await runCli(
      [
        ...['rebuild', '--from', '2026-10-05', '--to', '2026-10-06', '--json'],
        ...['--data-dir', '/proc/tmb-no-such-dir'],
      ],
      env(),
    )
    expect(r.code, r.stderr).toBe(EXIT.OK)
    expect(r.stdout).toContain('2026-10-06')
  }, 60_000)

  it('verify with DATABASE_URL set refuses (exit 64) and points at export --to-data-dir', async () => {
    const r = await runCli(['verify', '--data-dir', dataDir], env())
    expect(r.code).toBe(EXIT.USAGE)
    expect(r.stderr).toContain('tm-backfill export --to-data-dir DIR')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  }, 60_000)
})

it('three workers started at the same instant on a new database all start', async () => {
  const fresh = await createTestDatabase('clipg3')
  const started: ChildProcess[] = []
  try {
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((name) =>
        startCli(
          ['serve', '--role', 'worker', '--data-dir', path.join(dataDir, `w-${name}`)],
          /worker started/,
          { DATABASE_URL: fresh.url, TOASTMASTERS_DASHBOARD_URL: sim.url },
        ),
      ),
    )
    for (const r of results) if (r.status === 'fulfilled') started.push(r.value.child)
    // Started by hand on a new database, two of three died of "deadlock detected" before the
    // queues were created one at a time (slice-queue.pg.test.ts checks that they are).
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'started'))).toEqual([
      'started',
      'started',
      'started',
    ])
  } finally {
    for (const c of started) await stop(c, 'SIGTERM')
    await fresh.drop()
  }
}, 90_000)
