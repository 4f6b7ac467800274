import { fc, test } from '@fast-check/vitest'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createUpstreamScheduler, type SchedulerConfig } from './upstream-scheduler.ts'

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-29T00:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

const HOST = 'dashboards.example'

/** Runs `n` tasks per lane and records when each started and how many were in flight. */
async function runTasks(
  config: SchedulerConfig,
  lanes: {
    lane: string
    n: number
    durationMs: number
    priority?: boolean
    minGapMs?: number
    delayStartMs?: number
  }[],
) {
  const scheduler = createUpstreamScheduler(config)
  const starts: { lane: string; at: number }[] = []
  let inFlight = 0
  let maxInFlight = 0
  const all: Promise<unknown>[] = []
  for (const l of lanes) {
    const enqueue = () => {
      for (let i = 0; i < l.n; i++) {
        all.push(
          scheduler.schedule(
            HOST,
            async () => {
              starts.push({ lane: l.lane, at: Date.now() })
              inFlight++
              maxInFlight = Math.max(maxInFlight, inFlight)
              await new Promise((r) => setTimeout(r, l.durationMs))
              inFlight--
            },
            { lane: l.lane, priority: l.priority ?? false, minGapMs: l.minGapMs ?? 0 },
          ),
        )
      }
    }
    if (l.delayStartMs) setTimeout(enqueue, l.delayStartMs)
    else enqueue()
  }
  const total = lanes.reduce((n, l) => n + l.n, 0)
  while (starts.length < total || inFlight > 0) await vi.advanceTimersByTimeAsync(10)
  await Promise.all(all)
  scheduler.close()
  return { starts, maxInFlight }
}

function maxStartsInAnyWindow(times: number[], windowMs: number): number {
  let best = 0
  for (let i = 0; i < times.length; i++) {
    const t0 = times[i] ?? 0
    best = Math.max(best, times.filter((t) => t >= t0 && t < t0 + windowMs).length)
  }
  return best
}

describe('createUpstreamScheduler', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 50, max: 2000 }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(
        fc.record({
          n: fc.integer({ min: 1, max: 6 }),
          durationMs: fc.integer({ min: 0, max: 300 }),
        }),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
    ],
    { numRuns: 100 },
  )(
    'Feature: unified-backfill-service, Property 10: Rate Limiting Protection — never more starts per window than allowed, never more in flight than the cap',
    async (maxRequests, windowMs, maxConcurrent, lanes) => {
      const { starts, maxInFlight } = await runTasks(
        { maxRequests, windowMs, maxConcurrent },
        lanes.map((l, i) => ({ ...l, lane: `job-${i}` })),
      )
      expect(starts).toHaveLength(lanes.reduce((n, l) => n + l.n, 0))
      expect(
        maxStartsInAnyWindow(
          starts.map((s) => s.at),
          windowMs,
        ),
      ).toBeLessThanOrEqual(maxRequests)
      expect(maxInFlight).toBeLessThanOrEqual(maxConcurrent)
    },
  )

  it('treats maxRequests 0 as no rate limit', async () => {
    const { starts } = await runTasks({ maxRequests: 0, windowMs: 1000, maxConcurrent: 50 }, [
      { lane: 'a', n: 20, durationMs: 5 },
    ])
    expect(
      maxStartsInAnyWindow(
        starts.map((s) => s.at),
        1000,
      ),
    ).toBe(20)
  })

  it('serves a priority lane before the waiting lanes', async () => {
    const { starts } = await runTasks({ maxRequests: 1, windowMs: 100, maxConcurrent: 1 }, [
      { lane: 'big-job', n: 10, durationMs: 1 },
      { lane: 'refresh', n: 3, durationMs: 1, priority: true, delayStartMs: 150 },
    ])
    const firstRefresh = starts.findIndex((s) => s.lane === 'refresh')
    expect(starts.slice(firstRefresh, firstRefresh + 3).map((s) => s.lane)).toEqual([
      'refresh',
      'refresh',
      'refresh',
    ])
    expect(firstRefresh).toBeLessThanOrEqual(3)
  })

  it('does not starve a small job started during a large one', async () => {
    const { starts } = await runTasks({ maxRequests: 2, windowMs: 100, maxConcurrent: 2 }, [
      { lane: 'large', n: 40, durationMs: 1 },
      { lane: 'small', n: 3, durationMs: 1, delayStartMs: 120 },
    ])
    const lastSmall = starts.map((s) => s.lane).lastIndexOf('small')
    const firstSmall = starts.findIndex((s) => s.lane === 'small')
    expect(lastSmall - firstSmall).toBeLessThanOrEqual(5)
    expect(lastSmall).toBeLessThan(15)
  })

  it('keeps a lane minimum gap without slowing other lanes', async () => {
    const { starts } = await runTasks({ maxRequests: 0, windowMs: 1000, maxConcurrent: 4 }, [
      { lane: 'gentle', n: 4, durationMs: 1, minGapMs: 500 },
      { lane: 'fast', n: 4, durationMs: 1 },
    ])
    const gentle = starts.filter((s) => s.lane === 'gentle').map((s) => s.at)
    for (let i = 1; i < gentle.length; i++)
      expect((gentle[i] ?? 0) - (gentle[i - 1] ?? 0)).toBeGreaterThanOrEqual(500)
    const fast = starts.filter((s) => s.lane === 'fast').map((s) => s.at)
    expect((fast.at(-1) ?? 0) - (fast[0] ?? 0)).toBeLessThan(100)
  })

  it('rejects a queued task whose signal aborts, without running it', async () => {
    const scheduler = createUpstreamScheduler({ maxRequests: 1, windowMs: 1000, maxConcurrent: 1 })
    const ran: string[] = []
    const first = scheduler.schedule(HOST, async () => void ran.push('first'))
    const ac = new AbortController()
    const second = scheduler.schedule(HOST, async () => void ran.push('second'), {
      signal: ac.signal,
    })
    ac.abort(new Error('cancelled by user'))
    await expect(second).rejects.toThrow('cancelled by user')
    await first
    await vi.advanceTimersByTimeAsync(2000)
    expect(ran).toEqual(['first'])
    expect(scheduler.status(HOST).concurrencyLimiter.queueLength).toBe(0)
    scheduler.close()
  })

  it('passes an abort to a running task through its signal', async () => {
    const scheduler = createUpstreamScheduler({ maxRequests: 0, windowMs: 1000, maxConcurrent: 1 })
    const ac = new AbortController()
    const running = scheduler.schedule(
      HOST,
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
        ),
      { signal: ac.signal },
    )
    await vi.advanceTimersByTimeAsync(1)
    ac.abort(new Error('stop'))
    await expect(running).rejects.toThrow('stop')
    expect(scheduler.status(HOST).concurrencyLimiter.activeSlots).toBe(0)
    scheduler.close()
  })

  it('pauses after a 429 with Retry-After and slows down, then recovers', async () => {
    const scheduler = createUpstreamScheduler({ maxRequests: 4, windowMs: 1000, maxConcurrent: 4 })
    scheduler.reportOutcome(HOST, { status: 429, retryAfterMs: 5000 })
    const st = scheduler.status(HOST)
    expect(st.adaptive.pausedUntil).toBe(new Date(Date.now() + 5000).toISOString())
    expect(st.adaptive.effectiveMaxRequests).toBe(2)
    let startedAt = 0
    const p = scheduler.schedule(HOST, async () => void (startedAt = Date.now()))
    const t0 = Date.now()
    await vi.advanceTimersByTimeAsync(6000)
    await p
    expect(startedAt - t0).toBeGreaterThanOrEqual(5000)
    for (let i = 0; i < 20; i++) scheduler.reportOutcome(HOST, { status: 200 })
    expect(scheduler.status(HOST).adaptive.effectiveMaxRequests).toBe(4)
    scheduler.close()
  })

  it('reports the performanceStatus figures of the job view', async () => {
    const scheduler = createUpstreamScheduler({ maxRequests: 2, windowMs: 1000, maxConcurrent: 1 })
    const blockers: (() => void)[] = []
    const tasks = [1, 2, 3].map(() =>
      scheduler.schedule(HOST, () => new Promise<void>((r) => blockers.push(r))),
    )
    await vi.advanceTimersByTimeAsync(1)
    const st = scheduler.status(HOST)
    expect(st.rateLimiter).toMatchObject({ currentCount: 1, maxRequests: 2, windowMs: 1000 })
    expect(st.concurrencyLimiter).toEqual({ activeSlots: 1, maxConcurrent: 1, queueLength: 2 })
    for (let i = 0; i < 3; i++) {
      blockers.shift()?.()
      await vi.advanceTimersByTimeAsync(1000)
    }
    await Promise.all(tasks)
    expect(scheduler.status(HOST).concurrencyLimiter).toEqual({
      activeSlots: 0,
      maxConcurrent: 1,
      queueLength: 0,
    })
    scheduler.close()
  })
})

describe('status', () => {
  it('reports an empty window the same within one second', () => {
    let t = Date.parse('2026-11-29T00:00:00.100Z')
    const scheduler = createUpstreamScheduler({
      maxRequests: 2,
      windowMs: 1000,
      maxConcurrent: 1,
      now: () => t,
    })
    const first = scheduler.status('h')
    t += 850
    expect(scheduler.status('h')).toEqual(first)
    expect(first.rateLimiter.nextResetAt).toBe('2026-11-29T00:00:00.000Z')
    t += 100
    expect(scheduler.status('h').rateLimiter.nextResetAt).toBe('2026-11-29T00:00:01.000Z')
    scheduler.close()
  })
})
