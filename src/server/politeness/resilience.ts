/**
 * Puts the shared politeness budget and the per-host circuit breaker in the path of every
 * upstream request (the client's `schedule` hook), and retries whole report fetches with
 * backoff. The lane (job id, priority, minimum gap) travels with the async call chain, so the
 * client needs no knowledge of jobs.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Logger } from 'pino'
import { parseRetryAfter } from '../upstream/index.ts'
import { createCircuitBreaker, type CircuitBreaker, type CircuitStatus } from './circuit-breaker.ts'
import { computeDelayMs, delay, planRetry, type RetryPolicy } from './retry-policy.ts'
import type { ScheduleOptions, UpstreamScheduler } from './upstream-scheduler.ts'
import { ErrorCode } from '../../shared/error-codes.ts'

export interface Lane {
  lane: string
  priority?: boolean
  minGapMs?: number
}

/** The circuit stayed open longer than allowed: the job gives up (finished cells are kept). */
export class CircuitOpenError extends Error {
  override name = 'CircuitOpenError'
  readonly code = ErrorCode.CIRCUIT_OPEN
  readonly retryable = false
  readonly host: string
  constructor(host: string, status: CircuitStatus) {
    super(
      `Upstream ${host} unreachable since ${status.outageSince ?? '?'}: ${status.reason ?? 'circuit open'}`,
    )
    this.host = host
  }
}

export interface ResilienceConfig {
  scheduler: UpstreamScheduler
  breaker: { failureThreshold: number; openMs: number; maxOutageMs: number }
  now?: () => number
  logger: Logger
  onCircuitChange?: (host: string, status: CircuitStatus) => void
}

interface RetryableLike {
  retryable?: boolean
  isWrongAnswer?: boolean
  retryAfterMs?: number | null
  code?: string
  message?: string
}

export interface Resilience {
  /** Drop-in for the client's `schedule` option. */
  schedule<T>(
    host: string,
    task: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T>
  /** Runs `fn` with every request in it billed to `lane`. */
  inLane<T>(lane: Lane, fn: () => Promise<T>): Promise<T>
  /**
   * Retries `fn` on retryable errors; `onRetry` sees each failed attempt. Wrong answers (a body
   * of another snapshot) are retried up to `wrongAnswerRetries` times, apart from
   * `policy.maxAttempts`.
   */
  withRetries<T>(
    fn: () => Promise<T>,
    options: {
      policy: RetryPolicy
      wrongAnswerRetries: number
      enabled: boolean
      signal?: AbortSignal
      onRetry?: (attempt: number, error: unknown, delayMs: number) => void
    },
  ): Promise<{ value: T; attempts: number }>
  circuit(host?: string): CircuitStatus
  /** Sees every circuit change of every host; returns an unsubscribe function. */
  onCircuitChange(listener: (host: string, status: CircuitStatus) => void): () => void
  hosts(): string[]
}

export function createResilience(config: ResilienceConfig): Resilience {
  const now = config.now ?? Date.now
  const lanes = new AsyncLocalStorage<Lane>()
  const breakers = new Map<string, CircuitBreaker>()
  const circuitListeners = new Set<(host: string, status: CircuitStatus) => void>()

  const breakerOf = (host: string): CircuitBreaker => {
    let b = breakers.get(host)
    if (!b) {
      b = createCircuitBreaker({
        failureThreshold: config.breaker.failureThreshold,
        openMs: config.breaker.openMs,
        now,
      })
      b.onChange((s) => {
        config.logger.warn({ host, circuit: s }, `circuit ${s.state} for ${host}`)
        config.onCircuitChange?.(host, s)
        for (const listener of circuitListeners) listener(host, s)
      })
      breakers.set(host, b)
    }
    return b
  }

  const outageTooLong = (b: CircuitBreaker): boolean => {
    const since = b.status().outageSince
    return since !== null && now() - Date.parse(since) > config.breaker.maxOutageMs
  }

  /**
   * Waits while the circuit is open; true when this request goes as the half-open probe. Gives
   * up once the outage outlasts maxOutageMs and a probe made since this request arrived failed:
   * a job started after a long outage first lets the upstream be asked again.
   */
  const passBreaker = async (host: string, signal?: AbortSignal): Promise<boolean> => {
    const b = breakerOf(host)
    const arrived = now()
    for (;;) {
      const c = b.check()
      if (c.decision === 'go') return b.status().state === 'half-open'
      const openedAt = b.status().openedAt
      if (outageTooLong(b) && openedAt !== null && Date.parse(openedAt) >= arrived)
        throw new CircuitOpenError(host, b.status())
      await delay(Math.max(50, Math.min(c.untilMs - now(), 1000)), signal)
    }
  }

  return {
    async schedule(host, task, signal) {
      const probe = await passBreaker(host, signal)
      const lane = lanes.getStore()
      const options: ScheduleOptions = {
        signal,
        lane: lane?.lane ?? 'default',
        priority: lane?.priority ?? false,
        minGapMs: lane?.minGapMs ?? 0,
      }
      const b = breakerOf(host)
      try {
        const result = await config.scheduler.schedule(host, task, options)
        // The client's task resolves with its HTTP exchange (status, Retry-After); the hook is
        // generic, so those two fields are read defensively rather than typed.
        const status = (result as { status?: unknown })?.status
        const retryAfter = (result as { retryAfter?: unknown })?.retryAfter
        if (typeof status === 'number') {
          config.scheduler.reportOutcome(host, {
            status,
            retryAfterMs: parseRetryAfter(
              typeof retryAfter === 'string' ? retryAfter : null,
              now(),
            ),
          })
          if (status >= 500) {
            b.onFailure(`HTTP ${status}`)
            // The probe of an outage that lasted too long failed: give up.
            if (probe && outageTooLong(b)) throw new CircuitOpenError(host, b.status())
          } else b.onSuccess()
        } else {
          b.onSuccess()
        }
        return result
      } catch (error) {
        const code = (error as RetryableLike)?.code
        if (code === ErrorCode.UPSTREAM_NETWORK || code === ErrorCode.UPSTREAM_TIMEOUT) {
          b.onFailure((error as Error).message)
          if (probe && outageTooLong(b)) throw new CircuitOpenError(host, b.status())
        }
        throw error
      }
    },

    inLane(lane, fn) {
      return lanes.run(lane, fn)
    },

    async withRetries(fn, options) {
      const counts = { other: 0, wrongAnswers: 0 }
      for (let attempt = 1; ; attempt++) {
        try {
          return { value: await fn(), attempts: attempt }
        } catch (error) {
          const e = (error ?? {}) as RetryableLike
          const failure = {
            retryable: e.retryable === true,
            isWrongAnswer: e.isWrongAnswer === true,
          }
          if (failure.isWrongAnswer) counts.wrongAnswers++
          else counts.other++
          const plan = planRetry(counts, failure, options.policy, options.wrongAnswerRetries)
          if (options.signal?.aborted || !options.enabled || !plan.retry) {
            if (error && typeof error === 'object')
              (error as { attempts?: number }).attempts = attempt
            throw error
          }
          const wait = computeDelayMs(plan.backoffAttempt, options.policy, e.retryAfterMs ?? null)
          options.onRetry?.(attempt, error, wait)
          await delay(wait, options.signal)
        }
      }
    },

    circuit(host) {
      const b = host ? breakerOf(host) : [...breakers.values()][0]
      return (
        b?.status() ?? {
          state: 'closed',
          consecutiveFailures: 0,
          reason: null,
          openedAt: null,
          outageSince: null,
          nextProbeAt: null,
        }
      )
    },

    onCircuitChange(listener) {
      circuitListeners.add(listener)
      return () => circuitListeners.delete(listener)
    },

    hosts() {
      return [...breakers.keys()]
    },
  }
}
