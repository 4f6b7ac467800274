import {
  ERROR_CODES,
  ErrorCode,
  type ErrorCodeInfo,
  type RetryRule,
  type UpstreamErrorCode,
} from '../../shared/error-codes.ts'

/**
 * Typed failures of one upstream request. Every error carries a stable `code`, whether a retry
 * could help (`retryable`) and the URL it concerns; the message says what happened and where.
 * Retrying itself belongs to the layer above (one attempt per URL here).
 */

export type { UpstreamErrorCode } from '../../shared/error-codes.ts'

/**
 * Whether a code is worth retrying, from the one vocabulary (src/shared/error-codes.ts).
 * `'status'`: decided by the HTTP status (isRetryableStatus). HTML is retryable because the
 * dashboard serves its error page transiently (one district, two days in 2019,
 * docs/upstream.md#empty-and-non-csv-answers); a permanently broken (district, date) will exhaust
 * the retries. `'wrong-answer'`: retryable within a limit of its own. A footer naming another
 * as-of or month heals by itself: around publication and at the program-year rollover the
 * dashboard serves the previous day's or the current data for a while
 * (docs/upstream.md#publishing-cadence-and-restatements, docs/upstream.md#lessons-of-2026).
 */
export const RETRYABLE_CODES = Object.freeze(
  Object.fromEntries(
    (Object.keys(ERROR_CODES) as ErrorCode[]).flatMap((code) => {
      const info: ErrorCodeInfo = ERROR_CODES[code]
      return info.layer === 'upstream' && info.retryable !== undefined
        ? [[code, info.retryable]]
        : []
    }),
  ),
) as Readonly<Record<UpstreamErrorCode, RetryRule>>

/** 408 Request Timeout, 425 Too Early, 429 Too Many Requests and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599)
}

export function isRetryableCode(code: UpstreamErrorCode, status?: number): boolean {
  const rule = RETRYABLE_CODES[code]
  if (rule === 'status') return status !== undefined && isRetryableStatus(status)
  return rule === 'wrong-answer' || rule
}

/** A well-formed body describing another snapshot: retried within its own limit. */
export function isWrongAnswerCode(code: string): boolean {
  return (RETRYABLE_CODES as Record<string, RetryRule | undefined>)[code] === 'wrong-answer'
}

export class UpstreamError extends Error {
  override name = 'UpstreamError'
  readonly code: UpstreamErrorCode
  readonly retryable: boolean
  /** Retried within the wrong-answer limit instead of the attempt limit (see RETRYABLE_CODES). */
  readonly isWrongAnswer: boolean
  /** The request URL; null only when the failure happened before a URL existed. */
  readonly url: string | null

  constructor(
    code: UpstreamErrorCode,
    message: string,
    url: string | null,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.code = code
    this.url = url
    this.retryable = isRetryableCode(code)
    this.isWrongAnswer = isWrongAnswerCode(code)
  }
}

export class UpstreamHttpError extends UpstreamError {
  override name = 'UpstreamHttpError'
  override readonly retryable: boolean
  readonly status: number
  readonly statusText: string
  /** `Location` of a 3xx (the dashboard redirects unpublished PY paths to /error.aspx). */
  readonly location: string | null
  /** From `Retry-After` (seconds or HTTP-date), relative to the client's clock. */
  readonly retryAfterMs: number | null
  /** First characters of the body, whitespace collapsed, for diagnosis. */
  readonly bodySnippet: string

  constructor(
    init: {
      status: number
      statusText: string
      url: string
      location: string | null
      retryAfterMs: number | null
      bodySnippet: string
    },
    options?: ErrorOptions,
  ) {
    const reason = init.statusText ? ` ${init.statusText}` : ''
    const where = init.location ? ` (redirect to ${init.location})` : ''
    super(
      ErrorCode.UPSTREAM_HTTP,
      `Upstream answered ${init.status}${reason} for ${init.url}${where}`,
      init.url,
      options,
    )
    this.status = init.status
    this.statusText = init.statusText
    this.location = init.location
    this.retryAfterMs = init.retryAfterMs
    this.bodySnippet = init.bodySnippet
    this.retryable =
      isRetryableStatus(init.status) || isErrorPageRedirect(init.status, init.location)
  }
}

/**
 * A 3xx to the dashboard's error page is the same transient failure as that page served with
 * 200 (docs/upstream.md#empty-and-non-csv-answers: district U's club report on 2019-07-16/17 arrived after a redirect while
 * the other reports were fine), so it is retried like UPSTREAM_HTML, within the attempt limit.
 */
export function isErrorPageRedirect(status: number, location: string | null): boolean {
  return status >= 300 && status < 400 && location !== null && /\/error\.aspx/i.test(location)
}

export class UpstreamTimeoutError extends UpstreamError {
  override name = 'UpstreamTimeoutError'
  readonly timeoutMs: number

  constructor(url: string, timeoutMs: number, options?: ErrorOptions) {
    super(
      ErrorCode.UPSTREAM_TIMEOUT,
      `Upstream did not answer within ${timeoutMs} ms: ${url}`,
      url,
      options,
    )
    this.timeoutMs = timeoutMs
  }
}

export class UpstreamNetworkError extends UpstreamError {
  override name = 'UpstreamNetworkError'
  /** System error code when known, e.g. `ECONNRESET`, `ECONNREFUSED`, `UND_ERR_SOCKET`. */
  readonly causeCode: string | null

  constructor(url: string, causeCode: string | null, detail: string, options?: ErrorOptions) {
    const what = causeCode ? `${causeCode}: ${detail}` : detail
    super(ErrorCode.UPSTREAM_NETWORK, `Network failure (${what}) for ${url}`, url, options)
    this.causeCode = causeCode
  }
}

export type BodyErrorCode = Extract<
  ErrorCode,
  'UPSTREAM_HTML' | 'UPSTREAM_BAD_HEADER' | 'UPSTREAM_NO_FOOTER' | 'UPSTREAM_PARSE'
>

/** A 200 answer whose body is not a usable export: HTML, foreign header, no footer, bad CSV. */
export class UpstreamBodyError extends UpstreamError {
  override name = 'UpstreamBodyError'
  declare readonly code: BodyErrorCode

  constructor(code: BodyErrorCode, detail: string, url: string | null, options?: ErrorOptions) {
    super(code, url ? `${detail} (${url})` : detail, url, options)
  }
}

/** A well-formed export describing another snapshot than the one asked for. */
export class UpstreamWrongAnswerError extends UpstreamError {
  override name = 'UpstreamWrongAnswerError'
  declare readonly code: 'UPSTREAM_WRONG_AS_OF' | 'UPSTREAM_WRONG_MONTH'
  /** As-of `YYYY-MM-DD` or data month `YYYY-MM`, depending on the code. */
  readonly expected: string
  readonly actual: string

  constructor(
    code: 'UPSTREAM_WRONG_AS_OF' | 'UPSTREAM_WRONG_MONTH',
    expected: string,
    actual: string,
    url: string,
  ) {
    const what = code === ErrorCode.UPSTREAM_WRONG_AS_OF ? 'as-of' : 'data month'
    super(code, `Upstream footer ${what} is ${actual}, expected ${expected} (${url})`, url)
    this.expected = expected
    this.actual = actual
  }
}

export class UpstreamCancelledError extends UpstreamError {
  override name = 'UpstreamCancelledError'
  declare readonly code: 'CANCELLED'

  constructor(url: string | null, options?: ErrorOptions) {
    super(
      ErrorCode.CANCELLED,
      `Request cancelled by the caller${url ? `: ${url}` : ''}`,
      url,
      options,
    )
  }
}

/** Coerce anything caught into an UpstreamError (for `catch (e)` sites in the layers above). */
export function toUpstreamError(error: unknown, url: string | null = null): UpstreamError {
  if (error instanceof UpstreamError) return error
  const name = error instanceof Error ? error.name : ''
  if (name === 'AbortError') return new UpstreamCancelledError(url, { cause: error })
  if (name === 'TimeoutError')
    return new UpstreamTimeoutError(url ?? 'unknown URL', 0, { cause: error })
  if (error instanceof TypeError && url !== null) {
    return new UpstreamNetworkError(url, systemErrorCode(error), error.message, { cause: error })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new UpstreamError(ErrorCode.UPSTREAM_UNEXPECTED, `Unexpected failure: ${message}`, url, {
    cause: error,
  })
}

/** undici wraps socket errors: `TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })`. */
export function systemErrorCode(error: unknown): string | null {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = (current as { cause?: unknown }).cause
  }
  return null
}
