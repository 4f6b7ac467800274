import { describe, expect, it } from 'vitest'
import { UpstreamHttpError, UpstreamWrongAnswerError } from '../upstream/index.ts'
import { AttemptsFailedError, withRetries } from './with-retries.ts'

const URL_A = 'http://127.0.0.1:1/export.aspx?report=a'
/** No waiting between attempts. */
const POLICY = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 }

const serverError = (retryAfterMs: number | null = null) =>
  new UpstreamHttpError({
    status: 503,
    statusText: 'Service Unavailable',
    url: URL_A,
    location: null,
    retryAfterMs,
    bodySnippet: '',
  })
const wrongAsOf = () =>
  new UpstreamWrongAnswerError('UPSTREAM_WRONG_AS_OF', '2026-05-06', '2026-05-05', URL_A)

/** An operation that throws the given errors in turn, then answers `'ok'`. */
function failing(errors: Error[]) {
  let calls = 0
  const fn = async () => {
    const error = errors[calls++]
    if (error) throw error
    return 'ok'
  }
  return { fn, calls: () => calls }
}

async function failureOf(promise: Promise<unknown>): Promise<AttemptsFailedError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AttemptsFailedError)
  return error as AttemptsFailedError
}

describe('withRetries', () => {
  it('answers with the value and the attempts it took', async () => {
    const op = failing([serverError(), serverError()])
    const result = await withRetries(op.fn, { policy: POLICY, wrongAnswerRetries: 0 })
    expect(result).toEqual({ value: 'ok', attempts: 3 })
  })

  it('throws the last error with the attempts made, leaving the caught error as it was', async () => {
    const errors = [serverError(), serverError(), serverError()]
    const op = failing(errors)
    const failure = await failureOf(withRetries(op.fn, { policy: POLICY, wrongAnswerRetries: 0 }))
    expect(failure.attempts).toBe(3)
    expect(failure.cause).toBe(errors[2])
    expect(failure.message).toBe(errors[2]?.message)
    for (const e of errors) expect(Object.keys(e)).not.toContain('attempts')
  })

  it('does not try again after an error that is not retryable', async () => {
    const op = failing([new RangeError('bad district id')])
    const failure = await failureOf(withRetries(op.fn, { policy: POLICY, wrongAnswerRetries: 3 }))
    expect(failure.attempts).toBe(1)
    expect(op.calls()).toBe(1)
  })

  it('retries wrong answers within their own limit, beyond maxAttempts', async () => {
    const op = failing([wrongAsOf(), wrongAsOf(), wrongAsOf(), wrongAsOf()])
    const result = await withRetries(op.fn, { policy: POLICY, wrongAnswerRetries: 4 })
    expect(result).toEqual({ value: 'ok', attempts: 5 })
  })

  it('gives up on wrong answers past their limit, whatever attempts remain', async () => {
    const op = failing([wrongAsOf(), wrongAsOf(), wrongAsOf()])
    const policy = { ...POLICY, maxAttempts: 10 }
    const failure = await failureOf(withRetries(op.fn, { policy, wrongAnswerRetries: 1 }))
    expect(failure.attempts).toBe(2)
    expect(failure.cause).toMatchObject({ code: 'UPSTREAM_WRONG_AS_OF' })
  })

  it('keeps the two limits apart: wrong answers do not use up the other attempts', async () => {
    const op = failing([wrongAsOf(), serverError(), wrongAsOf(), serverError()])
    const result = await withRetries(op.fn, { policy: POLICY, wrongAnswerRetries: 2 })
    expect(result).toEqual({ value: 'ok', attempts: 5 })
  })

  it('tells onRetry of each attempt it tries again, with the delay before the next', async () => {
    const seen: [number, unknown, number][] = []
    const errors = [serverError(), serverError(), serverError()]
    const op = failing(errors)
    const failure = await failureOf(
      withRetries(op.fn, {
        policy: POLICY,
        wrongAnswerRetries: 0,
        onRetry: (attempt, error, delayMs) => seen.push([attempt, error, delayMs]),
      }),
    )
    expect(seen).toEqual([
      [1, errors[0], 0],
      [2, errors[1], 0],
    ])
    expect(failure.attempts).toBe(3)
  })

  it("waits at least the upstream's Retry-After before the next attempt", async () => {
    const delays: number[] = []
    const op = failing([serverError(40)])
    const result = await withRetries(op.fn, {
      policy: { ...POLICY, maxDelayMs: 100 },
      wrongAnswerRetries: 0,
      onRetry: (_attempt, _error, delayMs) => delays.push(delayMs),
    })
    expect(result.attempts).toBe(2)
    expect(delays).toEqual([40])
  })

  it('does not try again once the signal has aborted', async () => {
    const ac = new AbortController()
    ac.abort(new Error('job cancelled'))
    const op = failing([serverError()])
    const options = { policy: POLICY, wrongAnswerRetries: 0, signal: ac.signal }
    const failure = await failureOf(withRetries(op.fn, options))
    expect(failure.attempts).toBe(1)
    expect(op.calls()).toBe(1)
  })
})
