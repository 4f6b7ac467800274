import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import {
  computeDelayMs,
  DEFAULT_RETRY_POLICY,
  delay,
  planRetry,
  shouldRetry,
} from './retry-policy.ts'

describe('computeDelayMs', () => {
  test.prop([
    fc.integer({ min: 1, max: 20 }),
    fc.integer({ min: 1, max: 5000 }),
    fc.integer({ min: 1, max: 120_000 }),
    fc.double({ min: 0, max: 0.999999, noNaN: true }),
  ])('stays between half the exponential step and the cap', (attempt, base, cap, r) => {
    const policy = { maxAttempts: 5, baseDelayMs: base, maxDelayMs: cap }
    const exp = Math.min(cap, base * 2 ** (attempt - 1))
    const d = computeDelayMs(attempt, policy, null, () => r)
    expect(d).toBeGreaterThanOrEqual(Math.floor(exp / 2))
    expect(d).toBeLessThanOrEqual(Math.ceil(exp))
  })

  it('grows exponentially with the attempt number', () => {
    const mid = () => 0.5
    const ds = [1, 2, 3, 4].map((a) => computeDelayMs(a, DEFAULT_RETRY_POLICY, null, mid))
    expect(ds).toEqual([375, 750, 1500, 3000])
  })

  it('never waits less than Retry-After', () => {
    expect(computeDelayMs(1, DEFAULT_RETRY_POLICY, 7000, () => 0)).toBe(7000)
  })

  it('retries only retryable errors and only up to the attempt limit', () => {
    expect(shouldRetry(1, true, DEFAULT_RETRY_POLICY)).toBe(true)
    expect(shouldRetry(4, true, DEFAULT_RETRY_POLICY)).toBe(false)
    expect(shouldRetry(1, false, DEFAULT_RETRY_POLICY)).toBe(false)
  })
})

describe('planRetry', () => {
  const policy = { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100 }
  const wrong = { retryable: true, isWrongAnswer: true }
  const network = { retryable: true, isWrongAnswer: false }

  it('retries wrong answers up to their own limit, growing the backoff from their own count', () => {
    expect(planRetry({ other: 0, wrongAnswers: 1 }, wrong, policy, 3)).toEqual({
      retry: true,
      backoffAttempt: 1,
    })
    expect(planRetry({ other: 0, wrongAnswers: 3 }, wrong, policy, 3)).toEqual({
      retry: true,
      backoffAttempt: 3,
    })
    expect(planRetry({ other: 0, wrongAnswers: 4 }, wrong, policy, 3)).toEqual({ retry: false })
    expect(planRetry({ other: 0, wrongAnswers: 1 }, wrong, policy, 0)).toEqual({ retry: false })
  })

  it('keeps the attempt limit for the other failures, whatever wrong answers came before', () => {
    expect(planRetry({ other: 1, wrongAnswers: 3 }, network, policy, 3)).toMatchObject({
      retry: true,
    })
    expect(planRetry({ other: 2, wrongAnswers: 0 }, network, policy, 3)).toEqual({ retry: false })
    expect(
      planRetry(
        { other: 1, wrongAnswers: 0 },
        { retryable: false, isWrongAnswer: false },
        policy,
        3,
      ),
    ).toEqual({ retry: false })
  })
})

describe('delay', () => {
  it('rejects with the abort reason', async () => {
    const ac = new AbortController()
    const p = delay(60_000, ac.signal)
    ac.abort(new Error('cancelled'))
    await expect(p).rejects.toThrow('cancelled')
  })
})
