/**
 * `npm run bench -- --only pg`: PostgreSQL mode across OS processes. A throwaway cluster
 * (test/helpers/pg-cluster.ts), the simulator in its own process, one API process and 1, 2 or 4
 * worker processes started through the CLI, as an operator would (README "Running on several
 * machines"). For each worker count: throughput, CPU of the workers, of the database (the
 * postmaster and its backends, from /proc) and of the simulator, and the simulator's own
 * capacity at the same concurrency (a floor client replaying the job's requests), so the limit
 * can be named. Then the shared budget on: achieved rate against the limit and the most
 * requests the simulator saw in any 1-second window.
 */
import type { ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { DEFAULT_DISTRICTS } from '../src/sim/index.ts'
import { ensureNodeBuild } from '../scripts/build-node.ts'
import { startCli, stop } from '../test/helpers/cli.ts'
import { startPgCluster, type PgCluster } from '../test/helpers/pg-cluster.ts'

/** Clock ticks per second of /proc/<pid>/stat's times (getconf CLK_TCK; 100 on Linux). */
const TICKS = 100
/** Upstream concurrency of each worker process (`--max-concurrent`). */
const WORKER_CONCURRENCY = 4
const WORKER_COUNTS = [1, 2, 4] as const

export interface PgThroughput {
  workers: number
  cells: number
  requests: number
  seconds: number
  cellsPerSecond: number
  requestsPerSecond: number
  status: string
  /** CPU seconds over the job: all workers together, the database, the simulator. */
  workerCpuSeconds: number
  databaseCpuSeconds: number
  simulatorCpuSeconds: number
  /** The simulator alone, the job's requests replayed at the workers' total concurrency. */
  simulatorCapacityRps: number
  limit: string
}

export interface PgBudget {
  workers: number
  maxRequests: number
  windowMs: number
  requests: number
  achievedRps: number
  achievedOfLimit: number
  /** Arrivals at the simulator, its own clock. */
  maxInAnySecond: number
  /** The live grants (database clock) and the sends their senders recorded, per 1-s window. */
  maxGrantsInAnySecond: number
  maxSendsInAnySecond: number
  /** Grants given back (expired before the send, or unused) and grants in all. */
  givenBack: number
  grants: number
  status: string
}

export interface PgBenchResult {
  throughput: PgThroughput[]
  budget: PgBudget
}

/** utime + stime of one process, in seconds (with its reaped children when asked). */
function cpuOf(pid: number, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0)
    return ticks / TICKS
  } catch {
    return 0 // Gone: its time is in its parent's reaped-children total.
  }
}

/** The postmaster (with its exited backends) and every living backend. */
export function databaseCpu(cluster: PgCluster): number {
  const postmaster = Number(
    readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
  )
  let total = cpuOf(postmaster, true)
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === postmaster) total += cpuOf(Number(name))
    } catch {
      // Exited while we looked.
    }
  }
  return total
}

interface Proc {
  child: ChildProcess
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  const body = (await res.json()) as T
  if (!res.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`)
  return body
}

interface LogEntry {
  url: string
  receivedTime: string
  status: number
}

const simLog = async (sim: string) =>
  (await json<{ entries: LogEntry[] }>(`${sim}/__sim/log`)).entries
const clearSimLog = (sim: string) => fetch(`${sim}/__sim/log`, { method: 'DELETE' })

export async function createDatabase(cluster: PgCluster, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: cluster.adminUrl })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name} TEMPLATE template0`)
  } finally {
    await client.end()
  }
  return `postgres://${cluster.user}@${cluster.host}:${cluster.port}/${name}`
}

interface Job {
  backfillId: string
  status: string
  progress: { total: number; completed: number; skipped: number; failed: number }
}

async function runJob(api: string, body: unknown): Promise<Job> {
  const started = await json<Job>(`${api}/api/districts/backfill`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  for (;;) {
    const j = await json<Job>(`${api}/api/districts/backfill/${started.backfillId}`)
    if (!['queued', 'processing'].includes(j.status)) return j
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** One API process and `n` workers on a fresh database, all through the CLI. */
async function startDeployment(
  cluster: PgCluster,
  sim: string,
  dataDir: string,
  n: number,
  upstream: { maxRequests: number; windowMs: number },
) {
  const url = await createDatabase(cluster, `bench_${n}_${upstream.maxRequests}_${Date.now()}`)
  const env = { DATABASE_URL: url, LOG_LEVEL: 'warn' }
  const common = (name: string) => [
    ...['--data-dir', path.join(dataDir, name), '--dashboard-url', sim],
    ...['--max-requests', String(upstream.maxRequests), '--window-ms', String(upstream.windowMs)],
    ...['--max-concurrent', String(WORKER_CONCURRENCY)],
  ]
  const procs: Proc[] = []
  const api = await startCli(
    ['serve', '--role', 'api', '--port', '0', ...common('api')],
    /listening on (http:\/\/\S+)/,
    env,
  )
  procs.push(api)
  const workers: ChildProcess[] = []
  // One at a time: several cold starts at once on a loaded machine are slow.
  for (let i = 0; i < n; i++) {
    const w = await startCli(
      ['serve', '--role', 'worker', ...common(`w${i}`)],
      /worker started/,
      env,
    )
    procs.push(w)
    workers.push(w.child)
  }
  return {
    url,
    api: api.match[1] ?? '',
    workers,
    async close() {
      for (const p of procs) await stop(p.child, 'SIGTERM')
    },
  }
}

/** Replays `urls` against the simulator with `concurrency` requests in flight: requests/s. */
async function floorClient(urls: string[], concurrency: number): Promise<number> {
  let next = 0
  const t = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < urls.length) {
        const u = urls[next++]!
        const res = await fetch(u)
        await res.arrayBuffer()
      }
    }),
  )
  return urls.length / ((performance.now() - t) / 1000)
}

/** The budget's audit (upstream_grants): every grant, its send as recorded, given back or not. */
async function grantTimes(
  url: string,
): Promise<{ at: number; sent: number | null; released: boolean }[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ at: string; sent: string | null; released: boolean }>(
      `SELECT (extract(epoch FROM at) * 1000)::text AS at,
              (extract(epoch FROM sent_at) * 1000)::text AS sent,
              released_at IS NOT NULL AS released
       FROM upstream_grants ORDER BY at`,
    )
    return rows.map((r) => ({
      at: Number(r.at),
      sent: r.sent === null ? null : Number(r.sent),
      released: r.released,
    }))
  } finally {
    await client.end()
  }
}

/** The most entries within any `ms`-long window (sliding, anchored at each entry). */
export function maxInWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let j = 0
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[j]! <= sorted[i]! - ms) j++
    best = Math.max(best, i - j + 1)
  }
  return best
}

/**
 * What the job waited for: the simulator when the job reached most of what the simulator does
 * alone at the same concurrency; else a party using most of a core (a process, or the database's
 * backends together); else none of them, and the shared machine (its load average) is the limit.
 */
export function nameLimit(
  rps: number,
  capacityRps: number,
  cores: { workers: number; database: number; simulator: number },
): string {
  if (rps >= 0.8 * capacityRps)
    return `simulator (${Math.round((rps / capacityRps) * 100)}% of what it serves alone)`
  const [party, used] = Object.entries(cores).sort((a, b) => b[1] - a[1])[0]!
  if (used >= 0.8) return `${party} (${used.toFixed(2)} cores${party === 'workers' ? ' each' : ''})`
  return `none saturated (busiest: ${party} ${used.toFixed(2)} cores); the machine: load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`
}

const districts = DEFAULT_DISTRICTS.map((d) => d.id)

async function throughput(
  cluster: PgCluster,
  sim: { url: string; pid: number },
  dataDir: string,
  n: number,
): Promise<PgThroughput> {
  const dep = await startDeployment(cluster, sim.url, dataDir, n, {
    maxRequests: 0,
    windowMs: 1000,
  })
  try {
    await clearSimLog(sim.url)
    const cpu0 = {
      w: dep.workers.reduce((s, w) => s + cpuOf(w.pid!), 0),
      db: databaseCpu(cluster),
      sim: cpuOf(sim.pid),
    }
    const t = performance.now()
    const job = await runJob(dep.api, {
      startDate: '2026-09-01',
      endDate: '2026-09-30',
      targetDistricts: districts,
      collectionType: 'per-district',
      concurrency: 4,
    })
    const seconds = (performance.now() - t) / 1000
    const cpu = {
      w: dep.workers.reduce((s, w) => s + cpuOf(w.pid!), 0) - cpu0.w,
      db: databaseCpu(cluster) - cpu0.db,
      sim: cpuOf(sim.pid) - cpu0.sim,
    }
    const log = await simLog(sim.url)
    const urls = log.map((e) => new URL(e.url, sim.url).href)
    const capacity = await floorClient(urls, n * WORKER_CONCURRENCY)
    const rps = log.length / seconds
    const limit = nameLimit(rps, capacity, {
      workers: cpu.w / seconds / n,
      database: cpu.db / seconds,
      simulator: cpu.sim / seconds,
    })
    return {
      workers: n,
      cells: job.progress.completed,
      requests: log.length,
      seconds,
      cellsPerSecond: job.progress.completed / seconds,
      requestsPerSecond: rps,
      status: job.status,
      workerCpuSeconds: cpu.w,
      databaseCpuSeconds: cpu.db,
      simulatorCpuSeconds: cpu.sim,
      simulatorCapacityRps: capacity,
      limit,
    }
  } finally {
    await dep.close()
  }
}

async function budget(
  cluster: PgCluster,
  sim: { url: string },
  dataDir: string,
): Promise<PgBudget> {
  const upstream = { maxRequests: 5, windowMs: 1000 }
  const n = 3
  const dep = await startDeployment(cluster, sim.url, dataDir, n, upstream)
  try {
    await clearSimLog(sim.url)
    const job = await runJob(dep.api, {
      startDate: '2026-10-01',
      endDate: '2026-10-10',
      targetDistricts: ['02', '21', '61'],
      collectionType: 'per-district',
      concurrency: 4,
    })
    const times = (await simLog(sim.url)).map((e) => Date.parse(e.receivedTime))
    const span = (Math.max(...times) - Math.min(...times)) / 1000
    // n requests span n - 1 gaps: the rate while work was waiting.
    const achieved = (times.length - 1) / span
    const grants = await grantTimes(dep.url)
    const live = grants.filter((g) => !g.released)
    return {
      workers: n,
      ...upstream,
      requests: times.length,
      achievedRps: achieved,
      achievedOfLimit: achieved / (upstream.maxRequests / (upstream.windowMs / 1000)),
      maxInAnySecond: maxInWindow(times, 1000),
      maxGrantsInAnySecond: maxInWindow(
        live.map((g) => g.at),
        1000,
      ),
      maxSendsInAnySecond: maxInWindow(
        live.flatMap((g) => (g.sent === null ? [] : [g.sent])),
        1000,
      ),
      givenBack: grants.length - live.length,
      grants: grants.length,
      status: job.status,
    }
  } finally {
    await dep.close()
  }
}

export async function benchPg(
  record: (name: string, value: string, note?: string) => void,
): Promise<PgBenchResult> {
  // The simulator and the workers are the compiled CLI's (test/helpers/cli.ts): a fresh clone
  // has no build yet.
  await ensureNodeBuild()
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-pgbench-'))
  const cluster = await startPgCluster()
  const simProc = await startCli(
    ['sim', '--port', '0', '--seed', '5', '--today', '2026-11-29'],
    /listening on (http:\/\/\S+)/,
  )
  const sim = { url: simProc.match[1] ?? '', pid: simProc.child.pid! }
  try {
    const rows: PgThroughput[] = []
    for (const n of WORKER_COUNTS) {
      const r = await throughput(cluster, sim, dataDir, n)
      rows.push(r)
      record(
        `pg: ${n} worker${n > 1 ? 's' : ''}, 30 days x ${districts.length} districts, no limit`,
        `${r.cellsPerSecond.toFixed(1)} cells/s`,
        `${r.requestsPerSecond.toFixed(0)} req/s, ${r.cells} cells, ${r.seconds.toFixed(1)} s, ${r.status}; ` +
          `CPU s workers ${r.workerCpuSeconds.toFixed(1)} / db ${r.databaseCpuSeconds.toFixed(1)} / sim ${r.simulatorCpuSeconds.toFixed(1)}; ` +
          `sim alone ${r.simulatorCapacityRps.toFixed(0)} req/s; limit: ${r.limit}`,
      )
    }
    const b = await budget(cluster, sim, dataDir)
    record(
      `pg: budget ${b.maxRequests}/${b.windowMs} ms, ${b.workers} workers`,
      `${(b.achievedOfLimit * 100).toFixed(0)} % of limit`,
      `${b.achievedRps.toFixed(2)} req/s achieved at the simulator; max in any 1 s: arrivals ${b.maxInAnySecond}, ` +
        `grants ${b.maxGrantsInAnySecond}, sends ${b.maxSendsInAnySecond}; ${b.requests} requests, ` +
        `${b.givenBack} of ${b.grants} grants given back; ${b.status}; load ${loadavg()[0]!.toFixed(1)}`,
    )
    return { throughput: rows, budget: b }
  } finally {
    await stop(simProc.child, 'SIGTERM')
    await cluster.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}
