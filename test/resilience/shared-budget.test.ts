/**
 * docs/architecture.md#politeness: one politeness budget (sliding-window rate limit + concurrency cap) shared by every
 * job and the refresh, fair between jobs, with the refresh first. Proven from the simulator's
 * own request log.
 *
 * The simulator logs when it wrote each answer, and it shares one event loop with the server:
 * a request the server started on time can reach the simulator up to ~100 ms late (measured on a
 * loaded 2-core machine) and land next to later ones. So the window checked is the limiter's
 * window minus JITTER_MS; a product that ignored or split the budget would still overshoot it
 * several times over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitFor, waitForJob, type Json } from '../helpers/jobs.ts'
import { requestLog, type LoggedRequest } from '../helpers/request-log.ts'
import { startResilienceStack } from './resilience-harness.ts'
import { densestWindow, maxInAnyWindow, maxOverlap } from './request-timing.ts'

const MAX_REQUESTS = 4
const WINDOW_MS = 500
const JITTER_MS = 150

const durationMs = (job: BackfillResponse) =>
  Date.parse(job.completedAt ?? '') - Date.parse(job.createdAt)

/** Learns the live year once, so later requests are all billed to jobs and the refresh. */
async function warmUp(stack: Stack): Promise<void> {
  const r = await stack.api('POST', '/api/districts/backfill', {
    startDate: '2026-11-01',
    dryRun: true,
  })
  expect(r.status).toBe(200)
  stack.sim.clearLog()
}

describe('rate limit shared by three jobs and a refresh', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startResilienceStack({
      env: {
        UPSTREAM_MAX_REQUESTS: String(MAX_REQUESTS),
        UPSTREAM_WINDOW_MS: String(WINDOW_MS),
        MAX_RUNNING_JOBS: '3',
      },
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
    const refreshStart = Date.now()
    const refresh = await stack.api<Json>('POST', '/api/refresh?wait=true')
    const refreshEnd = Date.now()
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

    const log = requestLog(stack)
    // Every request of the three jobs and the refresh reached the simulator through the budget.
    expect(log.length).toBeGreaterThanOrEqual(28 + 4 + 4 + 8)
    const times = log.map((r) => r.at)
    expect(
      maxInAnyWindow(times, WINDOW_MS - JITTER_MS),
      `densest window: ${densestWindow(times, WINDOW_MS - JITTER_MS).join(', ')} ms`,
    ).toBeLessThanOrEqual(MAX_REQUESTS)

    // Fairness: the small job does not wait for the large one.
    const smallEnd = Date.parse(doneSmall!.completedAt!)
    const largeEnd = Date.parse(doneLarge!.completedAt!)
    expect(largeEnd - smallEnd).toBeGreaterThan(0.3 * durationMs(doneLarge!))

    // Priority: while the refresh ran, its requests took most of the budget, and it ended
    // while the large job was still going.
    expect(largeAtRefreshEnd).toBe('processing')
    const latest = stack.sim.truth.latestAsOf()
    const isRefresh = (r: LoggedRequest) => r.asOf === latest || r.asOf === null
    const during = log.filter((r) => r.at >= refreshStart && r.at <= refreshEnd)
    const share = during.filter(isRefresh).length / during.length
    expect(
      share,
      `refresh share of ${during.map((r) => `${r.asOf}:${r.report}`).join(' ')}`,
    ).toBeGreaterThanOrEqual(0.6)
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

    // The simulator wrote each answer LATENCY_MS after it started waiting, so [at - latency, at]
    // lies inside the time the request was really in flight.
    const log = requestLog(stack).filter((r) => r.fault === 'latency')
    expect(log.length).toBe(7 * 2 + 7)
    const overlap = maxOverlap(log.map((r) => ({ start: r.at - LATENCY_MS, end: r.at })))
    expect(overlap).toBeLessThanOrEqual(MAX_CONCURRENT)
    // The jobs did compete for the slots, so the cap was what held them back.
    expect(overlap).toBe(MAX_CONCURRENT)
  })
})
