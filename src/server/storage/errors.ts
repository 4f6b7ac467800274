/**
 * The storage layer's few error classes. Each has a stable `code`; messages say what and where.
 * Missing data is usually a `null` return; `StorageNotFoundError` is for writes that need
 * something to exist first. The codes are in src/shared/error-codes.ts.
 */
import { ErrorCode } from '../../shared/error-codes.ts'

export type { StorageErrorCode } from '../../shared/error-codes.ts'

/** A value (district id, date, report, option) that may not be used, named in the message. */
export class StorageValidationError extends Error {
  override name = 'StorageValidationError'
  readonly code = ErrorCode.STORAGE_VALIDATION
  readonly field: string
  readonly value: unknown
  constructor(field: string, value: unknown, expected: string) {
    super(`${field} ${expected}, got ${describeValue(value)}`)
    this.field = field
    this.value = value
  }
}

/** The disk refused an operation. `errno` is Node's code (EACCES, ENOSPC, EROFS, ...). */
export class StorageIoError extends Error {
  override name = 'StorageIoError'
  readonly code = ErrorCode.STORAGE_IO
  readonly path: string
  readonly errno: string
  readonly operation: string
  constructor(operation: string, path: string, cause: unknown) {
    const errno = errnoOf(cause) ?? 'EUNKNOWN'
    super(`Storage ${operation} failed for ${path}: ${errno} (${toError(cause).message})`, {
      cause,
    })
    this.path = path
    this.errno = errno
    this.operation = operation
  }
}

/** A stored file exists but cannot be trusted (bad JSON, wrong shape, sha256 mismatch). */
export class StorageCorruptError extends Error {
  override name = 'StorageCorruptError'
  readonly code = ErrorCode.STORAGE_CORRUPT
  readonly path: string
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Corrupt file ${path}: ${reason}`, options)
    this.path = path
  }
}

/** A file written by a newer (or unknown) version of the tool. */
export class StorageUnsupportedSchemaError extends Error {
  override name = 'StorageUnsupportedSchemaError'
  readonly code = ErrorCode.STORAGE_UNSUPPORTED_SCHEMA
  readonly schemaVersion: unknown
  constructor(what: string, schemaVersion: unknown, supported: readonly number[]) {
    super(
      `${what} has schemaVersion ${describeValue(schemaVersion)}; this version of ` +
        `toastmasters-backfill reads ${supported.join(', ')}. Upgrade the tool to read it.`,
    )
    this.schemaVersion = schemaVersion
  }
}

/**
 * DATA_DIR (or a part of it) cannot be written at all, so a command or request that needs to
 * write is refused up front rather than accepted and lost. The message names the path and errno.
 */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError'
  readonly code = ErrorCode.STORAGE_UNAVAILABLE
  readonly path: string
  readonly errno: string
  constructor(what: string, path: string, cause: unknown) {
    const errno = errnoOf(cause) ?? 'EUNKNOWN'
    super(`${what} ${path} cannot be written: ${errno} (${toError(cause).message})`, { cause })
    this.path = path
    this.errno = errno
  }
}

export class StorageNotFoundError extends Error {
  override name = 'StorageNotFoundError'
  readonly code = ErrorCode.STORAGE_NOT_FOUND
  constructor(what: string) {
    super(`${what} does not exist`)
  }
}

export type StorageError =
  | StorageValidationError
  | StorageIoError
  | StorageCorruptError
  | StorageUnsupportedSchemaError
  | StorageNotFoundError
  | StorageUnavailableError

export function isStorageError(e: unknown): e is StorageError {
  return (
    e instanceof StorageValidationError ||
    e instanceof StorageIoError ||
    e instanceof StorageCorruptError ||
    e instanceof StorageUnsupportedSchemaError ||
    e instanceof StorageNotFoundError ||
    e instanceof StorageUnavailableError
  )
}

export function toError(e: unknown): Error {
  if (e instanceof Error) return e
  return new Error(typeof e === 'string' ? e : JSON.stringify(e))
}

export function errnoOf(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') {
    return e.code
  }
  return undefined
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
