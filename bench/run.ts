/**
 * `npm run bench`: throughput and memory figures, printed as a table. Every upstream request
 * goes to the local simulator with no rate limit. The machines are shared and noisy: compare
 * ratios within one run, not absolute numbers across runs.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { loadConfig } from '../src/server/config.ts'
import { createSilentLogger } from '../src/server/logger.ts'
import { startServer } from '../src/server/serve.ts'
import { startSimulator } from '../src/sim/index.ts'
import { createDashboardClient } from '../src/server/upstream/index.ts'
import { normalizeFullDistrict } from '../src/server/normalize/index.ts'
import { benchPg } from './pg.ts'
import { benchReadIndex } from './read-index.ts'
import { collectionCostRows, runJob as runJobEvery } from './collection-cost.ts'
import { jobViewRows } from './job-view.ts'
import { ledgerRows } from './ledger.ts'

interface Row {
  name: string
  value: string
  note: string
}
const rows: Row[] = []
const record = (name: string, value: string, note = '') => {
  rows.push({ name, value, note })
  process.stderr.write(`  ${name}: ${value} ${note}\n`)
}

async function withStack<T>(
  fn: (ctx: {
    url: string
    sim: Awaited<ReturnType<typeof startSimulator>>
    dataDir: string
    server: Awaited<ReturnType<typeof startServer>>
  }) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-bench-'))
  const sim = await startSimulator({ seed: 5, today: '2026-11-29' })
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    TOASTMASTERS_DASHBOARD_URL: sim.url,
    UPSTREAM_MAX_REQUESTS: '0',
    UPSTREAM_MAX_CONCURRENT: '8',
    LOG_LEVEL: 'silent',
  })
  const server = await startServer(config, createSilentLogger())
  try {
    return await fn({ url: server.url, sim, dataDir, server })
  } finally {
    await server.close()
    await sim.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

/** Polls every 20 ms: the wall times below are of the jobs, not of the polling. */
const runJob = (url: string, body: unknown) => runJobEvery(url, body, 20)

async function benchBackfills() {
  await withStack(async ({ url, sim }) => {
    let peakRss = process.memoryUsage().rss
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20)
    let t = performance.now()
    const wide = await runJob(url, {
      startDate: '2026-09-01',
      endDate: '2026-09-30',
      collectionType: 'system-wide',
    })
    let s = (performance.now() - t) / 1000
    const requests = sim.requestLog().length
    record(
      'system-wide backfill, 30 days x all districts',
      `${(wide.progress.completed / s).toFixed(0)} cells/s`,
      `${wide.progress.completed} cells, ${requests} requests, ${s.toFixed(2)} s, ${wide.status}`,
    )
    sim.clearLog()
    t = performance.now()
    const full = await runJob(url, {
      startDate: '2026-10-01',
      endDate: '2026-10-31',
      targetDistricts: ['21', '61', '02'],
      collectionType: 'per-district',
      concurrency: 3,
    })
    s = (performance.now() - t) / 1000
    record(
      'per-district backfill, 31 days x 3 districts',
      `${(full.progress.completed / s).toFixed(1)} cells/s`,
      `${full.progress.completed} cells, ${sim.requestLog().length} requests, ${s.toFixed(2)} s, ${full.status}`,
    )
    sim.clearLog()
    t = performance.now()
    const again = await runJob(url, {
      startDate: '2026-10-01',
      endDate: '2026-10-31',
      targetDistricts: ['21', '61', '02'],
      collectionType: 'per-district',
    })
    s = (performance.now() - t) / 1000
    record(
      'same request again (skip-existing)',
      `${(again.progress.skipped / s).toFixed(0)} cells/s`,
      `${again.progress.skipped} skipped, ${sim.requestLog().length} upstream requests, ${s.toFixed(2)} s`,
    )
    clearInterval(sampler)
    record(
      'peak RSS during backfills (server + simulator in one process)',
      `${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
    )
  })
}

async function benchCoverageAndNormalize() {
  await withStack(async ({ url, sim, server }) => {
    await runJob(url, {
      startDate: '2026-06-01',
      endDate: '2026-11-28',
      collectionType: 'system-wide',
    })
    const t = performance.now()
    const n = 5
    for (let i = 0; i < n; i++)
      await server.services.store.coverage({ from: '2026-06-01', to: '2026-11-28' })
    const ms = (performance.now() - t) / n
    const dates = (await server.services.store.listSnapshots()).length
    record('coverage query, 181 days x all districts', `${ms.toFixed(1)} ms`, `${dates} snapshots`)

    const client = createDashboardClient({ baseUrl: sim.url })
    const get = async <R extends 'clubperformance' | 'divisionperformance' | 'districtperformance'>(
      report: R,
    ) => {
      const r = await client.fetchReport({ report, districtId: '61', asOf: '2026-11-28' })
      if (r.kind !== 'data') throw new Error('no data')
      return r.parsed
    }
    const reports = {
      club: await get('clubperformance'),
      division: await get('divisionperformance'),
      district: await get('districtperformance'),
    }
    const reps = 200
    const t2 = performance.now()
    for (let i = 0; i < reps; i++) normalizeFullDistrict('61', reports, null)
    record(
      'normalize one district (3 reports)',
      `${((performance.now() - t2) / reps).toFixed(2)} ms`,
      `${reports.club.rows.length} clubs`,
    )
  })
}

/** First paint of a 400 × 130 map, from clicking "Show" (includes fetching and parsing ≈2 MB). */
const MAP_PAINT_BUDGET_MS = 5000
/** Moving the focus or opening the inspector on that map. */
const MAP_INTERACTION_BUDGET_MS = 1500

/**
 * The page's coverage map at 400 × 130, as last measured by the browser test
 * (test/browser/coverage-and-district.test.ts writes test-artifacts/map-timing.json).
 */
async function pageTimings() {
  const file = new URL('../test-artifacts/map-timing.json', import.meta.url)
  let t: { firstPaintMs: number; keyMoveMs: number; openInspectorMs: number; measuredAt: string }
  try {
    t = JSON.parse(await readFile(file, 'utf8')) as typeof t
  } catch {
    record('coverage map 400 × 130', 'not measured', 'run the browser tests first')
    return
  }
  const against = (ms: number, budget: number) =>
    `${ms <= budget ? 'within' : 'OVER'} its budget of ${budget} ms; browser test, ${t.measuredAt}`
  record(
    'coverage map 400 × 130: first paint',
    `${t.firstPaintMs} ms`,
    against(t.firstPaintMs, MAP_PAINT_BUDGET_MS),
  )
  record(
    'coverage map 400 × 130: key move',
    `${t.keyMoveMs} ms`,
    against(t.keyMoveMs, MAP_INTERACTION_BUDGET_MS),
  )
  record(
    'coverage map 400 × 130: open inspector',
    `${t.openInspectorMs} ms`,
    against(t.openInspectorMs, MAP_INTERACTION_BUDGET_MS),
  )
}

/** The groups `--only a,b` picks from (default: all). */
const GROUPS = ['backfill', 'coverage', 'page', 'pg', 'cost', 'jobview', 'ledger'] as const
type Group = (typeof GROUPS)[number]

function groupsFromArgs(argv: readonly string[]): Group[] {
  const i = argv.indexOf('--only')
  if (i === -1) return [...GROUPS]
  const picked = (argv[i + 1] ?? '').split(',').filter(Boolean)
  const bad = picked.filter((g) => !(GROUPS as readonly string[]).includes(g))
  if (picked.length === 0 || bad.length > 0) {
    process.stderr.write(`--only must be a comma-separated list of ${GROUPS.join(', ')}\n`)
    process.exit(64)
  }
  return picked as Group[]
}

async function main() {
  const groups = groupsFromArgs(process.argv.slice(2))
  process.stderr.write('toastmasters-backfill benchmarks\n')
  const details: Record<string, unknown> = {}
  if (groups.includes('backfill')) await benchBackfills()
  if (groups.includes('coverage')) {
    await benchCoverageAndNormalize()
    // 365 × 128 with 50 pollers, server in its own process (docs/performance.md#coverage-and-series-reads).
    await benchReadIndex(record)
  }
  if (groups.includes('page')) await pageTimings()
  if (groups.includes('pg')) details.pg = await benchPg(record)
  // Product vs a fetch-and-write floor, each in its own process (docs/performance.md#collection-cost).
  if (groups.includes('cost'))
    for (const r of await collectionCostRows(process.argv.slice(2))) record(r.name, r.value, r.note)
  // Job view latency with 50 pollers (docs/performance.md#job-view).
  if (groups.includes('jobview'))
    for (const r of await jobViewRows(process.argv.slice(2))) record(r.name, r.value, r.note)
  // Ledger work per event at growing job sizes, in process and in PostgreSQL (docs/performance.md#ledger).
  if (groups.includes('ledger'))
    for (const r of await ledgerRows(process.argv.slice(2))) record(r.name, r.value, r.note)
  const width = Math.max(...rows.map((r) => r.name.length))
  process.stdout.write('\n')
  for (const r of rows)
    process.stdout.write(`${r.name.padEnd(width)}  ${r.value.padStart(12)}  ${r.note}\n`)
  // One JSON file per run: the table's rows and each group's raw figures.
  const dir = new URL('./results/', import.meta.url)
  await mkdir(dir, { recursive: true })
  const at = new Date().toISOString()
  const file = new URL(`bench-${at.replace(/[:.]/g, '-')}.json`, dir)
  await writeFile(file, `${JSON.stringify({ measuredAt: at, groups, rows, details }, null, 2)}\n`)
  process.stderr.write(`written ${path.relative(process.cwd(), file.pathname)}\n`)
}

await main()
