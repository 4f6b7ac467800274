/**
 * The budget holds across processes (docs/decisions/shared-budget.md): three OS processes, each
 * with its own PostgreSQL-backed scheduler, send requests to one simulator at
 * UPSTREAM_MAX_REQUESTS=5 per 1000 ms.
 *  - Exact: the starts the database granted (its own clock) never put more than 5 in any
 *    1-second window, and while work waited they came at 90% of the limit or more.
 *  - At the upstream: the simulator's log (arrival times) never has more than 5 in a 1-second
 *    window, allowing for the measured unevenness between a grant and its arrival (a loaded
 *    machine can delay one arrival and not the next; the grants show the decisions were right).
 *  - Priority: a refresh request asked for while the three saturate the budget is granted within
 *    one other grant of asking (≤ 2 spacings, ≈430 ms plus the acquire's latency).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { migrate } from '../../src/server/pg/migrate.ts'
import { createPgPool, type PgPool } from '../../src/server/pg/pool.ts'
import { startSimulator, type Simulator } from '../../src/sim/index.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/pg-database.ts'
import { densestWindow, maxInAnyWindow } from './request-timing.ts'

const CHILD = fileURLToPath(new URL('../helpers/pg-budget-child.ts', import.meta.url))
const MAX = 5
const WINDOW_MS = 1000
const PER_PROCESS = 14

let db: TestDatabase
let pool: PgPool
let sim: Simulator

beforeAll(async () => {
  db = await createTestDatabase('budgetmp')
  pool = createPgPool({ databaseUrl: db.url, max: 2 })
  await migrate(pool)
  sim = await startSimulator({ seed: 7 })
})

afterAll(async () => {
  await pool?.end()
  await sim?.close()
  await db?.drop()
})

type Line =
  | { start: number; lane: string; i: number }
  | { refreshAsked: number }
  | { done: string; latencies: number[] }

function runChild(lane: string, extra: Record<string, string> = {}): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        TARGET_URL: sim.url,
        COUNT: String(PER_PROCESS),
        LANE: lane,
        MAX_REQUESTS: String(MAX),
        WINDOW_MS: String(WINDOW_MS),
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${lane} exited ${code}: ${err}`))
      resolve(
        out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Line),
      )
    })
  })
}

it('three processes: ≤5 starts in any second, ≥90% of the rate while waiting, the refresh first', async () => {
  const outputs = await Promise.all([
    runChild('job-a'),
    runChild('job-b', { REFRESH_AFTER_MS: '2500' }),
    runChild('job-c'),
  ])
  const { rows } = await pool.query<{ ms: string; lane: string }>(
    `SELECT (extract(epoch FROM at) * 1000)::text AS ms, lane FROM upstream_grants ORDER BY at`,
  )
  const grants = rows.map((r) => ({ at: Number(r.ms), lane: r.lane }))
  expect(grants).toHaveLength(3 * PER_PROCESS + 1)

  // Exact: the database's decisions.
  const granted = grants.map((g) => g.at)
  expect(
    maxInAnyWindow(granted, WINDOW_MS),
    `densest grants: ${densestWindow(granted, WINDOW_MS).join(', ')}`,
  ).toBeLessThanOrEqual(MAX)
  // Work waited from the first grant to the last (42 requests of three processes at 5/s). The
  // first second is the three processes starting up (tsx), not waiting work: left out.
  const waiting = granted.filter((t) => t >= (granted[0] ?? 0) + 1000)
  const perSecond = ((waiting.length - 1) / ((waiting.at(-1) ?? 0) - (waiting[0] ?? 0))) * 1000
  expect(perSecond).toBeGreaterThanOrEqual(0.9 * MAX)

  // At the upstream: every request arrived; no window over the limit beyond what the arrivals'
  // own unevenness explains. The tolerance: the largest lateness of an arrival after its grant
  // beyond the smallest one (the grant → fetch → arrival path's jitter on this machine).
  const log = sim.requestLog().filter((e) => e.url.startsWith('/?lane='))
  expect(log).toHaveLength(3 * PER_PROCESS + 1)
  const arrivals = log.map((e) => Date.parse(e.receivedTime)).sort((a, b) => a - b)
  const delays = arrivals.map((t, k) => t - (granted[k] ?? t))
  const jitter = Math.max(...delays) - Math.min(...delays)
  const strict = maxInAnyWindow(arrivals, WINDOW_MS)
  const tolerant = maxInAnyWindow(arrivals, WINDOW_MS - jitter)
  expect(
    tolerant,
    `densest arrivals: ${densestWindow(arrivals, WINDOW_MS).join(', ')}; jitter ${jitter} ms`,
  ).toBeLessThanOrEqual(MAX)
  // On a machine that is not starved the jitter is a few ms and the arrivals meet the limit as is.
  if (jitter < 40) expect(strict).toBeLessThanOrEqual(MAX)

  // Priority: granted within one other grant of asking.
  const asked = outputs[1]?.find((l): l is { refreshAsked: number } => 'refreshAsked' in l)
  expect(asked).toBeDefined()
  const refreshIndex = grants.findIndex((g) => g.lane === 'refresh')
  const othersBetween = grants
    .slice(0, refreshIndex)
    .filter((g) => g.at > (asked?.refreshAsked ?? 0)).length
  expect(othersBetween).toBeLessThanOrEqual(1)

  const latencies = outputs
    .flatMap((o) => o.flatMap((l) => ('latencies' in l ? l.latencies : [])))
    .sort((a, b) => a - b)
  console.info(
    `shared budget, 3 processes: ${perSecond.toFixed(2)} grants/s while waiting (limit ${MAX}); ` +
      `acquire p50 ${latencies[Math.floor(latencies.length / 2)]?.toFixed(1)} ms, p99 ` +
      `${latencies[Math.floor(latencies.length * 0.99)]?.toFixed(1)} ms over ${latencies.length}; ` +
      `refresh granted ${((grants[refreshIndex]?.at ?? 0) - (asked?.refreshAsked ?? 0)).toFixed(0)} ms after asking; ` +
      `arrival jitter ${jitter} ms, strict max ${strict}`,
  )
}, 90_000)
