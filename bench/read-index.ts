/**
 * Reads at archive scale (docs/performance.md#coverage-and-series-reads): a data dir of 365
 * dates × 128 districts, then `/api/coverage` and the two series endpoints polled by 50
 * concurrent clients through the real server. Run alone with
 * `npx tsx bench/read-index.ts [--seconds 15] [--pollers 50] [--interval-ms 1000] [--no-revalidate]`, or in `npm run bench -- --only coverage`.
 *
 * The data: one real full-detail district file and one real all-districts file, collected from
 * the simulator, copied to every date (and, for the summary-level files of the other 127
 * districts, to every district), so sizes and parsing cost are those of collected data.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { NODE_FLAGS } from '../bin/node-flags.js'
import { loadConfig } from '../src/server/config.ts'
import { createSilentLogger } from '../src/server/logger.ts'
import { summaryStatsByDistrict } from '../src/server/normalize/index.ts'
import { startServer } from '../src/server/serve.ts'
import { createFileSnapshotStore } from '../src/server/storage/index.ts'
import { nodeStorageFs } from '../src/server/storage/storage-fs.ts'
import type { AllDistrictsFile, DistrictFile } from '../src/shared/snapshot-types.ts'
import { eachDate, yearMonthOf } from '../src/shared/iso-date.ts'
import type { IsoDate } from '../src/shared/iso-date.ts'
import { startSimulator } from '../src/sim/index.ts'
import { browserGet } from './browser-get.ts'
import { procUsage, runJob } from './collection-cost.ts'

type Record = (name: string, value: string, note?: string) => void

const FROM = '2025-07-01'
const TO = '2026-06-30'
const IDS = Array.from({ length: 128 }, (_, i) => String(i + 1).padStart(2, '0'))
const SERIES_ID = '61'

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  const v = i === -1 ? NaN : Number(process.argv[i + 1])
  return Number.isFinite(v) && v > 0 ? v : fallback
}

/** One real district file of each detail and one all-districts file, from the simulator. */
async function collectTemplates() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-bench-tpl-'))
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
    const date = '2026-10-15'
    await runJob(server.url, { startDate: date, endDate: date, collectionType: 'system-wide' }, 20)
    await runJob(
      server.url,
      {
        startDate: date,
        endDate: date,
        targetDistricts: [SERIES_ID],
        collectionType: 'per-district',
      },
      20,
    )
    const store = server.services.store
    const [asOf] = (await store.listSnapshots()).map((s) => s.asOf)
    const ids = await store.listDistricts(asOf!)
    const full = await store.readDistrict(asOf!, SERIES_ID)
    const summary = await store.readDistrict(
      asOf!,
      ids.find((id) => id !== SERIES_ID)!,
    )
    const all = await store.readAllDistricts(asOf!)
    if (!full || full.detail !== 'full' || !summary || !all) throw new Error('no templates')
    return { full, summary, all }
  } finally {
    await server.close()
    await sim.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

function moved<T extends DistrictFile | AllDistrictsFile>(file: T, asOf: IsoDate): T {
  const text = JSON.stringify(file).replaceAll(file.asOf, asOf)
  return { ...(JSON.parse(text) as T), dataMonth: yearMonthOf(asOf) }
}

/** 365 dates × 128 districts, written through the file store (fsync off: setup only). */
async function buildArchive(dataDir: string) {
  const tpl = await collectTemplates()
  const store = createFileSnapshotStore({
    dataDir,
    toolVersion: 'bench',
    fs: { ...nodeStorageFs, fsync: async () => undefined },
    summaryStatsOf: summaryStatsByDistrict,
  } as Parameters<typeof createFileSnapshotStore>[0])
  const templateRow = tpl.all.rows.find((r) => r['DISTRICT']?.trim() === SERIES_ID)!
  for (const asOf of eachDate(FROM, TO)) {
    const all = moved(tpl.all, asOf)
    all.programYear = '2025-2026'
    all.rows = IDS.map((id, i) => ({
      ...templateRow,
      DISTRICT: id,
      'Paid Clubs': String(40 + ((i * 7 + asOf.length) % 90)),
    }))
    await store.writeAllDistricts(all)
    const files = IDS.map((id) => {
      const base = moved(id === SERIES_ID ? tpl.full : tpl.summary, asOf)
      return { ...base, districtId: id, programYear: '2025-2026' }
    })
    await store.writeDistricts(asOf, files, {
      dataMonth: yearMonthOf(asOf),
      programYear: '2025-2026',
      closingPeriod: false,
      requestedDate: asOf,
      jobId: 'bench',
    })
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

/** The server in its own process, so its CPU is its own. */
async function startServerProcess(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      ...NODE_FLAGS,
      '--import',
      'tsx',
      fileURLToPath(new URL('./read-index-server.ts', import.meta.url)),
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let text = ''
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString()
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')))
    })
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)))
  })
  return { url, child }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * `pollers` clients, each asking for `url`, waiting for the whole answer, then asking again at
 * its next `intervalMs` tick (the page polls; 0 = at once), for `seconds`.
 */
async function poll(
  url: string,
  pid: number,
  pollers: number,
  seconds: number,
  intervalMs: number,
  revalidate: boolean,
) {
  const latencies: number[] = []
  const fullLatencies: number[] = []
  let wireBytes = 0
  let revalidated = 0
  const agent = new http.Agent({ keepAlive: true, maxSockets: pollers })
  const cpu0 = (await procUsage(pid)).cpuMs
  const t0 = performance.now()
  const until = t0 + seconds * 1000
  await Promise.all(
    Array.from({ length: pollers }, async (_, i) => {
      // Spread the first requests over one interval, as independent pages would be.
      await sleep((intervalMs * i) / pollers)
      // A browser revalidates an answer sent with an ETag and no-cache (If-None-Match) and keeps
      // its copy on a 304; --no-revalidate asks for the whole answer each time.
      let etag: string | null = null
      do {
        const t = performance.now()
        const res = await browserGet(agent, url, revalidate ? etag : null)
        if (res.status !== 200 && res.status !== 304) throw new Error(`${url}: ${res.status}`)
        const ms = performance.now() - t
        latencies.push(ms)
        if (res.status === 200) {
          wireBytes = res.wire.length
          etag = res.etag
          fullLatencies.push(ms)
        } else revalidated++
        if (intervalMs > 0) await sleep(Math.max(0, intervalMs - ms))
      } while (performance.now() < until)
    }),
  )
  agent.destroy()
  const cpuMs = (await procUsage(pid)).cpuMs - cpu0
  const wall = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  fullLatencies.sort((a, b) => a - b)
  return {
    requests: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    fullP50: percentile(fullLatencies, 50),
    fullP99: percentile(fullLatencies, 99),
    perSecond: latencies.length / wall,
    cpuMsPerRequest: cpuMs / latencies.length,
    wireBytes,
    revalidated,
  }
}

export async function benchReadIndex(record: Record) {
  const seconds = argNumber('--seconds', 15)
  const pollers = argNumber('--pollers', 50)
  const intervalMs = argNumber('--interval-ms', 1000)
  const revalidate = !process.argv.includes('--no-revalidate')
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-bench-archive-'))
  try {
    const t = performance.now()
    await buildArchive(dataDir)
    record(
      'archive built: 365 dates x 128 districts',
      `${((performance.now() - t) / 1000).toFixed(0)} s`,
    )
    const started = performance.now()
    const { url: base, child } = await startServerProcess(dataDir)
    record(
      'server start on the archive (to listening)',
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
      `${((await procUsage(child.pid!)).cpuMs / 1000).toFixed(1)} s server CPU, start-up included`,
    )
    try {
      const urls = {
        coverage: `${base}/api/coverage?from=${FROM}&to=${TO}`,
        'district series': `${base}/api/districts/${SERIES_ID}/series?from=${FROM}&to=${TO}`,
        'all-districts series': `${base}/api/all-districts/series?from=${FROM}&to=${TO}&measure=paidClubs`,
      }
      for (const [name, url] of Object.entries(urls)) {
        const c0 = (await procUsage(child.pid!)).cpuMs
        const t1 = performance.now()
        await browserGet(new http.Agent(), url, null)
        const c1 = (await procUsage(child.pid!)).cpuMs
        record(
          `${name}: first request after start`,
          `${(performance.now() - t1).toFixed(0)} ms`,
          `${(c1 - c0).toFixed(0)} ms server CPU`,
        )
        const r = await poll(url, child.pid!, pollers, seconds, intervalMs, revalidate)
        record(
          `${name}: ${pollers} pollers every ${intervalMs} ms, 365 x 128`,
          `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
          `whole answers (200) p50 ${r.fullP50.toFixed(1)} ms, p99 ${r.fullP99.toFixed(1)} ms; ${r.requests} requests (${r.revalidated} answered 304), ${r.perSecond.toFixed(1)}/s, ${r.cpuMsPerRequest.toFixed(2)} ms server CPU per request, ${(r.wireBytes / 1024).toFixed(1)} KiB on the wire, load ${loadavg()[0]!.toFixed(1)}`,
        )
      }
      record('server peak RSS', `${(await procUsage(child.pid!)).peakRssMiB.toFixed(0)} MiB`)
    } finally {
      child.kill('SIGTERM')
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchReadIndex((name, value, note = '') =>
    process.stdout.write(`${name}: ${value} ${note}\n`),
  )
}
