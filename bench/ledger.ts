/**
 * Ledger work per cell event, at growing job sizes (docs/performance.md#ledger). A job's
 * bookkeeping should cost the same per event whether the job has a thousand cells or fifty
 * thousand: total work linear in cells. Two measures:
 *
 * - in process: `applyJobEvent`, a `cell:started` and a `cell:completed` per cell, µs per event;
 * - PostgreSQL: `PgJobQueue.append` of one event (what a worker does per event), on a throwaway
 *   cluster, every cell of the job (so the checkpoints the queue writes now and then are in the
 *   figure), ms per append (wall, one client) and the database's and this process's CPU per
 *   append. `--pg-sample N` appends for N cells spread over the job instead (how the tree before
 *   2026-12-04 was measured: its appends cost too much to run a large job whole).
 *
 * `tsx bench/ledger.ts [--quick] [--json FILE]`. The ratio column is the largest size's cost per
 * event over the smallest's: 1.0 is linear in cells.
 */
import { writeFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { applyJobEvent, createJobState, type JobState } from '../src/server/backfill/job-state.ts'
import type { JobEvent, JobSpec } from '../src/server/backfill/job-events.ts'
import { makeRequest, makeScope, makeStrategy } from '../src/server/backfill/test-fixtures.ts'
import { createSilentLogger } from '../src/server/logger.ts'
import { createPgJobQueue } from '../src/server/pg/pg-job-queue.ts'
import { createPgPool, migrate } from '../src/server/pg/index.ts'
import { addDays } from '../src/shared/iso-date.ts'
import { startPgCluster, type PgCluster } from '../test/helpers/pg-cluster.ts'
import { createDatabase, databaseCpu } from './pg.ts'

interface Size {
  dates: number
  districts: number
}

function spec(n: number, size: Size): JobSpec {
  const ids = Array.from({ length: size.districts }, (_, i) => String(i + 1))
  const scope = makeScope(ids, [])
  const dates = Array.from({ length: size.dates }, (_, i) => addDays('2025-07-01', i))
  return {
    backfillId: `bf_ledger_${n}`,
    kind: 'global',
    districtId: null,
    request: makeRequest({ startDate: dates[0], endDate: dates.at(-1) }),
    scope,
    strategy: makeStrategy('per-district', scope),
    cells: dates.flatMap((date) => ids.map((districtId) => ({ date, districtId }))),
  }
}

const AT = '2026-12-04T00:00:00.000Z'

function cellEvents(date: string, districtId: string, i: number): JobEvent[] {
  return [
    { type: 'cell:started', at: AT, date, districtId },
    {
      type: 'cell:completed',
      at: AT,
      date,
      districtId,
      asOf: date,
      snapshotId: date,
      bytes: 1000 + (i % 7),
      detail: 'full',
    },
  ]
}

/**
 * The job's events folded from its start, at least 3 times and for 0.3 s of CPU; the fastest
 * fold counts (the others carry the collector's and the machine's interruptions).
 */
function inProcess(size: Size, n: number): { usPerEvent: number; events: number; runs: number } {
  const job = spec(n, size)
  const events = job.cells.flatMap((c, i) => cellEvents(c.date, c.districtId, i))
  const start = applyJobEvent(createJobState({ type: 'job:queued', at: AT, job }), {
    type: 'job:started',
    at: AT,
  })
  const cpu = () => {
    const u = process.cpuUsage()
    return u.user + u.system
  }
  const t0 = cpu()
  let runs = 0
  let fastest = Infinity
  while (runs < 3 || cpu() - t0 < 300_000) {
    const r0 = cpu()
    let state: JobState = start
    for (const e of events) state = applyJobEvent(state, e)
    fastest = Math.min(fastest, cpu() - r0)
    if (state.progress.completed !== job.cells.length) throw new Error('the fold lost cells')
    runs++
  }
  return { usPerEvent: fastest / events.length, events: events.length, runs }
}

interface PgFigures {
  msPerAppend: number
  dbCpuMsPerAppend: number
  nodeCpuMsPerAppend: number
  appends: number
}

async function inPostgres(
  cluster: PgCluster,
  url: string,
  size: Size,
  n: number,
  sample: number | null,
): Promise<PgFigures> {
  const pool = createPgPool({ databaseUrl: url, max: 4 })
  const queue = createPgJobQueue({ pool, now: () => Date.parse(AT), logger: createSilentLogger() })
  try {
    const job = spec(n, size)
    await queue.enqueue(job, { latestPublishedAsOf: '2026-11-30' })
    const claimed = await queue.claim()
    if (!claimed) throw new Error('no job claimed')
    await claimed.release()
    const step = sample === null ? 1 : Math.max(1, Math.floor(job.cells.length / sample))
    const picked = job.cells.filter((_, i) => i % step === 0).slice(0, sample ?? undefined)
    const db0 = databaseCpu(cluster)
    const node0 = process.cpuUsage()
    const t0 = performance.now()
    let appends = 0
    for (const [i, c] of picked.entries()) {
      for (const e of cellEvents(c.date, c.districtId, i)) {
        await queue.append(job.backfillId, [e])
        appends++
      }
    }
    const wall = performance.now() - t0
    const node = process.cpuUsage(node0)
    const db = databaseCpu(cluster) - db0
    return {
      msPerAppend: wall / appends,
      dbCpuMsPerAppend: (db * 1000) / appends,
      nodeCpuMsPerAppend: (node.user + node.system) / 1000 / appends,
      appends,
    }
  } finally {
    await queue.close()
    await pool.end()
  }
}

export interface LedgerRow {
  name: string
  value: string
  note: string
}

export async function ledgerRows(argv: readonly string[]): Promise<LedgerRow[]> {
  const quick = argv.includes('--quick')
  const sizes: Size[] = quick
    ? [
        { dates: 30, districts: 20 },
        { dates: 120, districts: 50 },
      ]
    : [
        { dates: 30, districts: 20 },
        { dates: 100, districts: 50 },
        { dates: 365, districts: 128 },
      ]
  const si = argv.indexOf('--pg-sample')
  const sample = si === -1 ? null : Number(argv[si + 1])
  if (sample !== null && !(Number.isInteger(sample) && sample > 0)) {
    process.stderr.write(
      `--pg-sample must be a whole number of cells, 1 or more (got ${argv[si + 1]})\n`,
    )
    process.exit(64)
  }
  // Every cell of the largest size in PostgreSQL takes minutes; the quick run stops below it.
  const pgSizes =
    sample === null && !quick ? sizes.slice(0, 2).concat({ dates: 200, districts: 100 }) : sizes
  const rows: LedgerRow[] = []
  const details: Record<string, unknown>[] = []
  const label = (s: Size) => `${s.dates}×${s.districts} (${s.dates * s.districts} cells)`

  // Warm-up, so the smallest size does not carry the JIT's first compilations.
  inProcess(sizes[1] as Size, 0)
  const inProc = sizes.map((s, i) => inProcess(s, i + 1))
  sizes.forEach((s, i) => {
    const r = inProc[i] as { usPerEvent: number; events: number; runs: number }
    rows.push({
      name: `ledger in process, ${label(s)}`,
      value: `${r.usPerEvent.toFixed(2)} µs`,
      note: `per event, the fastest of ${r.runs} folds of ${r.events} events`,
    })
  })
  const ratioIn = (inProc.at(-1)?.usPerEvent ?? 0) / (inProc[0]?.usPerEvent ?? 1)
  rows.push({
    name: 'ledger in process, largest / smallest per event',
    value: `${ratioIn.toFixed(2)}×`,
    note: '1.0 = linear in cells',
  })

  const cluster = await startPgCluster()
  try {
    const url0 = await createDatabase(cluster, 'ledger_warm')
    const warm = createPgPool({ databaseUrl: url0, max: 2 })
    await migrate(warm)
    await warm.end()
    await inPostgres(cluster, url0, sizes[0] as Size, 0, 20)
    const pgFigures: PgFigures[] = []
    for (const [i, s] of pgSizes.entries()) {
      const url = await createDatabase(cluster, `ledger_${i}`)
      const p = createPgPool({ databaseUrl: url, max: 2 })
      await migrate(p)
      await p.end()
      const f = await inPostgres(cluster, url, s, i + 1, sample)
      pgFigures.push(f)
      details.push({ size: s, pg: f })
      rows.push({
        name: `ledger in PostgreSQL, ${label(s)}`,
        value: `${f.msPerAppend.toFixed(2)} ms`,
        note: `per append${sample === null ? ', whole job' : `, ${sample} cells`}, wall; CPU database ${f.dbCpuMsPerAppend.toFixed(2)} ms, this process ${f.nodeCpuMsPerAppend.toFixed(2)} ms (${f.appends} appends)`,
      })
    }
    const cost = (f: PgFigures | undefined) => (f ? f.dbCpuMsPerAppend + f.nodeCpuMsPerAppend : 0)
    rows.push({
      name: 'ledger in PostgreSQL, largest / smallest per append',
      value: `${(cost(pgFigures.at(-1)) / Math.max(cost(pgFigures[0]), 1e-9)).toFixed(2)}×`,
      note: 'CPU (database + this process); 1.0 = linear in cells',
    })
  } finally {
    await cluster.stop()
  }
  details.push({ inProcess: sizes.map((size, i) => ({ size, ...inProc[i] })) })
  const i = argv.indexOf('--json')
  if (i !== -1 && argv[i + 1])
    await writeFile(argv[i + 1] as string, `${JSON.stringify({ rows, details }, null, 2)}\n`)
  return rows
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await ledgerRows(process.argv.slice(2))
  const width = Math.max(...rows.map((r) => r.name.length))
  for (const r of rows)
    process.stdout.write(`${r.name.padEnd(width)}  ${r.value.padStart(10)}  ${r.note}\n`)
}
