/**
 * Pacing a job on its own (`rateLimitDelayMs`) and pausing the whole budget on a 429 with
 * `Retry-After`, seen from the simulator's request log. As in shared-budget.test.ts, a request can
 * reach the simulator up to ~100 ms after the server started it, which the tolerances allow.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitForJob } from '../helpers/jobs.ts'
import { requestLog } from '../helpers/request-log.ts'
import { startResilienceStack } from './resilience-harness.ts'
import { gaps } from './request-timing.ts'

const JITTER_MS = 100

let stack: Stack
beforeEach(async () => {
  stack = await startResilienceStack({ env: { UPSTREAM_MAX_REQUESTS: '0', MAX_RUNNING_JOBS: '2' } })
  await configureDistricts(stack, ['21', '61'])
})
afterEach(() => stack.close())

describe('rateLimitDelayMs', () => {
  it('keeps consecutive requests of that job apart, and only of that job', async () => {
    const DELAY_MS = 250
    const [paced, free] = await Promise.all([
      startJob(stack, {
        startDate: '2026-11-10',
        targetDistricts: ['21', '61'],
        collectionType: 'per-district',
        concurrency: 3,
        rateLimitDelayMs: DELAY_MS,
      }),
      startJob(stack, {
        startDate: '2026-11-12',
        targetDistricts: ['21', '61'],
        collectionType: 'per-district',
        concurrency: 3,
      }),
    ])
    const done = await Promise.all([paced, free].map((j) => waitForJob(stack, j.backfillId)))
    expect(done.map((j) => j.status)).toEqual(['complete', 'complete'])

    const log = requestLog(stack)
    const pacedTimes = log.filter((r) => r.asOf === '2026-11-10').map((r) => r.at)
    expect(pacedTimes).toHaveLength(7)
    expect(Math.min(...gaps(pacedTimes))).toBeGreaterThanOrEqual(DELAY_MS - JITTER_MS)
    // The other job was not slowed down by it: its districts ran side by side.
    const freeTimes = log.filter((r) => r.asOf === '2026-11-12').map((r) => r.at)
    expect(freeTimes).toHaveLength(7)
    expect(Math.min(...gaps(freeTimes))).toBeLessThan(DELAY_MS - JITTER_MS)
  })
})

describe('429 with Retry-After', () => {
  it('pauses every request to the upstream for the time asked, then completes', async () => {
    stack.sim.addFault({
      kind: 'rate-limit',
      retryAfterSeconds: 1,
      count: 1,
      match: { report: 'divisionperformance', districtId: '21', asOf: '2026-11-10' },
    })
    const jobs = await Promise.all([
      startJob(stack, {
        startDate: '2026-11-10',
        endDate: '2026-11-11',
        targetDistricts: ['21', '61'],
        collectionType: 'per-district',
      }),
      startJob(stack, {
        startDate: '2026-11-12',
        endDate: '2026-11-13',
        targetDistricts: ['21', '61'],
        collectionType: 'per-district',
      }),
    ])
    const done = await Promise.all(jobs.map((j) => waitForJob(stack, j.backfillId)))
    expect(done.map((j) => j.status)).toEqual(['complete', 'complete'])
    expect(done.map((j) => j.progress.completed)).toEqual([4, 4])
    expect(done[0]?.progress.districtProgress['21']?.retryCount).toBeGreaterThanOrEqual(1)

    const log = requestLog(stack)
    const limited = log.filter((r) => r.status === 429)
    expect(limited).toHaveLength(1)
    const at429 = limited[0]!.at
    const after = log.filter((r) => r.at > at429)
    // Requests already on their way when the 429 was written may still land; after them,
    // silence for the whole Retry-After, for both jobs.
    const stragglers = after.filter((r) => r.at <= at429 + JITTER_MS)
    const resumed = after.filter((r) => r.at > at429 + JITTER_MS)
    expect(stragglers.length).toBeLessThanOrEqual(8)
    expect(resumed.length).toBeGreaterThan(0)
    expect(resumed[0]!.at - at429).toBeGreaterThanOrEqual(1000 - 5)
    // Both jobs still had work after the pause: the pause was not just the retried request's.
    expect(new Set(resumed.map((r) => r.asOf)).size).toBeGreaterThanOrEqual(2)
  })
})
