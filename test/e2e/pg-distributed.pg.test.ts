/**
 * PostgreSQL mode across OS processes (README "Running on several machines"): two API
 * processes and three workers started through the CLI, one database, the simulator over
 * loopback. The cases share the processes and run in order.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPgPool } from '../../src/server/pg/index.ts'
import type { PgPool } from '../../src/server/pg/index.ts'
import { createPgSnapshotStore } from '../../src/server/storage/index.ts'
import { startSimulator, type Simulator } from '../../src/sim/index.ts'
import { startCli, stop } from '../helpers/cli.ts'
import { type Json } from '../helpers/jobs.ts'
import { waitForProcesses } from '../helpers/wait.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/pg-database.ts'

const SLICE_TIMEOUT_S = 8
const DISTRICTS = ['02', '21', '61']

let sim: Simulator
let db: TestDatabase
let pool: PgPool
let dataDir: string
const apis: { child: ChildProcess; url: string }[] = []
const workers: { child: ChildProcess; output: () => string }[] = []

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    MAX_RUNNING_JOBS: '3',
    WORKER_SLICE_TIMEOUT_SECONDS: String(SLICE_TIMEOUT_S),
    LOG_LEVEL: 'warn',
    ...extra,
  }
}

function common(dir: string): string[] {
  return ['--data-dir', dir, '--dashboard-url', sim.url, '--max-requests', '0']
}

async function startApi(n: number) {
  const args = ['serve', '--role', 'api', '--port', '0', ...common(path.join(dataDir, `api${n}`))]
  const { child, match } = await startCli(args, /listening on (http:\/\/\S+)/, env())
  apis.push({ child, url: match[1] ?? '' })
}

async function startWorker(n: number, logLevel = 'warn') {
  const args = [
    'serve',
    '--role',
    'worker',
    '--max-concurrent',
    '3',
    ...common(path.join(dataDir, `w${n}`)),
  ]
  const { child, output } = await startCli(args, /worker started/, env({ LOG_LEVEL: logLevel }))
  workers.push({ child, output })
}

async function api(url: string, method: string, route: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Json }
}

const job = async (id: string, at = apis[0]!.url) =>
  (await api(at, 'GET', `/api/districts/backfill/${id}`)).body as Json

async function setLatency(ms: number): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ kind: 'latency', ms }]),
  })
  expect(res.status).toBe(200)
}

const ended = (j: Json) => ['complete', 'partial_success', 'error', 'cancelled'].includes(j.status)

async function startJob(body: Json, at = apis[0]!.url): Promise<string> {
  const res = await api(at, 'POST', '/api/districts/backfill', {
    collectionType: 'per-district',
    concurrency: 3,
    ...body,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(202)
  return res.body.backfillId as string
}

/** `date|district` of a per-district report the simulator received, or null. */
function cellOf(url: string): string | null {
  const report = new URL(url, 'http://x').searchParams.get('report') ?? ''
  const [name, district, , asOf] = report.split('~')
  if (!name?.endsWith('performance') || !district || !asOf) return null
  const [m, d, y] = asOf.split('/')
  return `${y}-${m?.padStart(2, '0')}-${d?.padStart(2, '0')}|${district}`
}

/** Per-district report requests: cell and when the simulator received it. */
const cellRequests = () =>
  sim
    .requestLog()
    .map((e) => ({ cell: cellOf(e.url), receivedAt: Date.parse(e.receivedTime), url: e.url }))
    .filter((r): r is { cell: string; receivedAt: number; url: string } => r.cell !== null)

async function storedCells(): Promise<Set<string>> {
  const { rows } = await pool.query<{ as_of: string; manifest: Json }>(
    `SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of, manifest FROM snapshots`,
  )
  return new Set(
    rows.flatMap((r) => Object.keys(r.manifest.districts ?? {}).map((d) => `${r.as_of}|${d}`)),
  )
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-pgdist-'))
  db = await createTestDatabase('dist')
  pool = createPgPool({ databaseUrl: db.url, max: 2 })
  // Slow answers keep every slice in flight long enough to kill or cancel it mid-way.
  sim = await startSimulator({
    seed: 11,
    today: '2026-11-29',
    faults: [{ kind: 'latency', ms: 300 }],
  })
  // The first API process migrates; the others find the schema current.
  await startApi(1)
  // One at a time: on a loaded machine, several cold starts at once can take longer than 20 s.
  await startApi(2)
  await startWorker(1, 'debug')
  await startWorker(2)
  await startWorker(3)
  const put = await api(apis[0]!.url, 'PUT', '/api/districts', { districts: DISTRICTS })
  expect(put.status).toBe(200)
}, 90_000)

afterAll(async () => {
  for (const p of [...apis, ...workers]) {
    // A child killed by a signal has no exit code, only its signal.
    if (p.child.signalCode === null) await stop(p.child, 'SIGKILL')
  }
  await pool?.end()
  await db?.drop()
  await sim?.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('PostgreSQL mode, several processes', () => {
  it('SIGKILL of a worker mid-slice: the others finish the job within the bound, no stored cell is fetched again, every file valid, and both API processes answer the same', async () => {
    const id = await startJob({ startDate: '2026-10-01', endDate: '2026-10-06' })
    const w1 = workers[0]!
    // Worker 1 has a cell slice started and not ended.
    await waitForProcesses(
      'worker 1 mid-slice',
      async () => {
        const out = w1.output()
        const started =
          out.match(/"slice":"[^"]+:\d{4}-\d{2}-\d{2}:\d\d"[^\n]*slice started/g) ?? []
        const endedN = out.match(/"slice":"[^"]+:\d{4}-\d{2}-\d{2}:\d\d"[^\n]*slice ended/g) ?? []
        return started.length > endedN.length
      },
      30_000,
    )
    await stop(w1.child, 'SIGKILL')
    const killedAt = Date.now()
    const storedAtKill = await storedCells()
    expect((await job(id)).status).toBe('processing')

    const bound = (SLICE_TIMEOUT_S + 5 + 1 + 1) * 1000 + 20_000
    const final = await waitForProcesses(
      'job end',
      async () => ((j) => ended(j) && j)(await job(id)),
      bound,
    )
    expect(final.status).toBe('complete')
    expect(final.progress).toMatchObject({ total: 18, completed: 18, failed: 0 })

    const refetched = cellRequests().filter(
      (r) => r.receivedAt > killedAt && storedAtKill.has(r.cell),
    )
    expect(refetched, 'cells fetched again after they were stored').toEqual([])

    const store = createPgSnapshotStore({ pool, toolVersion: 'test' })
    for (const cell of await storedCells()) {
      const [date, districtId] = cell.split('|') as [string, string]
      expect(await store.hasValidDistrict(date, districtId, 'full'), cell).toBe(true)
    }

    // Whichever API process answers: the same job, coverage and snapshot.
    const [a, b] = apis.map((p) => p.url) as [string, string]
    const pick = (j: Json) => ({
      status: j.status,
      progress: j.progress,
      districts: j.districts,
      snapshotIds: j.snapshotIds,
      completedAt: j.completedAt,
    })
    expect(pick(await job(id, b))).toEqual(pick(await job(id, a)))
    for (const route of [
      '/api/coverage?from=2026-10-01&to=2026-10-06&districts=02,21,61',
      '/api/snapshots?from=2026-10-01&to=2026-10-06',
      `/api/snapshots/${final.snapshotIds[0]}/districts/61`,
      `/api/districts/backfill?limit=5&offset=0`,
    ]) {
      const [ra, rb] = await Promise.all([api(a, 'GET', route), api(b, 'GET', route)])
      expect(ra.status, route).toBe(200)
      const strip = (x: Json) =>
        JSON.parse(JSON.stringify(x, (k, v) => (k === 'performanceStatus' ? undefined : v)))
      expect(strip(rb.body), route).toEqual(strip(ra.body))
    }
  }, 120_000)

  it('cancel at one API process stops in-flight work on the workers within 2 s, and the job never becomes complete', async () => {
    const [a, b] = apis.map((p) => p.url) as [string, string]
    const id = await startJob({ startDate: '2026-10-13', endDate: '2026-10-18' }, a)
    await waitForProcesses(
      'cells in flight',
      async () => (await job(id, a)).progress.completed >= 2,
      30_000,
    )
    // Answers slower than the bound: a slice that went on after the cancel would ask for its
    // cell's next report within 2 s.
    await setLatency(2500)
    const res = await api(b, 'DELETE', `/api/districts/backfill/${id}`)
    expect(res.status).toBe(200)
    expect(res.body.status).toBe('cancelled')
    const cancelledAt = Date.now()
    await new Promise((r) => setTimeout(r, 5000))
    await setLatency(300)
    const late = cellRequests().filter(
      (r) => r.receivedAt > cancelledAt + 1000 && r.cell.slice(0, 10) >= '2026-10-13',
    )
    expect(late, 'requests started after the cancel').toEqual([])
    for (const at of [a, b]) {
      const j = await job(id, at)
      expect(j.status).toBe('cancelled')
      expect(j.progress.completed).toBeLessThan(18)
    }
  }, 60_000)

  it('two jobs over the same cells, started at once at two API processes, never fetch a cell twice', async () => {
    const [a, b] = apis.map((p) => p.url) as [string, string]
    const before = cellRequests().length
    // No raw CSV cache to fall back on: only the cell lock and the second look at the store
    // keep the later job from asking again.
    const body = { startDate: '2026-10-20', endDate: '2026-10-22', enableCaching: false }
    const ids = await Promise.all([startJob(body, a), startJob(body, b)])
    for (const id of ids)
      await waitForProcesses('job end', async () => ended(await job(id)), 60_000)
    const states = await Promise.all(ids.map((id) => job(id)))
    expect(states.map((s) => s.status)).toEqual(['complete', 'complete'])
    const requests = cellRequests()
      .slice(before)
      .map((r) => r.url)
    // Each of the 9 cells asks its three district reports once, whichever job asked.
    expect(requests).toHaveLength(9 * 3)
    expect(new Set(requests).size).toBe(requests.length)
    const settled = states.map((s) => s.progress.completed + s.progress.skipped)
    expect(settled).toEqual([9, 9])
  }, 90_000)
})
