/**
 * Collection cost next to the network's (docs/performance.md#collection-cost): the product
 * (server in its own process) against a floor script (bench/floor.mjs) fetching exactly the
 * URLs the product fetched, with the same concurrency, from the simulator in a third process.
 * Product CPU = user + sys of the server process over the job (from /proc), floor CPU = the
 * floor process's own, whole. Median of `runs`.
 *
 *   npm run bench -- [--quick] [--runs N] [--json FILE]   (or tsx bench/collection-cost.ts …)
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { gzipSync } from 'node:zlib'
import { COMPILED_SERVER, buildState } from '../bin/build-stamp.js'
import { NODE_FLAGS } from '../bin/node-flags.js'
import { buildNode } from '../scripts/build-node.ts'
import { parseReportBody } from '../src/server/upstream/reports/parse-report.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
export const TODAY = '2026-11-29'
export const IN_FLIGHT = 8
/** The job page polls a running job once a second (JOB_POLL_MS in src/web/api/queries.ts). */
const PAGE_POLL_MS = 1000
const CLK_TCK = 100

interface Sizes {
  perDistrict: { dates: number; districts: number }
  systemWide: number
  rss: [number, number]
}
const FULL: Sizes = { perDistrict: { dates: 90, districts: 10 }, systemWide: 365, rss: [30, 365] }
const QUICK: Sizes = { perDistrict: { dates: 20, districts: 4 }, systemWide: 60, rss: [30, 120] }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
    })
  })
}

async function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString()
      const nl = text.indexOf('\n')
      if (nl >= 0) resolve(text.slice(0, nl))
    })
    child.once('exit', (code) => reject(new Error(`exited ${code} before answering`)))
  })
}

const tsx = (script: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT) =>
  spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })

/** user + sys CPU ms and peak RSS of a live process. */
export async function procUsage(pid: number): Promise<{ cpuMs: number; peakRssMiB: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12])
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return { cpuMs: (ticks * 1000) / CLK_TCK, peakRssMiB: hwm / 1024 }
}

interface Sim {
  url: string
  log(): Promise<{ url: string; status: number; bytes: number }[]>
  clear(): Promise<void>
  close(): void
}

export async function startSim(): Promise<Sim> {
  const child = tsx('bench/sim-process.ts', [TODAY])
  const { url } = JSON.parse(await firstLine(child)) as { url: string }
  return {
    url,
    log: async () =>
      (
        (await (await fetch(`${url}/__sim/log`)).json()) as {
          entries: Awaited<ReturnType<Sim['log']>>
        }
      ).entries,
    clear: async () => void (await fetch(`${url}/__sim/log`, { method: 'DELETE' })),
    close: () => child.kill(),
  }
}

interface Product {
  url: string
  dataDir: string
  pid: number
  close(): Promise<void>
}

export interface ProductOptions {
  /** Another checkout to measure (a before/after comparison): run through tsx from there. */
  root?: string
  /** Write a `--cpu-prof` profile into this directory. */
  profileDir?: string | null
}

/**
 * The server as production runs it (`npm start`: the compiled build, docs/architecture.md#build),
 * or another checkout's server from its sources; with `--cpu-prof` into `profileDir` when given.
 */
export async function startProduct(simUrl: string, options: ProductOptions = {}): Promise<Product> {
  const root = options.root ?? ROOT
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-cost-'))
  const port = await freePort()
  const flags = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : []
  const entry =
    root === ROOT ? [...NODE_FLAGS, COMPILED_SERVER] : ['--import', 'tsx', 'src/server/main.ts']
  const child = spawn(process.execPath, [...flags, ...entry], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TOASTMASTERS_DASHBOARD_URL: simUrl,
      UPSTREAM_MAX_REQUESTS: '0',
      UPSTREAM_MAX_CONCURRENT: String(IN_FLIGHT),
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  child.stdout?.resume()
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.status < 500,
      () => false,
    )
    if (ok) break
    if (i > 600) throw new Error('server did not start')
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    dataDir,
    pid: child.pid!,
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      // SIGINT: the server shuts down cleanly, so --cpu-prof writes its profile.
      child.kill('SIGINT')
      await exited
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * `POST /api/districts/backfill` on the server at `url`; the answer's JSON when its status is
 * `status` (202 a job started, 200 a dry run's plan), an error with the answer's text otherwise.
 */
export async function postBackfill<T>(url: string, body: unknown, status: 200 | 202): Promise<T> {
  const res = await fetch(`${url}/api/districts/backfill`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (res.status !== status) throw new Error(`backfill answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as T
}

/** Starts a backfill on the server at `url` and polls it (every `pollMs`) until it ends. */
export async function runJob(url: string, body: unknown, pollMs = 100) {
  const job = await postBackfill<{ backfillId: string }>(url, body, 202)
  for (;;) {
    const j = (await (await fetch(`${url}/api/districts/backfill/${job.backfillId}`)).json()) as {
      status: string
      progress: { total: number; completed: number; skipped: number; failed: number }
    }
    if (!['queued', 'processing'].includes(j.status)) return j
    await new Promise((r) => setTimeout(r, pollMs))
  }
}

export function isoMinusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10)
}

async function runFloor(
  urls: string[],
): Promise<{ cpuMs: number; wallMs: number; bytes: number; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tmb-floor-'))
  const list = path.join(dir, 'urls.json')
  await writeFile(list, JSON.stringify(urls))
  const t = performance.now()
  const child = spawn(process.execPath, ['bench/floor.mjs', list, dir, String(IN_FLIGHT)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const out = JSON.parse(await firstLine(child)) as { cpuMs: number; bytes: number }
  await new Promise((r) => child.once('exit', r))
  return { ...out, wallMs: performance.now() - t, dir }
}

async function dirBytes(
  dir: string,
  match: (name: string) => boolean,
): Promise<{ bytes: number; files: number }> {
  let bytes = 0
  let files = 0
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !match(e.name)) continue
    bytes += (await stat(path.join(e.parentPath, e.name))).size
    files++
  }
  return { bytes, files }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

interface Run {
  productCpuMs: number
  productWallMs: number
  floorCpuMs: number
  floorWallMs: number
  /** Requests the job made for its cells (answered 200; the live-status request left out). */
  requests: number
  /** Requests the product's own dry-run plan said the job would make for its cells. */
  planned: number
  /** The count worked out from the scenario's size (dates, districts, reports per district). */
  expected: number
  /** Live-status requests, the dry run's and the job's together. */
  liveStatusRequests: number
  rerunCpuMs: number
  rerunRequests: number
  peakRssMiB: number
  districtBytes: number
  districtFiles: number
  rawBytes: number
  gzipBytes: number
  gzipCpuMs: number
  rawFiles: number
}

/** The requests for its cells the product's dry run plans for `job` (its `requests.total`). */
async function plannedRequests(url: string, job: Record<string, unknown>): Promise<number> {
  const plan = await postBackfill<{ requests: { total: number; exact: boolean } }>(
    url,
    { ...job, dryRun: true },
    200,
  )
  if (!plan.requests.exact) throw new Error('the dry run says its request count is not exact')
  return plan.requests.total
}

/**
 * The live-status request: the root path's summary with no dates (`districtsummary~~~{PY}`),
 * which tells the client the newest as-of and the live program year (docs/upstream.md#client-recipe).
 * The plan needs it before it can count anything; it is cached for 10 minutes.
 */
const isLiveStatus = (e: { url: string }) =>
  /^districtsummary~~~/.test(new URL(e.url, 'http://sim').searchParams.get('report') ?? '')

async function scenario(
  sim: Sim,
  job: Record<string, unknown>,
  expected: number,
  profileDir: string | null,
): Promise<Run> {
  const product = await startProduct(sim.url, { profileDir })
  try {
    await sim.clear()
    const planned = await plannedRequests(product.url, job)
    const planLog = await sim.log()
    await sim.clear()
    const before = await procUsage(product.pid)
    const t = performance.now()
    const done = await runJob(product.url, job, PAGE_POLL_MS)
    const productWallMs = performance.now() - t
    const after = await procUsage(product.pid)
    if (done.status !== 'complete')
      throw new Error(`job ${done.status}: ${JSON.stringify(done.progress)}`)
    const log = (await sim.log()).filter((e) => e.status === 200)
    await sim.clear()
    const rerunBefore = await procUsage(product.pid)
    await runJob(product.url, job, PAGE_POLL_MS)
    const rerunAfter = await procUsage(product.pid)
    const rerunRequests = (await sim.log()).length
    const district = await dirBytes(path.join(product.dataDir, 'snapshots'), (n) =>
      /^district_.*\.json$/.test(n),
    )
    const floor = await runFloor(log.map((e) => new URL(e.url, sim.url).toString()))
    let gzipBytes = 0
    const g0 = process.cpuUsage()
    const bodies = (await readdir(floor.dir)).filter((n) => n.endsWith('.csv'))
    for (const n of bodies) gzipBytes += gzipSync(await readFile(path.join(floor.dir, n))).length
    const g = process.cpuUsage(g0)
    await rm(floor.dir, { recursive: true, force: true })
    return {
      productCpuMs: after.cpuMs - before.cpuMs,
      productWallMs,
      floorCpuMs: floor.cpuMs,
      floorWallMs: floor.wallMs,
      requests: log.filter((e) => !isLiveStatus(e)).length,
      planned,
      expected,
      liveStatusRequests: [...planLog, ...log].filter(isLiveStatus).length,
      rerunCpuMs: rerunAfter.cpuMs - rerunBefore.cpuMs,
      rerunRequests,
      peakRssMiB: after.peakRssMiB,
      districtBytes: district.bytes,
      districtFiles: district.files,
      rawBytes: floor.bytes,
      gzipBytes,
      gzipCpuMs: (g.user + g.system) / 1000,
      rawFiles: bodies.length,
    }
  } finally {
    await product.close()
  }
}

async function districtIds(sim: Sim, n: number): Promise<string[]> {
  const asOf = isoMinusDays(TODAY, 2)
  const [y, m, d] = asOf.split('-')
  const res = await fetch(
    `${sim.url}/export.aspx?type=CSV&report=districtsummary%7E${m}%2F${d}%2F${y}%7E%7E2026-2027`,
  )
  const parsed = parseReportBody('districtsummary', await res.text())
  const ids = parsed.rows.map((r) => (r as unknown as { district: string | null }).district ?? '')
  return ids.filter((id) => /^\d+$/.test(id)).slice(0, n)
}

export interface CollectionCost {
  size: 'quick' | 'full'
  runs: number
  scenarios: Record<string, Record<string, number>>
}

export const SCENARIOS = ['per-district', 'system-wide', 'rss'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

export async function collectionCost(opts: {
  quick: boolean
  runs: number
  scenarios: readonly ScenarioName[]
  profileDir: string | null
}): Promise<CollectionCost> {
  const sizes = opts.quick ? QUICK : FULL
  if (buildState() !== 'fresh') await buildNode()
  if (opts.profileDir) await mkdir(opts.profileDir, { recursive: true })
  const sim = await startSim()
  const end = isoMinusDays(TODAY, 2)
  try {
    const ids = await districtIds(sim, sizes.perDistrict.districts)
    const perDistrict = {
      startDate: isoMinusDays(end, sizes.perDistrict.dates - 1),
      endDate: end,
      targetDistricts: ids,
      collectionType: 'per-district',
      concurrency: IN_FLIGHT,
    }
    const systemWide = (dates: number) => ({
      startDate: isoMinusDays(end, dates - 1),
      endDate: end,
      collectionType: 'system-wide',
      concurrency: IN_FLIGHT,
    })
    const scenarios: CollectionCost['scenarios'] = {}
    const summarize = (name: string, runs: Run[]) => {
      const m = (k: keyof Run) => median(runs.map((r) => r[k]))
      const s = {
        productCpuMs: m('productCpuMs'),
        floorCpuMs: m('floorCpuMs'),
        cpuRatio: median(runs.map((r) => r.productCpuMs / r.floorCpuMs)),
        productWallMs: m('productWallMs'),
        floorWallMs: m('floorWallMs'),
        requests: m('requests'),
        planned: m('planned'),
        expected: m('expected'),
        liveStatusRequests: m('liveStatusRequests'),
        rerunCpuPercent: median(runs.map((r) => (100 * r.rerunCpuMs) / r.productCpuMs)),
        rerunRequests: m('rerunRequests'),
        peakRssMiB: m('peakRssMiB'),
        districtBytesPerFile: m('districtBytes') / Math.max(1, m('districtFiles')),
        rawBytes: m('rawBytes'),
        gzipRatio: m('gzipBytes') / m('rawBytes'),
        gzipCpuMsPerBody: m('gzipCpuMs') / m('rawFiles'),
      }
      scenarios[name] = s
      process.stderr.write(`  ${name}: ${JSON.stringify(s)}\n`)
    }
    const repeat = async (job: Record<string, unknown>, planned: number) => {
      const runs: Run[] = []
      for (let i = 0; i < opts.runs; i++)
        runs.push(await scenario(sim, job, planned, opts.profileDir))
      return runs
    }
    const pd = sizes.perDistrict
    if (opts.scenarios.includes('per-district')) {
      // Per date: the summary, then club, division and district reports of each district.
      const pdRuns = await repeat(perDistrict, pd.dates * (1 + 3 * pd.districts))
      summarize(`per-district ${pd.dates} x ${pd.districts}`, pdRuns)
      const raw = median(
        pdRuns.map((r) => (r.rawBytes * (3 * pd.districts)) / (1 + 3 * pd.districts)),
      )
      scenarios[`per-district ${pd.dates} x ${pd.districts}`]!.rawCsvBytesPerDistrictDate =
        raw / (pd.dates * pd.districts)
    }
    if (opts.scenarios.includes('system-wide'))
      summarize(
        `system-wide ${sizes.systemWide} x all`,
        await repeat(systemWide(sizes.systemWide), sizes.systemWide),
      )
    if (opts.scenarios.includes('rss'))
      for (const dates of sizes.rss) {
        const r = await scenario(sim, systemWide(dates), dates, null)
        scenarios[`system-wide ${dates} dates, one run`] = { peakRssMiB: r.peakRssMiB }
      }
    return { size: opts.quick ? 'quick' : 'full', runs: opts.runs, scenarios }
  } finally {
    sim.close()
  }
}

function parseArgs(argv: readonly string[]): {
  quick: boolean
  runs: number
  json: string
  scenarios: ScenarioName[]
  profileDir: string | null
} {
  const value = (flag: string) => {
    const i = argv.indexOf(flag)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const runsText = value('--runs') ?? '3'
  const runs = Number(runsText)
  if (!Number.isInteger(runs) || runs < 1 || runs > 9)
    throw new Error(`--runs must be a whole number from 1 to 9 (got ${JSON.stringify(runsText)})`)
  const scenarioText = value('--scenarios') ?? SCENARIOS.join(',')
  const scenarios = scenarioText.split(',')
  for (const s of scenarios)
    if (!(SCENARIOS as readonly string[]).includes(s))
      throw new Error(
        `--scenarios must be a comma-separated list of ${SCENARIOS.join(', ')} (got ${JSON.stringify(s)})`,
      )
  const profileDir = value('--cpu-prof')
  return {
    quick: argv.includes('--quick'),
    runs,
    json: value('--json') ?? path.join(ROOT, 'test-artifacts', 'collection-cost.json'),
    scenarios: scenarios as ScenarioName[],
    profileDir: profileDir ? path.resolve(profileDir) : null,
  }
}

/** Runs the comparison, writes its JSON and returns table rows for bench/run.ts. */
export async function collectionCostRows(
  argv: readonly string[],
): Promise<{ name: string; value: string; note: string }[]> {
  const args = parseArgs(argv)
  const result = await collectionCost(args)
  await mkdir(path.dirname(args.json), { recursive: true })
  await writeFile(args.json, `${JSON.stringify(result, null, 2)}\n`)
  const note = `${result.size} size, median of ${result.runs}; ${args.json}`
  const rows: { name: string; value: string; note: string }[] = []
  for (const [name, s] of Object.entries(result.scenarios)) {
    if (s.cpuRatio === undefined) {
      rows.push({
        name: `peak RSS of the server, ${name}`,
        value: `${s.peakRssMiB!.toFixed(0)} MiB`,
        note: `${result.size} size`,
      })
      continue
    }
    rows.push({
      name: `${name}: product / floor CPU`,
      value: `${s.cpuRatio.toFixed(2)}x`,
      note: `${(s.productCpuMs! / 1000).toFixed(2)} s vs ${(s.floorCpuMs! / 1000).toFixed(2)} s; wall ${(s.productWallMs! / 1000).toFixed(1)} s vs ${(s.floorWallMs! / 1000).toFixed(1)} s; ${s.requests} requests for the cells, the dry run's plan ${s.planned} (counted from the scenario: ${s.expected}), + ${s.liveStatusRequests} live-status request (the plan's own); ${note}`,
    })
    rows.push({
      name: `${name}: re-run (skip-existing) CPU`,
      value: `${s.rerunCpuPercent!.toFixed(1)} %`,
      note: `of the original job; ${s.rerunRequests} upstream requests`,
    })
    if (s.rawCsvBytesPerDistrictDate !== undefined)
      rows.push({
        name: `${name}: district file / raw CSV per district-date`,
        value: `${(s.districtBytesPerFile! / s.rawCsvBytesPerDistrictDate).toFixed(2)}x`,
        note: `${(s.districtBytesPerFile! / 1024).toFixed(1)} KiB vs ${(s.rawCsvBytesPerDistrictDate / 1024).toFixed(1)} KiB; gzip of raw bodies ${(100 * s.gzipRatio!).toFixed(0)} % at ${s.gzipCpuMsPerBody!.toFixed(2)} ms CPU per body`,
      })
  }
  return rows
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await collectionCostRows(process.argv.slice(2)))
    process.stdout.write(`${r.name}  ${r.value}  ${r.note}\n`)
}
