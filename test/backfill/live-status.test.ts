/**
 * How often a long job asks the root for the live program year (docs/performance.md#live-status):
 * once while the live year is the calendar's, at most once an hour while it may still switch
 * (July, before the site publishes the new year). The server's clock moves ten minutes with every
 * request the simulator answers, so a job of many dates spans many hours whatever the machine's
 * speed; the counts are of the simulator's request log.
 */
import { afterEach, expect, it } from 'vitest'
import { eachDate } from '../../src/shared/iso-date.ts'
import type { Simulator } from '../../src/sim/index.ts'
import type { Stack } from '../helpers/stack.ts'
import { exportRequests, FAST_RETRY, runJob } from './backfill-harness.ts'
import { startStack } from '../helpers/stack.ts'

const STEP_MS = 10 * 60_000
const HOUR_MS = 3_600_000

let stack: Stack | null = null
afterEach(async () => {
  await stack?.close()
  stack = null
})

/** A stack whose clock starts at noon of `today` and moves STEP_MS per answered request. */
async function steppedStack(today: string) {
  const startMs = Date.parse(`${today}T12:00:00.000Z`)
  let sim: Simulator | null = null
  const now = () => startMs + (sim?.requestLog().length ?? 0) * STEP_MS
  const s = await startStack({
    sim: { today },
    overrides: { memoryStorage: true, retryPolicy: FAST_RETRY, now },
  })
  sim = s.sim
  stack = s
  return { stack: s, now, startMs }
}

/** Live-year probes: the root summary with no as-of. */
const probes = (s: Stack) =>
  exportRequests(s).filter((r) => r.report === 'districtsummary' && r.asOf === null)

// 12 dates span 2 hours at least: an hourly ask outside July would already ask twice.
it('a system-wide job of 12 dates asks for the live year once, though it spans 2 hours', async () => {
  const { stack: s, now, startMs } = await steppedStack('2026-11-29')
  const dates = eachDate('2026-09-25', '2026-10-06')
  const job = await runJob(s, { startDate: dates[0], endDate: dates.at(-1) })
  expect(job.status).toBe('complete')
  expect(job.snapshotIds).toHaveLength(dates.length)
  expect(now() - startMs).toBeGreaterThan(dates.length * STEP_MS)
  expect(now() - startMs).toBeGreaterThanOrEqual(2 * HOUR_MS)
  expect(probes(s)).toHaveLength(1)
})

it('while the root still serves the old year in July, a long job asks again at most once an hour', async () => {
  // The simulator switches to 2026-2027 on 07-26: on 07-20 the root still serves June.
  const { stack: s, now, startMs } = await steppedStack('2026-07-20')
  // 24 dates span 4 hours at least: room for a second ask, and far fewer asks than dates.
  const dates = eachDate('2026-06-26', '2026-07-19')
  const job = await runJob(s, { startDate: dates[0], endDate: dates.at(-1) })
  expect(job.status).toBe('complete')
  const spanMs = now() - startMs
  expect(spanMs).toBeGreaterThan(dates.length * STEP_MS)
  expect(spanMs).toBeGreaterThanOrEqual(4 * HOUR_MS)
  const asked = probes(s).length
  expect(asked).toBeGreaterThan(1)
  expect(asked).toBeLessThanOrEqual(1 + Math.ceil(spanMs / HOUR_MS))
})
