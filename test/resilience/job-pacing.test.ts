/**
 * Pacing a job on its own (`rateLimitDelayMs`) and pausing the whole budget on a 429 with
 * `Retry-After`. Asserted on the scheduler's own decisions, timed by the services' clock (when it
 * started each request, for which lane, and the pause it chose), which the machine's load does
 * not move. One end-to-end check per property reads the simulator's request log: a request
 * reaches the simulator some event-loop turns after the server started it, so its tolerance is
 * the event-loop delay measured during the run, on top of a quiet machine's 100 ms.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SchedulerEvent } from '../../src/server/politeness/index.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitForJob } from '../helpers/jobs.ts'
import { requestLog } from '../helpers/request-log.ts'
import { startResilienceStack } from './resilience-harness.ts'
import { gaps } from './request-timing.ts'

const JITTER_MS = 100

let stack: Stack
let decisions: SchedulerEvent[]
let lag: IntervalHistogram
beforeEach(async () => {
  decisions = []
  stack = await startResilienceStack({
    env: { UPSTREAM_MAX_REQUESTS: '0', MAX_RUNNING_JOBS: '2' },
    overrides: { observeScheduler: (e) => void decisions.push(e) },
  })
  await configureDistricts(stack, ['21', '61'])
  decisions = []
  lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
})
afterEach(async () => {
  lag.disable()
  await stack.close()
})

/** The arrival tolerance: a quiet machine's jitter plus the worst event-loop delay seen. */
const toleranceMs = () => JITTER_MS + lag.max / 1e6

const startsOf = (lane: string) => decisions.filter((e) => e.type === 'start' && e.lane === lane)

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

    // The scheduler's decisions: the paced job's starts at least the delay apart, exactly, each
    // held for the delay after the one before; the other job's never held by it.
    const pacedStarts = startsOf(paced.backfillId)
    expect(pacedStarts).toHaveLength(7)
    expect(Math.min(...gaps(pacedStarts.map((e) => e.at)))).toBeGreaterThanOrEqual(DELAY_MS)
    pacedStarts.slice(1).forEach((e, k) => {
      expect(e.earliest).toBe((pacedStarts[k]?.at ?? 0) + DELAY_MS)
    })
    const freeStarts = startsOf(free.backfillId)
    expect(freeStarts).toHaveLength(7)
    freeStarts.slice(1).forEach((e, k) => {
      expect(e.earliest).toBe(freeStarts[k]?.at)
    })
    expect(Math.min(...gaps(freeStarts.map((e) => e.at)))).toBeLessThan(DELAY_MS)

    // End to end: the simulator saw the paced job's requests apart too.
    const pacedArrivals = requestLog(stack)
      .filter((r) => r.asOf === '2026-11-10')
      .map((r) => r.at)
    expect(pacedArrivals).toHaveLength(7)
    expect(Math.min(...gaps(pacedArrivals))).toBeGreaterThanOrEqual(DELAY_MS - toleranceMs())
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

    // The scheduler's decisions: one pause for the time asked; no start of any lane inside it;
    // both jobs still had work after it, so the pause was not just the retried request's.
    const pauses = decisions.filter((e) => e.type === 'pause')
    expect(pauses).toHaveLength(1)
    const pause = pauses[0]!
    expect(pause.until! - pause.at).toBeGreaterThanOrEqual(1000)
    // In the order the scheduler decided: a start decided before the pause was set went out
    // before the 429 was known, whatever its timestamp; none decided after it may be early.
    const starts = decisions.filter((e) => e.type === 'start')
    const afterPause = decisions
      .slice(decisions.indexOf(pause) + 1)
      .filter((e) => e.type === 'start')
    const inside = afterPause.filter((e) => e.at < pause.until! || e.earliest! < pause.until!)
    expect(inside).toEqual([])
    const resumedLanes = new Set(starts.filter((e) => e.at >= pause.until!).map((e) => e.lane))
    expect([...resumedLanes].sort()).toEqual(jobs.map((j) => j.backfillId).sort())

    // End to end: after the 429, apart from requests already on their way, the simulator heard
    // nothing for the whole Retry-After.
    const log = requestLog(stack)
    const limited = log.filter((r) => r.status === 429)
    expect(limited).toHaveLength(1)
    const at429 = limited[0]!.at
    const tolerance = toleranceMs()
    const after = log.filter((r) => r.at > at429)
    const stragglers = after.filter((r) => r.at <= at429 + tolerance)
    const resumed = after.filter((r) => r.at > at429 + tolerance)
    expect(stragglers.length).toBeLessThanOrEqual(8)
    expect(resumed.length).toBeGreaterThan(0)
    expect(resumed[0]!.at - at429).toBeGreaterThanOrEqual(1000 - 5)
  })
})
