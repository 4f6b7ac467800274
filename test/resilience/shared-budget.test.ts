/**
 * docs/architecture.md#politeness: one politeness budget (sliding-window rate limit + concurrency cap) shared by every job and
 * the refresh, fair between jobs, with the refresh first. Asserted on the scheduler's own
 * decisions, timed by the services' injected clock: when it started and ended each request and
 * for which lane (job id or refresh). Arrival times at the simulator carry the event loop's
 * unevenness; the decisions do not, so the limits are checked exactly. The simulator's log only
 * proves that every request it served went through those decisions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SchedulerEvent } from '../../src/server/politeness/index.ts'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitFor, waitForJob, type Json } from '../helpers/jobs.ts'
import { requestLog } from '../helpers/request-log.ts'
import { startResilienceStack } from './resilience-harness.ts'
import { densestWindow, maxInAnyWindow, maxOverlap } from './request-timing.ts'

const MAX_REQUESTS = 4
const WINDOW_MS = 500

/** The scheduler's decisions, recorded from the stack's services. */
function decisionLog() {
  let events: SchedulerEvent[] = []
  return {
    observe: (e: SchedulerEvent) => void events.push(e),
    clear: () => void (events = []),
    starts: (lane?: string) =>
      events.filter((e) => e.type === 'start' && (lane === undefined || e.lane === lane)),
    /** [start, end) of each request, paired per lane in order. */
    intervals: () => {
      const open = new Map<string, number[]>()
      const out: { start: number; end: number }[] = []
      for (const e of events) {
        const queue = open.get(e.lane) ?? []
        open.set(e.lane, queue)
        if (e.type === 'start') queue.push(e.at)
        else if (e.type === 'end') out.push({ start: queue.shift() ?? e.at, end: e.at })
      }
      return out
    },
  }
}

/** Learns the live year once, so later requests are all billed to jobs and the refresh. */
async function warmUp(stack: Stack): Promise<void> {
  const r = await stack.api('POST', '/api/districts/backfill', {
    startDate: '2026-11-01',
    dryRun: true,
  })
  expect(r.status).toBe(200)
  stack.sim.clearLog()
  decisions.clear()
}

const decisions = decisionLog()

describe('rate limit shared by three jobs and a refresh', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startResilienceStack({
      env: {
        UPSTREAM_MAX_REQUESTS: String(MAX_REQUESTS),
        UPSTREAM_WINDOW_MS: String(WINDOW_MS),
        MAX_RUNNING_JOBS: '3',
      },
      overrides: { observeScheduler: decisions.observe },
    })
    await configureDistricts(stack, ['21', '61'])
    await warmUp(stack)
  })
  afterAll(() => stack.close())

  it('never exceeds the limit, finishes a small job early and serves the refresh first', async () => {
    const large = await startJob(stack, {
      startDate: '2026-11-02',
      endDate: '2026-11-05',
      targetDistricts: ['21', '61'],
      collectionType: 'per-district',
    })
    await waitFor('the large job to be under way', () =>
      requestLog(stack).some((r) => r.report === 'clubperformance'),
    )
    const [small, medium] = await Promise.all([
      startJob(stack, {
        startDate: '2026-11-20',
        targetDistricts: ['61'],
        collectionType: 'per-district',
      }),
      startJob(stack, {
        startDate: '2026-10-20',
        targetDistricts: ['21'],
        collectionType: 'per-district',
      }),
    ])
    const refresh = await stack.api<Json>('POST', '/api/refresh?wait=true')
    expect(refresh.body.status).toBe('written')
    const largeAtRefreshEnd = (await waitForJob(stack, large.backfillId, () => true)).status
    const [doneLarge, doneSmall, doneMedium] = await Promise.all(
      [large, small, medium].map((j) => waitForJob(stack, j.backfillId)),
    )
    expect([doneLarge, doneSmall, doneMedium].map((j) => j?.status)).toEqual([
      'complete',
      'complete',
      'complete',
    ])

    // Every request of the three jobs and the refresh went through the budget's decisions.
    const starts = decisions.starts()
    // Large 4 dates × (summary + 2 × 3 reports) = 28, small and medium 4 each, the refresh its
    // dated summary and 2 × 3 reports (the newest as-of was learned in the warm-up).
    expect(starts.length).toBeGreaterThanOrEqual(28 + 4 + 4 + 7)
    expect(requestLog(stack)).toHaveLength(starts.length)
    const times = starts.map((e) => e.at)
    expect(
      maxInAnyWindow(times, WINDOW_MS),
      `densest window: ${densestWindow(times, WINDOW_MS).join(', ')} ms`,
    ).toBeLessThanOrEqual(MAX_REQUESTS)

    // Fairness: the small job does not wait for the large one.
    const lastStart = (job: BackfillResponse) => decisions.starts(job.backfillId).at(-1)?.at ?? 0
    const firstStart = (job: BackfillResponse) => decisions.starts(job.backfillId)[0]?.at ?? 0
    const largeSpan = lastStart(large) - firstStart(large)
    expect(lastStart(large) - lastStart(small)).toBeGreaterThan(0.3 * largeSpan)

    // Priority, decision by decision: no other lane started while a refresh request waited,
    // and the refresh ended while the large job was still going. (How much of the budget the
    // refresh took while it ran depends on how fast this machine turns its answers into the
    // next request; the decisions do not.)
    expect(largeAtRefreshEnd).toBe('processing')
    const refreshStarts = decisions.starts('refresh')
    expect(refreshStarts.length).toBeGreaterThanOrEqual(7)
    const overtaken = starts.filter((e) => e.lane !== 'refresh' && e.waiting.includes('refresh'))
    expect(
      overtaken.map((e) => `${e.lane} at ${e.at - (refreshStarts[0]?.at ?? 0)} ms`),
      'starts of other lanes while the refresh waited',
    ).toEqual([])
    // The refresh did wait for the budget (the check above is not empty by construction).
    expect(starts.some((e) => e.waiting.includes('refresh'))).toBe(true)
  })
})

describe('concurrency cap shared by every job', () => {
  const MAX_CONCURRENT = 2
  const LATENCY_MS = 150
  let stack: Stack
  beforeAll(async () => {
    stack = await startResilienceStack({
      env: {
        UPSTREAM_MAX_REQUESTS: '0',
        UPSTREAM_MAX_CONCURRENT: String(MAX_CONCURRENT),
        MAX_RUNNING_JOBS: '3',
      },
      overrides: { observeScheduler: decisions.observe },
    })
    await configureDistricts(stack, ['09', '21', '61'])
    await warmUp(stack)
  })
  afterAll(() => stack.close())

  it('never has more requests in flight than UPSTREAM_MAX_CONCURRENT', async () => {
    stack.sim.addFault({ kind: 'latency', ms: LATENCY_MS })
    const jobs = await Promise.all([
      startJob(stack, {
        startDate: '2026-11-02',
        endDate: '2026-11-03',
        targetDistricts: ['21', '61'],
        collectionType: 'per-district',
        concurrency: 3,
      }),
      startJob(stack, {
        startDate: '2026-11-10',
        targetDistricts: ['09', '61'],
        collectionType: 'per-district',
        concurrency: 3,
      }),
    ])
    let busiest = 0
    await waitFor('both jobs to end', async () => {
      const health = await stack.api<Json>('GET', '/api/health')
      busiest = Math.max(busiest, health.body.upstream.concurrencyLimiter.activeSlots)
      const views = await Promise.all(jobs.map((j) => waitForJob(stack, j.backfillId, () => true)))
      return views.every((v) => v.status === 'complete')
    })
    expect(busiest).toBeLessThanOrEqual(MAX_CONCURRENT)

    // Every request was slowed by the simulator, so the jobs competed for the slots.
    expect(requestLog(stack).filter((r) => r.fault === 'latency')).toHaveLength(7 * 2 + 7)
    const overlap = maxOverlap(decisions.intervals())
    expect(overlap).toBeLessThanOrEqual(MAX_CONCURRENT)
    // The cap was what held them back.
    expect(overlap).toBe(MAX_CONCURRENT)
  })
})
