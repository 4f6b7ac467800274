/**
 * The one politeness budget for the upstream (docs/architecture.md#politeness): every request of every job and of the refresh
 * goes through `schedule()`. Per host it enforces
 *  - a rate limit: at most `maxRequests` starts in any `windowMs`, spread evenly (never two starts
 *    closer than `windowMs / maxRequests`, measured between actual starts, so a timer that fires
 *    late never lets the next start catch up in a burst),
 *  - a cap on requests in flight,
 *  - an optional minimum gap per lane (a job's `rateLimitDelayMs`),
 *  - a pause after 429 / Retry-After and a temporarily lowered rate after server errors,
 * and shares it fairly: lanes with priority (the refresh) first, the others round-robin, so a
 * small job started during a large one is not starved.
 *
 * Why spread: the upstream counts arrivals, not our decisions. Requests started back to back at
 * the end of one window and the start of the next reach it with uneven delays, and a burst of
 * `maxRequests` then lands in one of its windows together with a neighbour. With starts on a
 * cadence of `(1 + SPACING_HEADROOM) * windowMs / maxRequests`, any `maxRequests + 1` starts span
 * more than a window by a margin that absorbs that unevenness, while the rate stays above 95% of
 * the limit: a start may come up to `SPACING_HEADROOM` of the spacing early on the cadence, which
 * makes up for timers firing slightly late. The margin left at the upstream is
 * `SPACING_HEADROOM * (windowMs - windowMs / maxRequests)` (56 ms at 5 per second).
 */

import type { SendPermit } from '../upstream/index.ts'

/** Fraction of the even spacing kept as margin against uneven arrival at the upstream. */
export const SPACING_HEADROOM = 0.07

/** Timers, injectable so tests can fire them late on a clock of their own. */
export interface SchedulerTimers {
  set(fn: () => void, ms: number): unknown
  clear(handle: unknown): void
}

/**
 * What the scheduler decided, with its own clock: a start, the end of a request, or a pause after
 * a 429 / Retry-After. Tests assert these decisions rather than arrival times, which carry the
 * machine's load (docs/performance.md#test-suite).
 */
export interface SchedulerEvent {
  type: 'start' | 'end' | 'pause'
  host: string
  /** The lane started or ended; '' for a pause (it holds every lane). */
  lane: string
  at: number
  /** Requests of this host still waiting after the decision. */
  queued: number
  /** The lanes with requests still waiting after the decision, in serving order. */
  waiting: string[]
  /**
   * A start only: the earliest time the scheduler's own rules (rate, pause, the lane's gap)
   * allowed it. `at - earliest` is how late its timer fired; the wait it chose ends here.
   */
  earliest?: number
  /** A pause only: no start before this time. */
  until?: number
}

/** The pause and slowdown a shared budget holds for a host, as its answers report them. */
export interface BudgetState {
  /** How long every process still waits after a 429 (0 = not paused). */
  pausedForMs: number
  /** Divisor on maxRequests after server errors; 1 = full speed. */
  slowdown: number
}

/** A budget's answer: a start now (with the permit the request is sent under) or a wait. */
export type BudgetAnswer = (
  | {
      granted: true
      /** @default ALWAYS_PERMIT */
      permit?: SendPermit
      /** The grant is for a slot this far ahead: the start waits until then. @default 0 */
      startInMs?: number
    }
  | { granted: false; retryInMs: number }
) &
  Partial<BudgetState>

/**
 * Where a start is finally allowed: the seam to a budget shared with other processes. The
 * scheduler asks only once its own rules (concurrency, lanes, pause) let a request go, and starts
 * at once when granted; a denial names how long to wait. In one process the scheduler's own
 * spacing is the whole budget: `IN_PROCESS_BUDGET` grants every start. The PostgreSQL one
 * (src/server/pg/pg-budget.ts) decides for every process of every machine: it is `shared`, so
 * the rate (and the pause and slowdown, through `report`) is its decision, not this process's.
 */
export interface StartBudget {
  /** The budget decides the rate, pause and slowdown for every process. @default false */
  readonly shared?: boolean
  acquire(
    host: string,
    request: { maxRequests: number; windowMs: number; priority: boolean; lane: string },
  ): Promise<BudgetAnswer>
  /** An upstream answer that changes the pause or slowdown of every process (shared budgets). */
  report?(
    host: string,
    outcome: { status?: number; retryAfterMs?: number | null },
  ): Promise<BudgetState>
}

/** A grant without a deadline: every claim succeeds. */
export const ALWAYS_PERMIT: SendPermit = { claim: () => true, release: () => {} }

/** Today's one-process behaviour: the scheduler's own spacing decides alone. */
export const IN_PROCESS_BUDGET: StartBudget = {
  acquire: () => Promise.resolve({ granted: true }),
}

/** How long the scheduler waits before asking a budget that failed (database gone) again. */
export const BUDGET_RETRY_MS = 1000

export interface SchedulerConfig {
  /** Starts allowed per window and host; 0 = unlimited (local simulator only). */
  maxRequests: number
  windowMs: number
  maxConcurrent: number
  /** @default Date.now */
  now?: () => number
  /** @default setTimeout / clearTimeout */
  timers?: SchedulerTimers
  /** Sees every decision (metrics, tests); must not throw. */
  observe?: (event: SchedulerEvent) => void
  /**
   * Asked before every start, after the scheduler's own rules. When it fails (throws), nothing
   * starts: the scheduler asks again after BUDGET_RETRY_MS. @default IN_PROCESS_BUDGET
   */
  budget?: StartBudget
}

export interface ScheduleOptions {
  signal?: AbortSignal
  /** Fairness unit, e.g. a job id. @default 'default' */
  lane?: string
  /** Lanes with priority are served before all others (the daily refresh). */
  priority?: boolean
  /** Minimum gap between two starts of this lane. */
  minGapMs?: number
}

export interface SchedulerStatus {
  rateLimiter: { currentCount: number; maxRequests: number; windowMs: number; nextResetAt: string }
  concurrencyLimiter: { activeSlots: number; maxConcurrent: number; queueLength: number }
  /** Extra fields beyond the job view's performanceStatus: effective rate and pause. */
  adaptive: { effectiveMaxRequests: number; pausedUntil: string | null }
}

interface Waiter {
  lane: string
  priority: boolean
  minGapMs: number
  /**
   * Starts the task with its send permit; `at` is the decision's time, `earliest` the rules'
   * (for the record).
   */
  start: (permit: SendPermit, at: number, earliest: number) => void
  reject: (e: unknown) => void
}

interface HostState {
  starts: number[]
  active: number
  lanes: Map<string, Waiter[]>
  laneOrder: string[]
  lastLaneStart: Map<string, number>
  pausedUntil: number
  /** Divisor on maxRequests after server errors; 1 = full speed. */
  slowdown: number
  /** The actual time of the latest start (-Infinity before the first). */
  lastStart: number
  /** Where the cadence puts the next start; starts may come SPACING_HEADROOM early on it. */
  nextOnCadence: number
  timer: unknown
  timerAt: number
  /** A budget request is out; no other decision until it answers. */
  acquiring: boolean
  /** The budget granted a start that the next pump uses at once (or gives back). */
  granted: SendPermit | null
  /** When the granted start may go (a grant can be for a slot just ahead). */
  grantStartAt: number
}

export interface UpstreamScheduler {
  /**
   * Runs `task` when the budget allows. The task gets the grant's permit: a task that sends calls
   * `permit.claim()` right before sending and does not send when it answers false (the task then
   * fails and is scheduled again, transparently: its grant had expired).
   */
  schedule<T>(
    host: string,
    task: (signal: AbortSignal, permit: SendPermit) => Promise<T>,
    options?: ScheduleOptions,
  ): Promise<T>
  /** Feed back what the upstream answered so the budget can adapt. */
  reportOutcome(host: string, outcome: { status?: number; retryAfterMs?: number | null }): void
  status(host?: string): SchedulerStatus
  close(): void
}

const MAX_SLOWDOWN = 8

const DEFAULT_TIMERS: SchedulerTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export function createUpstreamScheduler(config: SchedulerConfig): UpstreamScheduler {
  const now = config.now ?? Date.now
  const timers = config.timers ?? DEFAULT_TIMERS
  const observe = (
    type: SchedulerEvent['type'],
    host: string,
    lane: string,
    extra: Partial<Pick<SchedulerEvent, 'at' | 'earliest' | 'until'>> = {},
  ) => {
    if (!config.observe) return
    try {
      const s = stateOf(host)
      const waiting = s.laneOrder.filter((l) => (s.lanes.get(l)?.length ?? 0) > 0)
      config.observe({
        type,
        host,
        lane,
        at: extra.at ?? now(),
        queued: queued(s),
        waiting,
        ...extra,
      })
    } catch {
      // An observer must never break the budget.
    }
  }
  const hosts = new Map<string, HostState>()
  const budget = config.budget ?? IN_PROCESS_BUDGET
  let closed = false

  const stateOf = (host: string): HostState => {
    let s = hosts.get(host)
    if (!s) {
      s = {
        starts: [],
        active: 0,
        lanes: new Map(),
        laneOrder: [],
        lastLaneStart: new Map(),
        pausedUntil: 0,
        slowdown: 1,
        lastStart: Number.NEGATIVE_INFINITY,
        nextOnCadence: Number.NEGATIVE_INFINITY,
        timer: null,
        timerAt: 0,
        acquiring: false,
        granted: null,
        grantStartAt: 0,
      }
      hosts.set(host, s)
    }
    return s
  }

  const queued = (s: HostState) => [...s.lanes.values()].reduce((n, q) => n + q.length, 0)

  const effectiveMax = (s: HostState) =>
    config.maxRequests === 0 ? 0 : Math.max(1, Math.floor(config.maxRequests / s.slowdown))

  const prune = (s: HostState, t: number) => {
    while (s.starts.length > 0 && (s.starts[0] ?? 0) <= t - config.windowMs) s.starts.shift()
  }

  /** Even spacing of starts at the current (possibly lowered) rate; 0 = unlimited. */
  const spacingOf = (s: HostState): number => {
    const max = effectiveMax(s)
    return max === 0 ? 0 : config.windowMs / max
  }

  /** Earliest time a new start is allowed by the rate limit and pause, ignoring lanes. */
  const hostReadyAt = (s: HostState, t: number): number => {
    let at = Math.max(t, s.pausedUntil)
    const max = effectiveMax(s)
    // A shared budget decides the rate for every process, this one included.
    if (max === 0 || budget.shared) return at
    const spacing = spacingOf(s)
    at = Math.max(at, s.lastStart + spacing, s.nextOnCadence - spacing * SPACING_HEADROOM)
    // Implied by the spacing; kept so a lowered rate applies at once to the recent starts too.
    if (s.starts.length >= max) {
      at = Math.max(at, (s.starts[s.starts.length - max] ?? t) + config.windowMs)
    }
    return at
  }

  const recordStart = (s: HostState, t: number) => {
    s.starts.push(t)
    s.lastStart = t
    const spacing = spacingOf(s)
    if (spacing > 0)
      s.nextOnCadence = Math.max(s.nextOnCadence, t) + spacing * (1 + SPACING_HEADROOM)
  }

  /** The lane pickWaiter would serve now, without taking its head, or when to look again. */
  const peekWaiter = (s: HostState, t: number): { lane: string | null; retryAt: number } => {
    let retryAt = Number.POSITIVE_INFINITY
    const order = [...s.laneOrder].sort(
      (a, b) => Number(isPriority(s, b)) - Number(isPriority(s, a)),
    )
    for (const lane of order) {
      const head = s.lanes.get(lane)?.[0]
      if (!head) continue
      const readyAt = (s.lastLaneStart.get(lane) ?? -Infinity) + head.minGapMs
      if (readyAt > t) retryAt = Math.min(retryAt, readyAt)
      else return { lane, retryAt }
    }
    return { lane: null, retryAt }
  }

  /** Mirrors what a shared budget holds (every process's pause and slowdown) for status(). */
  const mirror = (s: HostState, state: Partial<BudgetState>) => {
    if (state.slowdown !== undefined) s.slowdown = state.slowdown
    if (state.pausedForMs !== undefined && state.pausedForMs > 0)
      s.pausedUntil = Math.max(s.pausedUntil, now() + state.pausedForMs)
  }

  const askBudget = (host: string, s: HostState, lane: string) => {
    s.acquiring = true
    const priority = isPriority(s, lane)
    budget
      .acquire(host, {
        maxRequests: config.maxRequests,
        windowMs: config.windowMs,
        priority,
        lane,
      })
      .then(
        (answer) => {
          s.acquiring = false
          mirror(s, answer)
          if (!answer.granted) {
            // A priority request came in while a lower one was being asked for: it asks at once
            // (its hold on the next start), not after the lower one's wait.
            const next = priority ? null : peekWaiter(s, now()).lane
            if (next !== null && isPriority(s, next)) return pump(host)
            return arm(host, s, now() + Math.max(1, answer.retryInMs))
          }
          s.granted = answer.permit ?? ALWAYS_PERMIT
          // 1 ms over: a timer may fire that much early against the budget's clock.
          const wait = answer.startInMs ?? 0
          s.grantStartAt = wait > 0 ? now() + wait + 1 : 0
          pump(host)
        },
        () => {
          // No budget = no request: wait and ask again (the budget reports its own trouble).
          s.acquiring = false
          arm(host, s, now() + BUDGET_RETRY_MS)
        },
      )
  }

  const pickWaiter = (s: HostState, t: number): { waiter: Waiter | null; retryAt: number } => {
    let retryAt = Number.POSITIVE_INFINITY
    const order = [...s.laneOrder].sort(
      (a, b) => Number(isPriority(s, b)) - Number(isPriority(s, a)),
    )
    for (const lane of order) {
      const queue = s.lanes.get(lane)
      const head = queue?.[0]
      if (!queue || !head) continue
      const readyAt = (s.lastLaneStart.get(lane) ?? -Infinity) + head.minGapMs
      if (readyAt > t) {
        retryAt = Math.min(retryAt, readyAt)
        continue
      }
      queue.shift()
      if (queue.length === 0) {
        s.lanes.delete(lane)
        s.laneOrder = s.laneOrder.filter((l) => l !== lane)
      } else {
        // Round robin: the lane just served goes to the back.
        s.laneOrder = [...s.laneOrder.filter((l) => l !== lane), lane]
      }
      return { waiter: head, retryAt }
    }
    return { waiter: null, retryAt }
  }

  const arm = (host: string, s: HostState, at: number) => {
    if (!Number.isFinite(at)) return
    if (s.timer !== null && s.timerAt <= at) return
    if (s.timer !== null) timers.clear(s.timer)
    s.timerAt = at
    s.timer = timers.set(
      () => {
        s.timer = null
        pump(host)
      },
      Math.max(0, at - now()),
    )
    // Not unref'd: a queued request is work the process must wait for (a CLI run would otherwise end with Node's exit 13).
  }

  const pump = (host: string) => {
    if (closed) return
    const s = stateOf(host)
    if (s.acquiring) return
    for (;;) {
      // A grant is used by this pass or given back: a start later than granted could bunch with
      // another process's next one. A grant given back was never sent, so it is no extra start.
      const granted = s.granted
      // Granted for a slot just ahead: kept until then, then used or given back as below.
      if (granted && s.grantStartAt > now()) return arm(host, s, s.grantStartAt)
      s.granted = null
      const giveBack = () => granted?.release()
      if (s.active >= config.maxConcurrent || s.laneOrder.length === 0) return giveBack()
      const t = now()
      prune(s, t)
      const readyAt = hostReadyAt(s, t)
      if (readyAt > t) {
        giveBack()
        return arm(host, s, readyAt)
      }
      if (!granted && budget !== IN_PROCESS_BUDGET) {
        const next = peekWaiter(s, t)
        if (next.lane === null) return arm(host, s, next.retryAt)
        return askBudget(host, s, next.lane)
      }
      const { waiter, retryAt } = pickWaiter(s, t)
      if (!waiter) {
        giveBack()
        return arm(host, s, retryAt)
      }
      // For the decision record: the host's rules with no clamp to now, and the lane's gap.
      const earliest = Math.max(
        hostReadyAt(s, Number.NEGATIVE_INFINITY),
        (s.lastLaneStart.get(waiter.lane) ?? Number.NEGATIVE_INFINITY) + waiter.minGapMs,
      )
      recordStart(s, t)
      s.lastLaneStart.set(waiter.lane, t)
      s.active++
      waiter.start(granted ?? ALWAYS_PERMIT, t, earliest)
    }
  }

  return {
    schedule(host, task, options = {}) {
      const s = stateOf(host)
      const lane = options.lane ?? 'default'
      const signal = options.signal
      return new Promise((resolve, reject) => {
        if (closed) return reject(new Error('scheduler closed'))
        if (signal?.aborted) return reject(signal.reason)
        const ac = new AbortController()
        const onAbort = () => {
          const queue = s.lanes.get(lane)
          const i = queue?.indexOf(waiter) ?? -1
          if (queue && i >= 0) {
            queue.splice(i, 1)
            if (queue.length === 0) {
              s.lanes.delete(lane)
              s.laneOrder = s.laneOrder.filter((l) => l !== lane)
            }
            reject(signal?.reason)
          } else {
            ac.abort(signal?.reason)
          }
        }
        const waiter: Waiter = {
          lane,
          priority: options.priority ?? false,
          minGapMs: options.minGapMs ?? 0,
          reject,
          start: (permit, at, earliest) => {
            observe('start', host, lane, { at, earliest })
            // The grant expired before the send (the task claimed it too late): nothing was
            // sent, so the request waits at the head of its lane for a new grant.
            let expired = false
            const claimed: SendPermit = {
              claim: () => {
                const ok = permit.claim()
                expired = !ok
                return ok
              },
              release: () => permit.release(),
            }
            task(ac.signal, claimed)
              .then(resolve, (error: unknown) => {
                if (!expired) return reject(error)
                if (signal?.aborted) return reject(signal.reason)
                if (closed || ac.signal.aborted) return reject(new Error('scheduler closed'))
                requeue()
              })
              .finally(() => {
                if (!expired) signal?.removeEventListener('abort', onAbort)
                s.active--
                observe('end', host, lane)
                pump(host)
              })
          },
        }
        const requeue = () => {
          if (!s.lanes.has(lane)) {
            s.lanes.set(lane, [])
            s.laneOrder.push(lane)
          }
          s.lanes.get(lane)?.unshift(waiter)
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        if (!s.lanes.has(lane)) {
          s.lanes.set(lane, [])
          s.laneOrder.push(lane)
        }
        s.lanes.get(lane)?.push(waiter)
        pump(host)
      })
    },

    reportOutcome(host, outcome) {
      const s = stateOf(host)
      const t = now()
      const changes =
        outcome.status === 429 ||
        (outcome.retryAfterMs ?? 0) > 0 ||
        (outcome.status !== undefined && outcome.status >= 500) ||
        (outcome.status !== undefined && outcome.status < 400 && s.slowdown > 1)
      if (budget.report && changes) {
        // Every process pauses and slows down together: the shared budget holds both.
        const pauses = outcome.status === 429 || (outcome.retryAfterMs ?? 0) > 0
        const shared = {
          status: outcome.status,
          retryAfterMs: pauses ? (outcome.retryAfterMs ?? config.windowMs) : null,
        }
        budget.report(host, shared).then(
          (state) => {
            mirror(s, state)
            pump(host)
          },
          () => {
            // Not shared this time (database gone); this process still applies it below.
          },
        )
      }
      if (outcome.status === 429 || (outcome.retryAfterMs ?? 0) > 0) {
        const pause = outcome.retryAfterMs ?? config.windowMs
        s.pausedUntil = Math.max(s.pausedUntil, t + pause)
        s.slowdown = Math.min(MAX_SLOWDOWN, s.slowdown * 2)
        // Stamped with the instant the pause was decided from, not a later reading of the clock.
        observe('pause', host, '', { at: t, until: s.pausedUntil })
      } else if (outcome.status !== undefined && outcome.status >= 500) {
        s.slowdown = Math.min(MAX_SLOWDOWN, s.slowdown * 1.5)
      } else if (outcome.status !== undefined && outcome.status < 400 && s.slowdown > 1) {
        // Recover gradually: a little speed back per good answer.
        s.slowdown = Math.max(1, s.slowdown * 0.9)
      }
      pump(host)
    },

    status(host) {
      const s = host ? stateOf(host) : [...hosts.values()][0]
      const t = now()
      if (s) prune(s, t)
      const starts = s?.starts ?? []
      const queueLength = s ? queued(s) : 0
      const oldest = starts[0]
      return {
        rateLimiter: {
          currentCount: starts.length,
          maxRequests: config.maxRequests,
          windowMs: config.windowMs,
          // An empty window has nothing to reset: now, on the whole second, so a status read
          // twice within a second is the same (job views are kept per second).
          nextResetAt: new Date(
            oldest === undefined ? Math.floor(t / 1000) * 1000 : oldest + config.windowMs,
          ).toISOString(),
        },
        concurrencyLimiter: {
          activeSlots: s?.active ?? 0,
          maxConcurrent: config.maxConcurrent,
          queueLength,
        },
        adaptive: {
          effectiveMaxRequests: s ? effectiveMax(s) : config.maxRequests,
          pausedUntil: s && s.pausedUntil > t ? new Date(s.pausedUntil).toISOString() : null,
        },
      }
    },

    close() {
      closed = true
      for (const s of hosts.values()) {
        if (s.timer !== null) timers.clear(s.timer)
        s.timer = null
        for (const q of s.lanes.values()) for (const w of q) w.reject(new Error('scheduler closed'))
        s.lanes.clear()
        s.laneOrder = []
      }
    },
  }
}

function isPriority(s: HostState, lane: string): boolean {
  return s.lanes.get(lane)?.[0]?.priority ?? false
}
