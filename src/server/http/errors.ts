/** The one error shape of the API: `{ error: { code, message, details? } }` (docs/architecture.md#http-api). */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown }
}

export class HttpError extends Error {
  override name = 'HttpError'
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

export function toErrorBody(code: string, message: string, details?: unknown): ErrorBody {
  return details === undefined
    ? { error: { code, message } }
    : { error: { code, message, details } }
}

/** Coerce anything caught into an Error (docs/architecture.md#errors-and-retries). */
export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(e))
}
