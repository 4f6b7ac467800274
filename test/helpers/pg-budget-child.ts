/**
 * One "worker process" for the shared-budget tests: builds the PostgreSQL-backed scheduler the
 * way the server does (src/server/pg/pg-budget.ts) and sends COUNT export requests to TARGET_URL
 * (tagged `&lane=…&i=…`), on lane LANE; with REFRESH_AFTER_MS also one request on the refresh's priority lane that long after
 * the first start. Each request claims its grant's permit right before the fetch (as the HTTP
 * client does) and reports the answer's status and Retry-After to the scheduler (as resilience
 * does), so a 429 or a 5xx is shared through the budget. Prints one JSON line per start (and when
 * the refresh asked), then `{"done":…}` with its acquire latencies and the grants it gave back.
 * Starts in lockstep with its siblings: connects, prints `{"ready":LANE}` and sends nothing until
 * a line arrives on stdin (test/helpers/pg-budget-run.ts writes it once every child is ready).
 *
 * Env: DATABASE_URL, TARGET_URL, COUNT, LANE, MAX_REQUESTS, WINDOW_MS, REFRESH_AFTER_MS.
 */
import { createInterface } from 'node:readline'
import { createUpstreamScheduler } from '../../src/server/politeness/index.ts'
import { createDatabaseHealth } from '../../src/server/pg/database-health.ts'
import { createPgBudget } from '../../src/server/pg/pg-budget.ts'
import { createPgPool } from '../../src/server/pg/pool.ts'
import { parseRetryAfter } from '../../src/server/upstream/index.ts'

const env = (name: string): string => {
  const v = process.env[name]
  if (v === undefined) throw new Error(`${name} is required`)
  return v
}
const target = new URL(env('TARGET_URL'))
const lane = env('LANE')
const refreshAfterMs = process.env.REFRESH_AFTER_MS
const pool = createPgPool({ databaseUrl: env('DATABASE_URL'), max: 2 })
const health = createDatabaseHealth()
const budget = createPgBudget({ pool, health, processId: lane })
const scheduler = createUpstreamScheduler({
  maxRequests: Number(env('MAX_REQUESTS')),
  windowMs: Number(env('WINDOW_MS')),
  maxConcurrent: 4,
  budget,
})

/** A real export (the latest district summary), so the simulator's fault rules apply to it. */
const EXPORT_PATH = '/export.aspx?type=CSV&report=districtsummary~~~2026-2027'

const print = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`)

function send(i: number, requestLane: string, priority: boolean): Promise<void> {
  return scheduler.schedule(
    target.host,
    async (signal, permit) => {
      if (!permit.claim()) throw new Error('grant expired before the send')
      print({ start: Date.now(), lane: requestLane, i })
      const res = await fetch(new URL(`${EXPORT_PATH}&lane=${requestLane}&i=${i}`, target), {
        signal,
      })
      await res.arrayBuffer()
      scheduler.reportOutcome(target.host, {
        status: res.status,
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), Date.now()),
      })
    },
    { lane: requestLane, priority },
  )
}

async function main(): Promise<void> {
  await pool.query('SELECT 1')
  print({ ready: lane })
  await new Promise<void>((resolve) => {
    const go = createInterface({ input: process.stdin })
    go.once('line', () => {
      go.close()
      resolve()
    })
  })
  const requests = Array.from({ length: Number(env('COUNT')) }, (_, i) => send(i, lane, false))
  if (refreshAfterMs !== undefined) {
    await new Promise((r) => setTimeout(r, Number(refreshAfterMs)))
    print({ refreshAsked: Date.now() })
    requests.push(send(0, 'refresh', true))
  }
  await Promise.all(requests)
  // The audit writes (sent_at, released_at) are fire-and-forget: wait for them to land.
  await budget.flush()
  print({ done: lane, latencies: budget.latencies(), givenBack: budget.givenBack() })
  scheduler.close()
  await pool.end()
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
