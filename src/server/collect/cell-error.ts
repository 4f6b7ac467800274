import type { CellError } from '../../shared/backfill-api.ts'
import { AttemptsFailedError } from '../politeness/index.ts'
import { ErrorCode, isErrorCode } from '../../shared/error-codes.ts'

/** A failed cell as stored in the ledger and shown in job views (docs/architecture.md#errors-and-retries). */
export type CellFailure = CellError

interface ErrorLike {
  code?: unknown
  message?: unknown
  retryable?: unknown
  status?: unknown
}

/** Coerces anything thrown while collecting into a typed cell error (docs/architecture.md#errors-and-retries). */
export function toCellError(error: unknown, nowMs: number): CellFailure {
  if (error instanceof AttemptsFailedError) return describe(error.cause, error.attempts, nowMs)
  return describe(error, 1, nowMs)
}

function describe(error: unknown, attempts: number, nowMs: number): CellFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike
  const code: ErrorCode = isErrorCode(e.code)
    ? e.code
    : error instanceof Error && error.name === 'AbortError'
      ? ErrorCode.CANCELLED
      : ErrorCode.INTERNAL
  const out: CellFailure = {
    code,
    message: typeof e.message === 'string' ? e.message : String(error),
    retryable: e.retryable === true,
    attempts,
    at: new Date(nowMs).toISOString(),
  }
  if (typeof e.status === 'number') out.httpStatus = e.status
  return out
}
