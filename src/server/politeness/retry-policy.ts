/**
 * Retry decisions as data plus one pure delay function (docs/architecture.md#errors-and-retries): exponential backoff with
 * full jitter, bounded, and never shorter than the upstream's Retry-After.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included. @default 4 */
  maxAttempts: number
  /** @default 500 */
  baseDelayMs: number
  /** @default 30000 */
  maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
}

/**
 * Delay before attempt `attempt + 1`, given that `attempt` (1-based) just failed.
 * `random` in [0, 1) is injected so tests are deterministic.
 */
export function computeDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | null = null,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  // Half fixed, half jitter: spreads retries of many cells without ever collapsing to 0.
  const jittered = exp / 2 + random() * (exp / 2)
  const floor = retryAfterMs !== null && retryAfterMs > 0 ? retryAfterMs : 0
  return Math.round(Math.max(jittered, Math.min(floor, policy.maxDelayMs * 4)))
}

export function shouldRetry(attempt: number, retryable: boolean, policy: RetryPolicy): boolean {
  return retryable && attempt < policy.maxAttempts
}

/** How many wrong answers (a well-formed body of another snapshot) are retried. @default 3 */
export const DEFAULT_WRONG_ANSWER_RETRIES = 3

/** The failures of one fetch so far, by the limit they count against. */
export interface FailureCounts {
  /** Retryable failures other than wrong answers (network, 5xx, HTML, …). */
  other: number
  wrongAnswers: number
}

/**
 * Whether the fetch is tried again after its latest failure (already counted in `counts`), and
 * which attempt number its backoff grows from. A wrong answer has a limit of its own, so a
 * dashboard that serves yesterday's body for a while around publication does not use up the
 * attempts meant for network failures, and the reverse.
 */
export function planRetry(
  counts: FailureCounts,
  failure: { retryable: boolean; isWrongAnswer: boolean },
  policy: RetryPolicy,
  wrongAnswerRetries: number,
): { retry: false } | { retry: true; backoffAttempt: number } {
  if (failure.isWrongAnswer) {
    return counts.wrongAnswers <= wrongAnswerRetries
      ? { retry: true, backoffAttempt: counts.wrongAnswers }
      : { retry: false }
  }
  return shouldRetry(counts.other, failure.retryable, policy)
    ? { retry: true, backoffAttempt: counts.other }
    : { retry: false }
}

/** Waits `ms`, rejecting early with the signal's reason when it aborts (docs/architecture.md#lifecycle). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
