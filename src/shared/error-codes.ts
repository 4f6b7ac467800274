/**
 * Every error code the product emits, listed once: in cell failures and job views, in API error
 * bodies and in the CLI's messages. Each entry says in one line what the code means and, where
 * it is a property of the code, whether retrying can help, whether a job can go on after it and
 * which HTTP status an API answer with it carries (docs/architecture.md#errors-and-retries).
 */

/**
 * `true`/`false`: always or never worth retrying. `'status'`: decided by the HTTP status.
 * `'wrong-answer'`: retryable within a limit of its own (a footer naming another snapshot).
 */
export type RetryRule = boolean | 'status' | 'wrong-answer'

export interface ErrorCodeInfo {
  /** Where the code comes from. */
  readonly layer: 'upstream' | 'politeness' | 'storage' | 'cell' | 'backfill' | 'http'
  readonly meaning: string
  readonly retryable?: RetryRule
  /** A backfill job cannot usefully go on after it (finished cells are kept). */
  readonly fatal?: true
  /** The status of an API answer carrying this code. */
  readonly httpStatus?: number
}

export const ERROR_CODES = {
  // One upstream request.
  UPSTREAM_HTTP: {
    layer: 'upstream',
    meaning: 'the dashboard answered with a non-2xx status',
    retryable: 'status',
  },
  UPSTREAM_TIMEOUT: {
    layer: 'upstream',
    meaning: 'the dashboard did not answer in time',
    retryable: true,
  },
  UPSTREAM_NETWORK: {
    layer: 'upstream',
    meaning: 'the connection to the dashboard failed',
    retryable: true,
  },
  // The dashboard serves its error page transiently (docs/upstream.md#empty-and-non-csv-answers).
  UPSTREAM_HTML: {
    layer: 'upstream',
    meaning: 'the dashboard answered an HTML page instead of a CSV export',
    retryable: true,
  },
  UPSTREAM_BAD_HEADER: {
    layer: 'upstream',
    meaning: 'the export has a header of another report',
    retryable: false,
  },
  UPSTREAM_NO_FOOTER: {
    layer: 'upstream',
    meaning: 'the export has no as-of footer',
    retryable: true,
  },
  // Heals by itself around publication (docs/upstream.md#publishing-cadence-and-restatements).
  UPSTREAM_WRONG_AS_OF: {
    layer: 'upstream',
    meaning: 'the export footer names another as-of date',
    retryable: 'wrong-answer',
  },
  UPSTREAM_WRONG_MONTH: {
    layer: 'upstream',
    meaning: 'the export footer names another data month',
    retryable: 'wrong-answer',
  },
  UPSTREAM_PARSE: {
    layer: 'upstream',
    meaning: 'the export is empty or not valid CSV',
    retryable: true,
  },
  UPSTREAM_UNEXPECTED: {
    layer: 'upstream',
    meaning: 'a request failed in a way none of the other codes describe',
    retryable: false,
  },
  CANCELLED: {
    layer: 'upstream',
    meaning: 'the caller cancelled the work (a cancelled job or a shutdown)',
    retryable: false,
  },

  // The politeness path.
  CIRCUIT_OPEN: {
    layer: 'politeness',
    meaning: 'the dashboard is unreachable and its circuit is open',
    retryable: false,
    fatal: true,
    httpStatus: 503,
  },

  // Storage.
  STORAGE_VALIDATION: {
    layer: 'storage',
    meaning: 'a value may not be stored or used as a key (the message names it)',
    httpStatus: 400,
  },
  STORAGE_IO: {
    layer: 'storage',
    meaning: 'the disk refused an operation (full, read-only, no permission)',
    fatal: true,
    httpStatus: 503,
  },
  STORAGE_CORRUPT: {
    layer: 'storage',
    meaning: 'a stored file cannot be trusted',
    httpStatus: 409,
  },
  STORAGE_UNSUPPORTED_SCHEMA: {
    layer: 'storage',
    meaning: 'a stored file was written by a newer version of the tool',
    httpStatus: 409,
  },
  STORAGE_NOT_FOUND: {
    layer: 'storage',
    meaning: 'a write needs something to exist first',
  },
  STORAGE_UNAVAILABLE: {
    layer: 'storage',
    meaning: 'DATA_DIR (or a part of it) cannot be written at all',
    httpStatus: 503,
  },
  DATA_DIR_LOCKED: {
    layer: 'storage',
    meaning: 'another process holds the lock on DATA_DIR',
  },

  // One (date, district) cell.
  STORAGE: {
    layer: 'cell',
    meaning: 'a collected cell could not be stored (the store rejected its file)',
  },
  NOT_COLLECTED: {
    layer: 'cell',
    meaning: 'a district announced for a date and not stored (yet)',
  },
  // PostgreSQL mode (README "Running on several machines").
  SLICE_EXHAUSTED: {
    layer: 'cell',
    meaning:
      'the work of the cell failed or was lost on every attempt (WORKER_SLICE_RETRIES); a retry runs it again',
    retryable: true,
  },
  INTERNAL: {
    layer: 'cell',
    meaning: 'an unexpected failure (a bug); an API answer shows nothing internal',
    httpStatus: 500,
  },

  // A backfill operation as a whole.
  VALIDATION_ERROR: {
    layer: 'backfill',
    meaning: 'a request field or parameter breaks its rule (the message names it)',
    httpStatus: 400,
  },
  SCOPE_EMPTY: {
    layer: 'backfill',
    meaning: 'no district is left to backfill once the scope is resolved',
    httpStatus: 400,
  },
  JOB_NOT_FOUND: { layer: 'backfill', meaning: 'no such backfill job', httpStatus: 404 },
  JOB_FINISHED: {
    layer: 'backfill',
    meaning: 'the job has already finished',
    httpStatus: 409,
  },
  JOB_NOT_FINISHED: {
    layer: 'backfill',
    meaning: 'the job is still queued or running',
    httpStatus: 409,
  },
  NOTHING_TO_RETRY: {
    layer: 'backfill',
    meaning: 'every cell of the job is already done',
    httpStatus: 409,
  },
  QUEUE_FULL: {
    layer: 'backfill',
    meaning: 'too many jobs are waiting already',
    httpStatus: 429,
  },

  // The HTTP layer.
  NOT_FOUND: { layer: 'http', meaning: 'no such route or resource', httpStatus: 404 },
  BAD_URL: { layer: 'http', meaning: 'the URL has an invalid percent-encoding', httpStatus: 400 },
  BAD_REQUEST: { layer: 'http', meaning: 'the request is malformed', httpStatus: 400 },
  INVALID_JSON: { layer: 'http', meaning: 'the body is not valid JSON', httpStatus: 400 },
  URI_TOO_LONG: { layer: 'http', meaning: 'a path segment is too long', httpStatus: 414 },
  PAYLOAD_TOO_LARGE: { layer: 'http', meaning: 'the body is too large', httpStatus: 413 },
  UNSUPPORTED_MEDIA_TYPE: {
    layer: 'http',
    meaning: 'a body not sent as application/json',
    httpStatus: 415,
  },
  HEADERS_TOO_LARGE: {
    layer: 'http',
    meaning: 'the request line and headers are too large',
    httpStatus: 431,
  },
  REQUEST_TIMEOUT: {
    layer: 'http',
    meaning: 'the request was not received in time',
    httpStatus: 408,
  },
  HOST_NOT_ALLOWED: {
    layer: 'http',
    meaning: 'the Host header does not name this server',
    httpStatus: 421,
  },
  CROSS_SITE_REQUEST: {
    layer: 'http',
    meaning: 'a browser request from another origin or site tried to change something',
    httpStatus: 403,
  },
  UNAUTHORIZED: {
    layer: 'http',
    meaning: 'the endpoint needs the admin token and none was sent',
    httpStatus: 401,
  },
  FORBIDDEN: { layer: 'http', meaning: 'the bearer token is not valid', httpStatus: 403 },
  WRITERS_ACTIVE: {
    layer: 'http',
    meaning: 'a backfill or refresh is writing; repair waits for it',
    httpStatus: 409,
  },
} as const satisfies Record<string, ErrorCodeInfo>

export type ErrorCode = keyof typeof ERROR_CODES

/** Each code as a constant: `ErrorCode.NOT_FOUND === 'NOT_FOUND'`. */
export const ErrorCode = Object.freeze(
  Object.fromEntries(Object.keys(ERROR_CODES).map((code) => [code, code])),
) as { readonly [C in ErrorCode]: C }

type CodesWhere<P> = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C] extends P ? C : never
}[ErrorCode]

export type UpstreamErrorCode = CodesWhere<{ layer: 'upstream' }>
export type StorageErrorCode = CodesWhere<{ layer: 'storage' }>
export type BackfillErrorCode = CodesWhere<{ layer: 'backfill' }>
/** The codes an API answer can carry, each with its status. */
export type HttpErrorCode = CodesWhere<{ httpStatus: number }>

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value)
}

function codesWhere(test: (info: ErrorCodeInfo) => boolean): ErrorCode[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => test(ERROR_CODES[c]))
}

/** Errors after which a backfill job cannot usefully go on. */
export const FATAL_CODES: ReadonlySet<ErrorCode> = new Set(codesWhere((i) => i.fatal === true))

export const BACKFILL_ERROR_CODES: ReadonlySet<ErrorCode> = new Set(
  codesWhere((i) => i.layer === 'backfill'),
)

/** The one table from an error code to the HTTP status of the API answer that carries it. */
export const HTTP_STATUS_BY_CODE = Object.freeze(
  Object.fromEntries(
    codesWhere((i) => i.httpStatus !== undefined).map((c) => [
      c,
      (ERROR_CODES[c] as ErrorCodeInfo).httpStatus,
    ]),
  ),
) as { readonly [C in HttpErrorCode]: number }

/** The status for a code, or undefined when no API answer carries it. */
export function httpStatusOf(code: string): number | undefined {
  return isErrorCode(code) ? (ERROR_CODES[code] as ErrorCodeInfo).httpStatus : undefined
}
