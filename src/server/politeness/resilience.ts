/**
 * Puts the shared politeness budget and the per-host circuit breaker in the path of every
 * upstream request (the client's `schedule` hook). Each request arrives with the lane its caller
 * named (job id, priority, minimum gap), which goes to the scheduler as it is.
 */
import type { Logger } from 'pino'
import {
  UpstreamNetworkError,
  UpstreamTimeoutError,
  parseRetryAfter,
  type HttpExchange,
  type Schedule,
} from '../upstream/index.ts'
import { createCircuitBreaker, type CircuitBreaker, type CircuitStatus } from './circuit-breaker.ts'
import { delay } from './retry-policy.ts'
import type { UpstreamScheduler } from './upstream-scheduler.ts'
import { ErrorCode } from '../../shared/error-codes.ts'

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

/** A request admitted while closed whose start came after the circuit opened. */
class OpenedWhileWaiting extends Error {}

export interface ResilienceConfig {
  scheduler: UpstreamScheduler
  breaker: { failureThreshold: number; openMs: number; maxOutageMs: number }
  now?: () => number
  logger: Logger
  onCircuitChange?: (host: string, status: CircuitStatus) => void
  /**
   * The breaker of a host; PostgreSQL mode shares it between processes (src/server/pg/pg-circuit.ts).
   * @default createCircuitBreaker, one per host in this process
   */
  createBreaker?: (host: string) => CircuitBreaker
}

export interface Resilience {
  /** The client's `schedule` option. */
  schedule: Schedule
  circuit(host?: string): CircuitStatus
  /** Sees every circuit change of every host; returns an unsubscribe function. */
  onCircuitChange(listener: (host: string, status: CircuitStatus) => void): () => void
  hosts(): string[]
}

export function createResilience(config: ResilienceConfig): Resilience {
  const now = config.now ?? Date.now
  const breakers = new Map<string, CircuitBreaker>()
  const circuitListeners = new Set<(host: string, status: CircuitStatus) => void>()

  const breakerOf = (host: string): CircuitBreaker => {
    let b = breakers.get(host)
    if (!b) {
      b =
        config.createBreaker?.(host) ??
        createCircuitBreaker({
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
      const c = await b.check()
      if (c.decision === 'go') return b.status().state === 'half-open'
      const openedAt = b.status().openedAt
      if (outageTooLong(b) && openedAt !== null && Date.parse(openedAt) >= arrived)
        throw new CircuitOpenError(host, b.status())
      await delay(Math.max(50, Math.min(c.untilMs - now(), 1000)), signal)
    }
  }

  /** Feeds the exchange's status back to the budget and the breaker. */
  const onExchange = async (host: string, exchange: HttpExchange, probe: boolean) => {
    const b = breakerOf(host)
    config.scheduler.reportOutcome(host, {
      status: exchange.status,
      retryAfterMs: parseRetryAfter(exchange.retryAfter, now()),
    })
    if (exchange.status < 500) return await b.onSuccess()
    await b.onFailure(`HTTP ${exchange.status}`)
    // The probe of an outage that lasted too long failed: give up.
    if (probe && outageTooLong(b)) throw new CircuitOpenError(host, b.status())
  }

  return {
    async schedule(host, task, request) {
      for (;;) {
        const probe = await passBreaker(host, request.signal)
        const b = breakerOf(host)
        try {
          const exchange = await config.scheduler.schedule(
            host,
            async (signal, permit) => {
              // Opened (here or, shared, by another process) while this request waited for its
              // start: it does not go (its grant is given back); it waits at the breaker again.
              if (!probe && b.status().state !== 'closed') {
                permit.release()
                throw new OpenedWhileWaiting()
              }
              return task(signal, permit)
            },
            request,
          )
          await onExchange(host, exchange, probe)
          return exchange
        } catch (error) {
          if (error instanceof OpenedWhileWaiting) continue
          if (error instanceof UpstreamNetworkError || error instanceof UpstreamTimeoutError) {
            await b.onFailure(error.message)
            if (probe && outageTooLong(b)) throw new CircuitOpenError(host, b.status())
          }
          throw error
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
