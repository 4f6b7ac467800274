/**
 * The one error shape of the API: `{ error: { code, message, details? } }`. Whatever the
 * input, an error body stays small: messages and detail strings are clipped, long detail lists
 * cut, so nothing a caller sent is echoed back at length.
 * See docs/architecture.md#http-api.
 */
import { HTTP_STATUS_BY_CODE, type HttpErrorCode } from '../../shared/error-codes.ts'

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

/** The API's error for a code of the vocabulary, with the status HTTP_STATUS_BY_CODE gives it. */
export function httpError(code: HttpErrorCode, message: string, details?: unknown): HttpError {
  return new HttpError(HTTP_STATUS_BY_CODE[code], code, message, details)
}

/** Longest message an error body carries. */
export const MAX_MESSAGE_CHARS = 300
/** Longest serialized `details`; beyond it a list keeps the entries that fit, anything else goes. */
export const MAX_DETAILS_CHARS = 4000
const MAX_DETAIL_STRING_CHARS = 200
const MAX_DETAIL_DEPTH = 4

/** `text` cut to `max` characters, marked with `…` when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

export function toErrorBody(code: string, message: string, details?: unknown): ErrorBody {
  const bounded = details === undefined ? undefined : boundDetails(details)
  const error = { code: clip(code, 80), message: clip(message, MAX_MESSAGE_CHARS) }
  return bounded === undefined ? { error } : { error: { ...error, details: bounded } }
}

function boundDetails(details: unknown): unknown {
  const clipped = clipStrings(details, 0)
  if (JSON.stringify(clipped).length <= MAX_DETAILS_CHARS) return clipped
  if (!Array.isArray(clipped)) return undefined
  const kept: unknown[] = []
  let size = 2
  for (const entry of clipped) {
    size += JSON.stringify(entry).length + 1
    if (size > MAX_DETAILS_CHARS) break
    kept.push(entry)
  }
  return kept
}

function clipStrings(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return clip(value, MAX_DETAIL_STRING_CHARS)
  if (value === null || typeof value !== 'object') return value
  if (depth >= MAX_DETAIL_DEPTH) return '…'
  if (Array.isArray(value)) return value.map((v) => clipStrings(v, depth + 1))
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      clip(k, MAX_DETAIL_STRING_CHARS),
      clipStrings(v, depth + 1),
    ]),
  )
}

/** Coerce anything caught into an Error (docs/architecture.md#errors-and-retries). */
export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(e))
}
