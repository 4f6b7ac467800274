/**
 * Job view latency with 50 pollers (docs/performance.md#job-view): the server in its own process
 * runs a system-wide job (365 dates × all districts; 60 with `--quick`) from the simulator in a
 * third process, while 50 pollers each GET the job, wait `--poll-ms` (default 1000, a page's
 * polling) and GET again, revalidating what it holds as a browser does (If-None-Match; a 304
 * keeps its copy), with a browser's kept-alive connection and `Accept-Encoding: br, gzip`
 * (bench/browser-get.ts). Latencies are of whole GETs (request sent to the body's last byte; the
 * body is decoded after that, as a browser's own work) from this process, while the job runs and
 * for a few seconds after it ended. `--product-root DIR` measures the server of another checkout (before).
 *
 *   npm run bench -- --only jobview [--quick] [--poll-ms N] [--product-root DIR]
 */
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { browserGet, decoded } from './browser-get.ts'
import {
  IN_FLIGHT,
  TODAY,
  isoMinusDays,
  postBackfill,
  procUsage,
  startProduct,
  startSim,
} from './collection-cost.ts'

const POLLERS = 50
const AFTER_MS = 5_000

export interface JobViewLatency {
  dates: number
  cells: number
  bodyBytes: number
  running: Percentiles
  finished: Percentiles
  /** The server's CPU per GET after the job ended (only GETs then), ms. */
  finishedCpuMsPerGet: number
}

interface Percentiles {
  gets: number
  p50Ms: number
  p99Ms: number
}

function percentiles(ms: number[]): Percentiles {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return { gets: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99) }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function jobViewLatency(opts: {
  quick: boolean
  pollMs: number
  productRoot?: string
}): Promise<JobViewLatency> {
  const POLL_MS = opts.pollMs
  const dates = opts.quick ? 60 : 365
  const sim = await startSim()
  const product = await startProduct(sim.url, { root: opts.productRoot })
  try {
    const end = isoMinusDays(TODAY, 2)
    const { backfillId } = await postBackfill<{ backfillId: string }>(
      product.url,
      {
        startDate: isoMinusDays(end, dates - 1),
        endDate: end,
        collectionType: 'system-wide',
        concurrency: IN_FLIGHT,
      },
      202,
    )
    const url = `${product.url}/api/districts/backfill/${backfillId}`
    const agent = new http.Agent({ keepAlive: true, maxSockets: POLLERS })
    const running: number[] = []
    const finished: number[] = []
    let endedAt: number | null = null
    let last = { bytes: 0, cells: 0 }
    let endedCpu: Promise<{ cpuMs: number; gets: number }> | null = null
    const poller = async (i: number) => {
      // Staggered starts, so the pollers do not arrive in lockstep.
      await sleep((i * POLL_MS) / POLLERS)
      // As a browser polls an answer sent with an ETag and no-cache: it revalidates what it
      // holds (If-None-Match) and keeps its copy on a 304.
      let etag: string | null = null
      let held = ''
      for (;;) {
        const wasEnded = endedAt !== null
        const t = performance.now()
        const r = await browserGet(agent, url, etag)
        const ms = performance.now() - t
        if (r.status !== 200 && r.status !== 304)
          throw new Error(`GET job answered ${r.status}: ${decoded(r)}`)
        if (r.status === 200) {
          held = decoded(r)
          etag = r.etag
        }
        const text = held
        ;(wasEnded ? finished : running).push(ms)
        // The status leads the body; parsing 100 KB per GET here would load this process too.
        const status = /"status":"([a-z_]+)"/.exec(text)?.[1]
        if (endedAt === null && status !== 'queued' && status !== 'processing') {
          const job = JSON.parse(text) as { status: string; progress: { total: number } }
          if (job.status !== 'complete') throw new Error(`job ended ${job.status}`)
          endedAt = performance.now()
          endedCpu = procUsage(product.pid).then((u) => ({ cpuMs: u.cpuMs, gets: finished.length }))
          last = { bytes: Buffer.byteLength(text), cells: job.progress.total }
        }
        if (endedAt !== null && performance.now() - endedAt > AFTER_MS) return
        await sleep(POLL_MS)
      }
    }
    await Promise.all(Array.from({ length: POLLERS }, (_, i) => poller(i)))
    agent.destroy()
    const atEnd = await endedCpu!
    const cpuAfter = (await procUsage(product.pid)).cpuMs - atEnd.cpuMs
    return {
      finishedCpuMsPerGet: cpuAfter / Math.max(1, finished.length - atEnd.gets),
      dates,
      cells: last.cells,
      bodyBytes: last.bytes,
      running: percentiles(running),
      finished: percentiles(finished),
    }
  } finally {
    await product.close()
    sim.close()
  }
}

/** Table rows for bench/run.ts. */
export async function jobViewRows(
  argv: readonly string[],
): Promise<{ name: string; value: string; note: string }[]> {
  const i = argv.indexOf('--product-root')
  const productRoot = i >= 0 ? argv[i + 1] : undefined
  if (i >= 0 && !productRoot) throw new Error('--product-root needs a directory')
  const p = argv.indexOf('--poll-ms')
  const pollText = p >= 0 ? argv[p + 1] : '1000'
  const pollMs = Number(pollText)
  if (!Number.isInteger(pollMs) || pollMs < 10 || pollMs > 60_000)
    throw new Error(
      `--poll-ms must be a whole number from 10 to 60000 (got ${JSON.stringify(pollText)})`,
    )
  const r = await jobViewLatency({ quick: argv.includes('--quick'), pollMs, productRoot })
  const what = `system-wide ${r.dates} dates x all (${r.cells} cells, ${(r.bodyBytes / 1024).toFixed(0)} KiB body), ${POLLERS} pollers every ${pollMs} ms`
  const row = (phase: string, p: Percentiles) => ({
    name: `job view ${phase}: p50 / p99`,
    value: `${p.p50Ms.toFixed(1)} / ${p.p99Ms.toFixed(1)} ms`,
    note: `${what}; ${p.gets} GETs${productRoot ? `; server of ${productRoot}` : ''}`,
  })
  return [
    row('while running', r.running),
    row('after the end', r.finished),
    {
      name: 'job view after the end: server CPU per GET',
      value: `${r.finishedCpuMsPerGet.toFixed(2)} ms`,
      note: what,
    },
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await jobViewRows(process.argv.slice(2)))
    process.stdout.write(`${r.name}  ${r.value}  ${r.note}\n`)
}
