import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { maxInAnyWindow } from '../../../test/resilience/request-timing.ts'
import {
  createUpstreamScheduler,
  SPACING_HEADROOM,
  type SchedulerEvent,
  type SchedulerTimers,
} from './upstream-scheduler.ts'

const HOST = 'dashboards.example'

/**
 * A clock of the test's own and timers on it that fire `lateness()` ms after they are due, as
 * timers on a loaded machine do. Time moves only from one due timer to the next.
 */
function lateClock(lateness: () => number) {
  let t = 1_000_000
  let nextId = 1
  const due = new Map<number, { at: number; fn: () => void }>()
  const timers: SchedulerTimers = {
    set(fn, ms) {
      const id = nextId++
      due.set(id, { at: t + ms + lateness(), fn })
      return id
    },
    clear(handle) {
      due.delete(handle as number)
    },
  }
  /** On-time timers for the tasks themselves (the upstream's answer time). */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const id = nextId++
      due.set(id, { at: t + ms, fn: resolve })
    })
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve()
  }
  async function runUntil(done: () => boolean): Promise<void> {
    for (let steps = 0; !done(); steps++) {
      if (steps > 100_000) throw new Error('the scheduler stopped making progress')
      await settle()
      const next = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0]
      if (!next) {
        if (done()) return
        throw new Error('nothing is due but work is left')
      }
      due.delete(next[0])
      t = Math.max(t, next[1].at)
      next[1].fn()
      await settle()
    }
  }
  return { now: () => t, timers, sleep, runUntil }
}

/** A seeded generator, so a failing run replays. */
function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}

interface Scenario {
  maxRequests: number
  windowMs: number
  maxConcurrent: number
  lanes: number
  perLane: number
  /** How late each scheduler timer fires. */
  lateness: () => number
  /** How long the upstream takes to answer one request. */
  answerMs: () => number
}

/** Runs every request of every lane through one scheduler; returns its start decisions. */
async function run(sc: Scenario) {
  const clock = lateClock(sc.lateness)
  const events: SchedulerEvent[] = []
  const scheduler = createUpstreamScheduler({
    maxRequests: sc.maxRequests,
    windowMs: sc.windowMs,
    maxConcurrent: sc.maxConcurrent,
    now: clock.now,
    timers: clock.timers,
    observe: (e) => events.push(e),
  })
  let finished = 0
  const total = sc.lanes * sc.perLane
  for (let lane = 0; lane < sc.lanes; lane++) {
    for (let i = 0; i < sc.perLane; i++) {
      void scheduler
        .schedule(HOST, () => clock.sleep(sc.answerMs()), { lane: `job-${lane}` })
        .then(() => finished++)
    }
  }
  await clock.runUntil(() => finished === total)
  scheduler.close()
  const starts = events.filter((e) => e.type === 'start').map((e) => e.at)
  const inFlight = events.reduce(
    (acc, e) => {
      acc.now += e.type === 'start' ? 1 : e.type === 'end' ? -1 : 0
      acc.max = Math.max(acc.max, acc.now)
      return acc
    },
    { now: 0, max: 0 },
  ).max
  return { starts, inFlight }
}

const spacing = (sc: Scenario) => sc.windowMs / sc.maxRequests
const gapsOf = (starts: number[]) => starts.slice(1).map((t, i) => t - (starts[i] ?? t))
const achievedRate = (starts: number[], windowMs: number) =>
  ((starts.length - 1) / ((starts.at(-1) ?? 0) - (starts[0] ?? 0))) * windowMs

describe('upstream scheduler: rate as the upstream sees it', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 200, max: 3000 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer(),
    ],
    { numRuns: 25 },
  )(
    'spreads starts evenly and reaches 90% of the limit with late timers and slow answers',
    async (maxRequests, windowMs, maxConcurrent, lanes, seed) => {
      const random = seeded(seed)
      const sc: Scenario = {
        maxRequests,
        windowMs,
        maxConcurrent,
        lanes,
        perLane: Math.ceil((maxRequests * 6) / lanes),
        // Timers up to 8% of the spacing late.
        lateness: () => random() * 0.08 * (windowMs / maxRequests),
        // Answers up to two spacings slow, so the concurrency cap is often what holds a start.
        answerMs: () => random() * 2 * (windowMs / maxRequests),
      }
      const { starts, inFlight } = await run(sc)
      expect(starts).toHaveLength(sc.lanes * sc.perLane)
      expect(inFlight).toBeLessThanOrEqual(maxConcurrent)
      expect(maxInAnyWindow(starts, windowMs)).toBeLessThanOrEqual(maxRequests)
      // Never closer than the even spacing: no catching up in bursts.
      expect(Math.min(...gapsOf(starts))).toBeGreaterThanOrEqual(spacing(sc) - 1e-6)
      if (maxConcurrent >= 3) {
        // Answers last at most two spacings, so three slots are never all busy: the rate limits.
        expect(achievedRate(starts, windowMs)).toBeGreaterThanOrEqual(0.9 * maxRequests)
      }
    },
  )

  it('holds the limit at the upstream when requests reach it with uneven delays', async () => {
    const random = seeded(42)
    const sc: Scenario = {
      maxRequests: 5,
      windowMs: 1000,
      maxConcurrent: 4,
      lanes: 3,
      perLane: 20,
      lateness: () => random() * 15,
      answerMs: () => 5 + random() * 300,
    }
    const { starts } = await run(sc)
    // Each request reaches the upstream 0-30 ms after it started, independently of the others.
    const arrivals = starts.map((t) => t + random() * 30)
    expect(maxInAnyWindow(arrivals, sc.windowMs)).toBeLessThanOrEqual(sc.maxRequests)
    expect(achievedRate(starts, sc.windowMs)).toBeGreaterThanOrEqual(0.9 * sc.maxRequests)
  })

  it('does not burst after a timer fired very late', async () => {
    const random = seeded(7)
    let fires = 0
    const sc: Scenario = {
      maxRequests: 4,
      windowMs: 1000,
      maxConcurrent: 4,
      lanes: 2,
      perLane: 12,
      // Every fifth timer fires three spacings late (an event loop blocked by other work).
      lateness: () => (++fires % 5 === 0 ? 750 : random() * 5),
      answerMs: () => 10,
    }
    const { starts } = await run(sc)
    expect(Math.min(...gapsOf(starts))).toBeGreaterThanOrEqual(spacing(sc) - 1e-6)
    expect(maxInAnyWindow(starts, sc.windowMs)).toBeLessThanOrEqual(sc.maxRequests)
  })
})

describe('upstream scheduler: the decisions it records', () => {
  /** Runs lanes of requests on a late clock and returns every recorded decision. */
  async function record(
    config: { maxRequests: number; windowMs: number; maxConcurrent: number },
    lateness: () => number,
    lanes: { lane: string; n: number; priority?: boolean; minGapMs?: number }[],
    during?: (scheduler: ReturnType<typeof createUpstreamScheduler>, at: number) => void,
  ): Promise<SchedulerEvent[]> {
    const clock = lateClock(lateness)
    const events: SchedulerEvent[] = []
    const scheduler = createUpstreamScheduler({
      ...config,
      now: clock.now,
      timers: clock.timers,
      observe: (e) => {
        events.push(e)
        if (e.type === 'start') during?.(scheduler, events.filter((x) => x.type === 'start').length)
      },
    })
    let finished = 0
    const total = lanes.reduce((n, l) => n + l.n, 0)
    for (const l of lanes) {
      for (let i = 0; i < l.n; i++) {
        void scheduler
          .schedule(HOST, () => clock.sleep(10), {
            lane: l.lane,
            priority: l.priority ?? false,
            minGapMs: l.minGapMs ?? 0,
          })
          .then(() => finished++)
      }
    }
    await clock.runUntil(() => finished === total)
    scheduler.close()
    return events
  }

  it('never plans a wait longer than the cadence while work waits, however late its timers fire', async () => {
    const random = seeded(11)
    const config = { maxRequests: 5, windowMs: 1000, maxConcurrent: 8 }
    const events = await record(config, () => random() * 400, [
      { lane: 'a', n: 15 },
      { lane: 'b', n: 15 },
    ])
    const starts = events.filter((e) => e.type === 'start')
    expect(starts).toHaveLength(30)
    const spacingMs = config.windowMs / config.maxRequests
    let late = 0
    for (let k = 1; k < starts.length; k++) {
      const prev = starts[k - 1]!
      const cur = starts[k]!
      expect(cur.at).toBeGreaterThanOrEqual(cur.earliest!)
      late = Math.max(late, cur.at - cur.earliest!)
      // Work waited after the previous start: the wait the scheduler chose is the cadence at most.
      if (prev.queued > 0) {
        expect(cur.earliest! - prev.at).toBeLessThanOrEqual(spacingMs * (1 + SPACING_HEADROOM))
        expect(cur.earliest! - prev.at).toBeGreaterThanOrEqual(spacingMs - 1e-6)
      }
    }
    // The timers were late (the test's clock), which the record shows as at - earliest.
    expect(late).toBeGreaterThan(100)
  })

  it("records a lane's gap as its earliest start", async () => {
    const events = await record({ maxRequests: 0, windowMs: 1000, maxConcurrent: 8 }, () => 3, [
      { lane: 'paced', n: 4, minGapMs: 250 },
      { lane: 'free', n: 4 },
    ])
    const paced = events.filter((e) => e.type === 'start' && e.lane === 'paced')
    expect(paced).toHaveLength(4)
    for (let k = 1; k < paced.length; k++) {
      expect(paced[k]!.earliest).toBe(paced[k - 1]!.at + 250)
      expect(paced[k]!.at - paced[k - 1]!.at).toBeGreaterThanOrEqual(250)
    }
  })

  it('names the lanes still waiting, so priority is checkable decision by decision', async () => {
    const events = await record({ maxRequests: 4, windowMs: 1000, maxConcurrent: 2 }, () => 5, [
      { lane: 'job', n: 6 },
      { lane: 'refresh', n: 4, priority: true },
    ])
    const starts = events.filter((e) => e.type === 'start')
    expect(starts).toHaveLength(10)
    // The first job request started as it was queued; from then on the refresh went first.
    expect(starts.map((e) => e.lane)).toEqual([
      'job',
      ...Array<string>(4).fill('refresh'),
      ...Array<string>(5).fill('job'),
    ])
    expect(starts[1]!.waiting).toEqual(['job', 'refresh'])
    for (const e of starts) {
      if (e.lane !== 'refresh') expect(e.waiting).not.toContain('refresh')
    }
  })

  it('stamps a pause with the instant it was decided from, however the clock moves meanwhile', () => {
    // A clock that moves on at every reading, as Date.now can between two statements.
    let t = 1_000_000
    const events: SchedulerEvent[] = []
    const scheduler = createUpstreamScheduler({
      maxRequests: 10,
      windowMs: 1000,
      maxConcurrent: 4,
      now: () => t++,
      observe: (e) => events.push(e),
    })
    scheduler.reportOutcome(HOST, { status: 429, retryAfterMs: 1000 })
    const pause = events.find((e) => e.type === 'pause')
    expect(pause && pause.until! - pause.at).toBe(1000)
  })

  it('records a pause for a 429 and starts nothing before it ends', async () => {
    const events = await record(
      { maxRequests: 10, windowMs: 1000, maxConcurrent: 4 },
      () => 2,
      [{ lane: 'a', n: 8 }],
      (scheduler, started) => {
        if (started === 3) scheduler.reportOutcome(HOST, { status: 429, retryAfterMs: 1500 })
      },
    )
    const pauses = events.filter((e) => e.type === 'pause')
    expect(pauses).toHaveLength(1)
    const pause = pauses[0]!
    expect(pause.until! - pause.at).toBe(1500)
    const after = events.slice(events.indexOf(pause) + 1).filter((e) => e.type === 'start')
    expect(after).toHaveLength(5)
    for (const e of after) {
      expect(e.at).toBeGreaterThanOrEqual(pause.until!)
      expect(e.earliest).toBeGreaterThanOrEqual(pause.until!)
    }
  })
})
