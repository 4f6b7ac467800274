import { describe, expect, it } from 'vitest'
import {
  BACKFILL_ERROR_CODES,
  ERROR_CODES,
  ErrorCode,
  FATAL_CODES,
  HTTP_STATUS_BY_CODE,
  httpStatusOf,
  isErrorCode,
} from './error-codes.ts'

describe('the error vocabulary', () => {
  it('names each code by itself and gives each a one-line meaning', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(ErrorCode[code as ErrorCode]).toBe(code)
      expect(info.meaning).toMatch(/^[a-zA-Z][^\n]+$/)
    }
  })

  it('derives the fatal and backfill sets and the status table from the entries', () => {
    expect([...FATAL_CODES].sort()).toEqual(['CIRCUIT_OPEN', 'STORAGE_IO'])
    expect([...BACKFILL_ERROR_CODES].sort()).toEqual([
      'JOB_FINISHED',
      'JOB_NOT_FINISHED',
      'JOB_NOT_FOUND',
      'NOTHING_TO_RETRY',
      'QUEUE_FULL',
      'SCOPE_EMPTY',
      'VALIDATION_ERROR',
    ])
    expect(HTTP_STATUS_BY_CODE).toMatchObject({
      STORAGE_VALIDATION: 400,
      STORAGE_CORRUPT: 409,
      STORAGE_UNAVAILABLE: 503,
      QUEUE_FULL: 429,
      CIRCUIT_OPEN: 503,
      HOST_NOT_ALLOWED: 421,
      WRITERS_ACTIVE: 409,
    })
    // Cell-only codes never answer an API request.
    expect(httpStatusOf('UPSTREAM_HTML')).toBeUndefined()
    expect(httpStatusOf('NOT_A_CODE')).toBeUndefined()
  })

  it('tells codes of the vocabulary from other strings, prototype keys included', () => {
    expect(isErrorCode('UPSTREAM_TIMEOUT')).toBe(true)
    expect(['ENOENT', 'toString', '__proto__', 42, null].some(isErrorCode)).toBe(false)
  })
})
