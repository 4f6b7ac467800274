/** Failures of a backfill operation as a whole (not of a cell): each maps to one HTTP status. */
export type BackfillErrorCode =
  | 'VALIDATION_ERROR'
  | 'SCOPE_EMPTY'
  | 'JOB_NOT_FOUND'
  | 'JOB_FINISHED'
  | 'JOB_NOT_FINISHED'
  | 'NOTHING_TO_RETRY'
  | 'QUEUE_FULL'

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

export const BACKFILL_ERROR_STATUS: Readonly<Record<BackfillErrorCode, number>> = {
  VALIDATION_ERROR: 400,
  SCOPE_EMPTY: 400,
  JOB_NOT_FOUND: 404,
  JOB_FINISHED: 409,
  JOB_NOT_FINISHED: 409,
  NOTHING_TO_RETRY: 409,
  QUEUE_FULL: 429,
}
