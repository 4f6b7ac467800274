import type { ErrorCode } from '../../shared/error-codes.ts'

/** The API's one error shape, `{ error: { code, message, details? } }`, as a thrown value. */
export class ApiError extends Error {
  override name = 'ApiError'
  readonly status: number
  readonly code: string
  readonly details: unknown
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
  }
}

export interface FieldIssue {
  field: string
  message: string
}

function isFieldIssue(value: unknown): value is FieldIssue {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v['field'] === 'string' && typeof v['message'] === 'string'
}

/**
 * Field-level issues of a 400: the validation list (`details: [{ field, message }]`), or a
 * SCOPE_EMPTY answer, whose exclusions are all about `targetDistricts`.
 */
export function fieldIssuesOf(error: unknown): FieldIssue[] {
  if (!(error instanceof ApiError) || error.status !== 400) return []
  if (Array.isArray(error.details)) return error.details.filter(isFieldIssue)
  if (error.code === ('SCOPE_EMPTY' satisfies ErrorCode))
    return [{ field: 'targetDistricts', message: error.message }]
  return []
}

/** One sentence for a banner; says what to do about auth and queue answers. */
export function describeApiError(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return error instanceof Error ? `Could not reach the server: ${error.message}` : String(error)
  }
  if (error.status === 401) {
    return `Not authorized (401): this server needs an admin token. Enter it in the "Admin token" field and try again.`
  }
  if (error.status === 403) {
    return `Forbidden (403): the admin token was refused. Check the "Admin token" field.`
  }
  if (error.status === 429) return `Too many jobs waiting (429): ${error.message}`
  return `${error.message} (${error.status} ${error.code})`
}

/** Client errors will answer the same again; only network failures and 5xx are worth a retry. */
export function shouldRetryQuery(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status < 500) return false
  return failureCount < 2
}
