/**
 * Runs one upstream operation again after retryable failures, with backoff
 * (docs/architecture.md#errors-and-retries). How many attempts it took is part of the answer,
 * on success and on failure alike, so the caller can record it without touching the error.
 */
import { UpstreamError, UpstreamHttpError } from '../upstream/index.ts'
import { computeDelayMs, delay, planRetry, type RetryPolicy } from './retry-policy.ts'

export interface RetryOptions {
  policy: RetryPolicy
  /** Retries of a wrong answer (a body of another as-of or month), apart from `policy.maxAttempts`. */
  wrongAnswerRetries: number
  /** Stops the waiting between attempts; the wait rejects with the signal's reason. */
  signal?: AbortSignal
  /** Sees each failed attempt that is tried again, with the delay before the next one. */
  onRetry?: (attempt: number, error: unknown, delayMs: number) => void
}

/** The operation failed and is not tried again: `cause` is the last attempt's error. */
export class AttemptsFailedError extends Error {
  override name = 'AttemptsFailedError'
  readonly attempts: number
  constructor(cause: unknown, attempts: number) {
    super(cause instanceof Error ? cause.message : String(cause), { cause })
    this.attempts = attempts
  }
}

/**
 * `fn`'s value and the attempts it took. Throws `AttemptsFailedError` once an attempt fails in a
 * way that is not retried (not retryable, out of attempts, or the signal aborted).
 */
export async function withRetries<T>(
  fn: () => Promise<T>,
  options: RetryOptions,
): Promise<{ value: T; attempts: number }> {
  const counts = { other: 0, wrongAnswers: 0 }
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(), attempts: attempt }
    } catch (error) {
      const failure = retryFacts(error)
      if (failure.isWrongAnswer) counts.wrongAnswers++
      else counts.other++
      const plan = planRetry(counts, failure, options.policy, options.wrongAnswerRetries)
      if (options.signal?.aborted || !plan.retry) throw new AttemptsFailedError(error, attempt)
      const wait = computeDelayMs(plan.backoffAttempt, options.policy, failure.retryAfterMs)
      options.onRetry?.(attempt, error, wait)
      await delay(wait, options.signal)
    }
  }
}

/** Only the client's own errors say they are worth another attempt. */
function retryFacts(error: unknown): {
  retryable: boolean
  isWrongAnswer: boolean
  retryAfterMs: number | null
} {
  if (!(error instanceof UpstreamError))
    return { retryable: false, isWrongAnswer: false, retryAfterMs: null }
  return {
    retryable: error.retryable,
    isWrongAnswer: error.isWrongAnswer,
    retryAfterMs: error instanceof UpstreamHttpError ? error.retryAfterMs : null,
  }
}
