/**
 * A circuit breaker per upstream host, as a small state machine. When open, callers do not
 * fail: they wait until `nextProbeAt` (jobs show as paused with the reason); then one probe is
 * let through (half-open); its success closes the circuit, its failure opens it again.
 */

export type CircuitState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerConfig {
  /** Consecutive failures that open the circuit. @default 5 */
  failureThreshold: number
  /** How long the circuit stays open before a probe. @default 30000 */
  openMs: number
  now?: () => number
}

export interface CircuitStatus {
  state: CircuitState
  consecutiveFailures: number
  reason: string | null
  openedAt: string | null
  /** Start of the current unbroken outage (first opening), for the give-up limit. */
  outageSince: string | null
  nextProbeAt: string | null
}

export type CircuitDecision =
  | { decision: 'go' }
  | { decision: 'wait'; untilMs: number; reason: string }

/**
 * In one process a plain state machine (sync); shared by processes (src/server/pg/pg-circuit.ts)
 * each call asks the database, hence the promises. Callers await every call.
 */
export interface CircuitBreaker {
  /** 'go' = send; 'wait' = open or probe in flight, retry at `untilMs`. */
  check(): CircuitDecision | Promise<CircuitDecision>
  onSuccess(): void | Promise<void>
  onFailure(reason: string): void | Promise<void>
  status(): CircuitStatus
  /** Subscribe to state changes (alerts); returns an unsubscribe function. */
  onChange(listener: (status: CircuitStatus) => void): () => void
}

/** The one-process breaker: its calls answer synchronously. */
export interface LocalCircuitBreaker extends CircuitBreaker {
  check(): CircuitDecision
  onSuccess(): void
  onFailure(reason: string): void
}

export function createCircuitBreaker(config: CircuitBreakerConfig): LocalCircuitBreaker {
  const now = config.now ?? Date.now
  let state: CircuitState = 'closed'
  let failures = 0
  let reason: string | null = null
  let openedAt: number | null = null
  let outageSince: number | null = null
  let probeInFlight = false
  const listeners = new Set<(s: CircuitStatus) => void>()

  const status = (): CircuitStatus => ({
    state,
    consecutiveFailures: failures,
    reason,
    openedAt: openedAt === null ? null : new Date(openedAt).toISOString(),
    outageSince: outageSince === null ? null : new Date(outageSince).toISOString(),
    nextProbeAt:
      openedAt === null || state === 'closed'
        ? null
        : new Date(openedAt + config.openMs).toISOString(),
  })
  const transition = (next: CircuitState) => {
    if (next === state) return
    state = next
    for (const l of listeners) l(status())
  }
  const open = (why: string) => {
    reason = why
    openedAt = now()
    outageSince ??= openedAt
    probeInFlight = false
    transition('open')
  }

  return {
    check() {
      if (state === 'closed') return { decision: 'go' }
      const probeAt = (openedAt ?? 0) + config.openMs
      if (state === 'open' && now() >= probeAt) {
        transition('half-open')
      }
      if (state === 'half-open' && !probeInFlight) {
        probeInFlight = true
        return { decision: 'go' }
      }
      return {
        decision: 'wait',
        untilMs: state === 'open' ? probeAt : now() + Math.min(1000, config.openMs),
        reason: reason ?? 'circuit open',
      }
    },
    onSuccess() {
      failures = 0
      probeInFlight = false
      if (state !== 'closed') {
        reason = null
        openedAt = null
        outageSince = null
        transition('closed')
      }
    },
    onFailure(why) {
      failures++
      if (state === 'half-open' || (state === 'closed' && failures >= config.failureThreshold))
        open(why)
      else if (state === 'open') reason = why
    },
    status,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
