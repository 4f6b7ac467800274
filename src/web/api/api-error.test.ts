import { describe, expect, it } from 'vitest'
import { ApiError, describeApiError, fieldIssuesOf, shouldRetryQuery } from './api-error.ts'

describe('fieldIssuesOf', () => {
  it('reads the validation list of a 400', () => {
    const err = new ApiError(400, 'VALIDATION_ERROR', 'endDate: bad', [
      { field: 'endDate', message: 'endDate must not be before startDate' },
      { nope: true },
    ])
    expect(fieldIssuesOf(err)).toEqual([
      { field: 'endDate', message: 'endDate must not be before startDate' },
    ])
  })

  it('puts an empty scope on the district list and ignores other errors', () => {
    const scope = new ApiError(400, 'SCOPE_EMPTY', 'no target district is left', { scope: {} })
    expect(fieldIssuesOf(scope)).toEqual([
      { field: 'targetDistricts', message: 'no target district is left' },
    ])
    expect(
      fieldIssuesOf(new ApiError(401, 'UNAUTHORIZED', 'x', [{ field: 'a', message: 'b' }])),
    ).toEqual([])
    expect(fieldIssuesOf(new Error('boom'))).toEqual([])
  })
})

describe('describeApiError', () => {
  it('tells the user what to do about 401 and 403', () => {
    expect(describeApiError(new ApiError(401, 'UNAUTHORIZED', 'x'))).toMatch(/401.*Admin token/)
    expect(describeApiError(new ApiError(403, 'FORBIDDEN', 'x'))).toMatch(/403.*refused/)
    expect(describeApiError(new ApiError(409, 'JOB_FINISHED', 'already ended'))).toBe(
      'already ended (409 JOB_FINISHED)',
    )
    expect(describeApiError(new TypeError('Failed to fetch'))).toMatch(/Could not reach the server/)
  })
})

describe('shouldRetryQuery', () => {
  it('retries network failures and 5xx twice, never 4xx', () => {
    expect(shouldRetryQuery(0, new TypeError('Failed to fetch'))).toBe(true)
    expect(shouldRetryQuery(2, new TypeError('Failed to fetch'))).toBe(false)
    expect(shouldRetryQuery(0, new ApiError(503, 'X', 'y'))).toBe(true)
    expect(shouldRetryQuery(0, new ApiError(404, 'X', 'y'))).toBe(false)
  })
})
