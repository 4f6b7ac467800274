/**
 * Politeness towards the upstream: one shared request budget (the scheduler) and a per-host
 * circuit breaker, combined in `createResilience` (the client's schedule hook), and
 * `withRetries` with backoff around whole report fetches. Import from here.
 */
export { CircuitOpenError, createResilience } from './resilience.ts'
export type { Resilience, ResilienceConfig } from './resilience.ts'
export { AttemptsFailedError, withRetries } from './with-retries.ts'
export type { RetryOptions } from './with-retries.ts'
export {
  DEFAULT_RETRY_POLICY,
  DEFAULT_WRONG_ANSWER_RETRIES,
  computeDelayMs,
  delay,
  planRetry,
  shouldRetry,
} from './retry-policy.ts'
export type { FailureCounts, RetryPolicy } from './retry-policy.ts'
export {
  ALWAYS_PERMIT,
  BUDGET_RETRY_MS,
  IN_PROCESS_BUDGET,
  SPACING_HEADROOM,
  createUpstreamScheduler,
} from './upstream-scheduler.ts'
export type {
  BudgetAnswer,
  BudgetState,
  ScheduleOptions,
  SchedulerConfig,
  SchedulerEvent,
  SchedulerTimers,
  SchedulerStatus,
  StartBudget,
  UpstreamScheduler,
} from './upstream-scheduler.ts'
export type {
  CircuitBreaker,
  CircuitBreakerConfig,
  CircuitDecision,
  CircuitState,
  CircuitStatus,
} from './circuit-breaker.ts'
