/**
 * The rate limit as the upstream sees it: with UPSTREAM_MAX_REQUESTS=5 per 1000 ms and three
 * jobs at once, no 1-second window of the simulator's log (by arrival time) holds more than 5
 * requests, and the budget is used: while requests were waiting, they reached the simulator at
 * 90% of the limit or more. (Whether work was waiting is the scheduler's own account; the
 * moments when every job was writing its files asked nothing of the budget.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SchedulerEvent } from '../../src/server/politeness/index.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitForJob } from '../helpers/jobs.ts'
import { requestLog } from '../helpers/request-log.ts'
import { startResilienceStack } from './resilience-harness.ts'
import { densestWindow, maxInAnyWindow } from './request-timing.ts'

const MAX_REQUESTS = 5
const WINDOW_MS = 1000

let stack: Stack
let decisions: SchedulerEvent[] = []
beforeAll(async () => {
  stack = await startResilienceStack({
    env: {
      UPSTREAM_MAX_REQUESTS: String(MAX_REQUESTS),
      UPSTREAM_WINDOW_MS: String(WINDOW_MS),
      MAX_RUNNING_JOBS: '3',
    },
    overrides: { observeScheduler: (e) => decisions.push(e) },
  })
  await configureDistricts(stack, ['09', '21', '61'])
  // One small job first: the live year is learned and every code path of a job has run once,
  // so the run below is not slowed by first-time compilation.
  const warmUp = await startJob(stack, {
    startDate: '2026-11-01',
    targetDistricts: ['09'],
    collectionType: 'per-district',
  })
  expect((await waitForJob(stack, warmUp.backfillId)).status).toBe('complete')
  stack.sim.clearLog()
  decisions = []
})
afterAll(() => stack.close())

describe('three jobs at UPSTREAM_MAX_REQUESTS=5 per 1000 ms', () => {
  it('never send the simulator more than 5 requests in a second, and reach 90% of the rate', async () => {
    const jobs = await Promise.all(
      ['2026-11-03', '2026-11-10', '2026-11-17'].map((startDate) =>
        startJob(stack, { startDate, collectionType: 'per-district', concurrency: 3 }),
      ),
    )
    const done = await Promise.all(jobs.map((j) => waitForJob(stack, j.backfillId)))
    expect(done.map((j) => j.status)).toEqual(['complete', 'complete', 'complete'])

    const arrivals = requestLog(stack)
      .map((r) => r.receivedAt)
      .sort((a, b) => a - b)
    // Per job: the summary and three reports for each of three districts.
    expect(arrivals).toHaveLength(3 * (1 + 3 * 3))
    expect(
      maxInAnyWindow(arrivals, WINDOW_MS),
      `densest window: ${densestWindow(arrivals, WINDOW_MS).join(', ')} ms`,
    ).toBeLessThanOrEqual(MAX_REQUESTS)

    // The k-th start reached the simulator as its k-th request (starts are 200 ms apart).
    const starts = decisions.filter((e) => e.type === 'start')
    expect(starts).toHaveLength(arrivals.length)
    const waitingGaps = arrivals
      .slice(1)
      .map((t, k) => ({ ms: t - (arrivals[k] ?? t), waiting: (starts[k]?.queued ?? 0) > 0 }))
      .filter((g) => g.waiting)
      .map((g) => g.ms)
    expect(waitingGaps.length).toBeGreaterThan(arrivals.length / 2)
    const perSecond = (waitingGaps.length / waitingGaps.reduce((a, b) => a + b, 0)) * 1000
    expect(perSecond, `gaps while work waited: ${waitingGaps.join(' ')}`).toBeGreaterThanOrEqual(
      0.9 * MAX_REQUESTS,
    )
  }, 60_000)
})
