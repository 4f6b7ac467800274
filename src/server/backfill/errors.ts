import type { BackfillErrorCode } from '../../shared/error-codes.ts'

export type { BackfillErrorCode } from '../../shared/error-codes.ts'

/**
 * Failures of a backfill operation as a whole (not of a cell); each code's HTTP status is in
 * HTTP_STATUS_BY_CODE (src/shared/error-codes.ts).
 */
export class BackfillError extends Error {
  override name = 'BackfillError'
  readonly code: BackfillErrorCode
  readonly details: unknown
  constructor(code: BackfillErrorCode, message: string, details?: unknown) {
    super(message)
    this.code = code
    this.details = details
  }
}
