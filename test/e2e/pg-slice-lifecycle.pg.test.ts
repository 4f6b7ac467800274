/**
 * A PostgreSQL job never hangs (README "Running on several machines"), across OS processes: one
 * API process and two workers started through the CLI, one database, the simulator over
 * loopback. A slice that outlives WORKER_SLICE_TIMEOUT_SECONDS on every retry ends its cells
 * failed `SLICE_EXHAUSTED` and the job ends; `POST …/retry` finishes those cells across the
 * workers; cancel takes the job's slices off pg-boss at once; `tm-backfill retry <id>` with
 * DATABASE_URL finishes the cancelled job; with every worker gone the job view says so. The cases
 * share the processes and run in order.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPgPool, type PgPool } from '../../src/server/pg/index.ts'
import { startSimulator, type Simulator } from '../../src/sim/index.ts'
import { runCli, startCli, stop } from '../helpers/cli.ts'
import { type Json } from '../helpers/jobs.ts'
import { waitForProcesses } from '../helpers/wait.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/pg-database.ts'

const SLICE_TIMEOUT_S = 5
const SLICE_RETRIES = 1
const DISTRICTS = ['02', '21', '61']

let sim: Simulator
let db: TestDatabase
let pool: PgPool
let dataDir: string
let apiUrl = ''
const children: ChildProcess[] = []

const env = (): Record<string, string> => ({
  DATABASE_URL: db.url,
  WORKER_SLICE_TIMEOUT_SECONDS: String(SLICE_TIMEOUT_S),
  WORKER_SLICE_RETRIES: String(SLICE_RETRIES),
  LOG_LEVEL: 'warn',
})

const common = (dir: string) => [
  '--data-dir',
  path.join(dataDir, dir),
  '--dashboard-url',
  sim.url,
  '--max-requests',
  '0',
]

async function api(method: string, route: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${apiUrl}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Json }
}

const job = async (id: string) => (await api('GET', `/api/districts/backfill/${id}`)).body as Json
const ended = (j: Json) => ['complete', 'partial_success', 'error', 'cancelled'].includes(j.status)

async function setFaults(faults: Json[]): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  })
  expect(res.status).toBe(200)
}

async function startJob(body: Json): Promise<string> {
  const res = await api('POST', '/api/districts/backfill', {
    collectionType: 'per-district',
    ...body,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(202)
  return res.body.backfillId as string
}

/** The job's slices pg-boss still holds to run (waiting, to be retried, or running). */
async function liveSlices(id: string): Promise<string[]> {
  const { rows } = await pool.query<{ key: string }>(
    `SELECT singleton_key AS key FROM pgboss.job
      WHERE singleton_key LIKE $1 AND state IN ('created', 'retry', 'active')`,
    [`${id}:%`],
  )
  return rows.map((r) => r.key).sort()
}

/** Dates (YYYY-MM-DD) of the per-district reports the simulator received, with arrival. */
const reportRequests = () =>
  sim.requestLog().flatMap((e) => {
    const report = new URL(e.url, 'http://x').searchParams.get('report') ?? ''
    const [name, district, , asOf] = report.split('~')
    if (!name?.endsWith('performance') || !district || !asOf) return []
    const [m, d, y] = asOf.split('/')
    const date = `${y}-${m?.padStart(2, '0')}-${d?.padStart(2, '0')}`
    return [{ date, district, at: Date.parse(e.receivedTime) }]
  })

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-pgslices-'))
  db = await createTestDatabase('slices')
  pool = createPgPool({ databaseUrl: db.url, max: 2 })
  sim = await startSimulator({ seed: 5, today: '2026-11-29' })
  const a = await startCli(
    ['serve', '--role', 'api', '--port', '0', ...common('api')],
    /listening on (http:\/\/\S+)/,
    env(),
  )
  children.push(a.child)
  apiUrl = a.match[1] ?? ''
  for (const n of [1, 2]) {
    const w = await startCli(
      ['serve', '--role', 'worker', '--max-concurrent', '2', ...common(`w${n}`)],
      /worker started/,
      env(),
    )
    children.push(w.child)
  }
  const put = await api('PUT', '/api/districts', { districts: DISTRICTS })
  expect(put.status).toBe(200)
}, 90_000)

afterAll(async () => {
  for (const c of children) if (c.signalCode === null) await stop(c, 'SIGKILL')
  await pool?.end()
  await db?.drop()
  await sim?.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('PostgreSQL mode: a job never hangs', () => {
  it('cells whose slice outlives the timeout on every retry end failed SLICE_EXHAUSTED, the job ends, and a retry at the API finishes them across the workers', async () => {
    // District 61's reports answer after the slice timeout: each run of its cells is lost.
    await setFaults([
      { kind: 'latency', ms: (SLICE_TIMEOUT_S + 3) * 1000, match: { districtId: '61' } },
    ])
    const id = await startJob({ startDate: '2026-10-05', endDate: '2026-10-06' })
    // Each exhausted cell: (1 + retries) × timeout, a 1 s retry delay and polls.
    const bound = (SLICE_RETRIES + 1) * (SLICE_TIMEOUT_S + 2) * 1000 + 30_000
    const final = await waitForProcesses(
      'job end',
      async () => ((j) => ended(j) && j)(await job(id)),
      bound,
    )
    expect(final.status).toBe('partial_success')
    expect(final.progress).toMatchObject({ total: 6, completed: 4, failed: 2 })
    const d61 = final.progress.districtProgress['61']
    expect(d61.failedDates).toEqual(['2026-10-05', '2026-10-06'])
    expect(d61.lastError).toMatch(
      new RegExp(`SLICE_EXHAUSTED: gave up after ${SLICE_RETRIES + 1} attempts`),
    )
    expect(await liveSlices(id)).toEqual([])

    await setFaults([])
    const retriedAt = Date.now()
    const retry = await api('POST', `/api/districts/backfill/${id}/retry`)
    expect(retry.status, JSON.stringify(retry.body)).toBe(202)
    const again = await waitForProcesses(
      'retry end',
      async () => ((j) => ended(j) && j)(await job(retry.body.backfillId as string)),
      60_000,
    )
    expect(again.status).toBe('complete')
    expect(again.progress).toMatchObject({ total: 2, completed: 2, failed: 0 })
    // Only district 61's two cells were asked again, three reports each. (By arrival: the
    // simulator logs an abandoned slow answer when it ends, after the retry began.)
    const asked = reportRequests().filter((r) => r.at >= retriedAt)
    expect(asked.map((r) => r.district)).toEqual(Array(6).fill('61'))
    expect((await job(id)).status).toBe('partial_success')
  }, 150_000)

  it('cancel takes the waiting slices of the job off pg-boss at once: none is claimed or asks the upstream afterwards', async () => {
    // Slow answers: with two workers of two slots, most of the job's cells wait.
    await setFaults([{ kind: 'latency', ms: 1500 }])
    const id = await startJob({ startDate: '2026-10-12', endDate: '2026-10-17' })
    await waitForProcesses(
      'cell slices waiting',
      async () => (await liveSlices(id)).length > 6,
      30_000,
    )
    const res = await api('DELETE', `/api/districts/backfill/${id}`)
    expect(res.status).toBe(200)
    expect(res.body.status).toBe('cancelled')
    const cancelledAt = Date.now()
    // In the cancelling transaction: nothing of the job is left to claim, running ones included.
    expect(await liveSlices(id)).toEqual([])
    await new Promise((r) => setTimeout(r, 4000))
    const late = reportRequests().filter(
      (r) => r.at > cancelledAt + 1000 && r.date >= '2026-10-12' && r.date <= '2026-10-17',
    )
    expect(late, 'requests started after the cancel').toEqual([])
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE singleton_key LIKE $1 AND state = 'cancelled'`,
      [`${id}:%`],
    )
    expect(rows[0]?.n).toBeGreaterThan(0)
    const after = await job(id)
    expect(after.status).toBe('cancelled')
    expect(after.progress.completed).toBeLessThan(18)

    // `tm-backfill retry <id>` beside the deployment (DATABASE_URL, no server lookup) finishes it.
    await setFaults([])
    const cli = await runCli(['retry', id, '--no-progress', ...common('cli')], env())
    expect(cli.code, cli.stderr + cli.stdout).toBe(0)
    const { rows: retries } = await pool.query<{ state: Json }>(
      `SELECT state FROM backfill_jobs WHERE state->>'retryOf' = $1`,
      [id],
    )
    expect(retries).toHaveLength(1)
    const retried = retries[0]!.state
    expect(retried.status).toBe('complete')
    expect(retried.progress.completed + retried.progress.skipped).toBe(
      18 - after.progress.completed,
    )
    const coverage = await api(
      'GET',
      '/api/coverage?from=2026-10-12&to=2026-10-17&districts=02,21,61',
    )
    expect(coverage.status).toBe(200)
  }, 120_000)

  it('with every worker gone, the job view says no worker is running and claims no rate or ETA', async () => {
    const [, ...workers] = children
    for (const w of workers) await stop(w, 'SIGKILL')
    const id = await startJob({ startDate: '2026-10-20', endDate: '2026-10-21' })
    // The API process asks pg_stat_activity at most every 2 s; a killed worker's connections
    // leave it once the database sees their sockets closed.
    const idle = await waitForProcesses(
      'the job to say no worker runs',
      async () => ((j) => j.pausedReason !== null && j)(await job(id)),
      30_000,
    )
    expect(idle.status).toBe('queued')
    expect(idle.pausedReason).toMatch(/no worker is running/)
    expect(idle.progress).toMatchObject({ completed: 0, etaSeconds: null, cellsPerMinute: null })
  }, 60_000)
})
