import { describe, expect, it } from 'vitest'
import {
  RETRYABLE_CODES,
  UpstreamBodyError,
  UpstreamHttpError,
  UpstreamWrongAnswerError,
  isRetryableCode,
  isRetryableStatus,
  isWrongAnswerCode,
  toUpstreamError,
} from './errors.ts'

describe('retryability', () => {
  it('retries 408, 425, 429 and 5xx, not other statuses', () => {
    expect([408, 425, 429, 500, 502, 599].every(isRetryableStatus)).toBe(true)
    expect([200, 302, 400, 403, 404, 600].some(isRetryableStatus)).toBe(false)
  })

  it('decides per code from the table, HTTP by status', () => {
    expect(isRetryableCode('UPSTREAM_TIMEOUT')).toBe(true)
    expect(isRetryableCode('UPSTREAM_BAD_HEADER')).toBe(false)
    expect(isRetryableCode('CANCELLED')).toBe(false)
    expect(isRetryableCode('UPSTREAM_HTTP', 503)).toBe(true)
    expect(isRetryableCode('UPSTREAM_HTTP', 404)).toBe(false)
    expect(RETRYABLE_CODES.UPSTREAM_HTTP).toBe('status')
  })

  it('retries wrong answers within a limit of their own', () => {
    for (const code of ['UPSTREAM_WRONG_AS_OF', 'UPSTREAM_WRONG_MONTH'] as const) {
      expect(isRetryableCode(code)).toBe(true)
      expect(isWrongAnswerCode(code)).toBe(true)
    }
    expect(isWrongAnswerCode('UPSTREAM_HTML')).toBe(false)
    const e = new UpstreamWrongAnswerError('UPSTREAM_WRONG_AS_OF', '2026-11-03', '2026-11-02', 'u')
    expect(e).toMatchObject({ retryable: true, isWrongAnswer: true })
    expect(new UpstreamBodyError('UPSTREAM_HTML', 'x', 'u').isWrongAnswer).toBe(false)
  })

  it('stamps HTTP errors retryable by their status', () => {
    const init = {
      statusText: '',
      url: 'http://x/',
      location: null,
      retryAfterMs: null,
      bodySnippet: '',
    }
    expect(new UpstreamHttpError({ ...init, status: 502 }).retryable).toBe(true)
    expect(new UpstreamHttpError({ ...init, status: 404 }).retryable).toBe(false)
  })

  it('retries a redirect to the error page, not other redirects', () => {
    const init = { statusText: 'Found', url: 'http://x/', retryAfterMs: null, bodySnippet: '' }
    const toErrorPage = '/error.aspx?aspxerrorpath=/2018-2019/export.aspx'
    expect(new UpstreamHttpError({ ...init, status: 302, location: toErrorPage }).retryable).toBe(
      true,
    )
    expect(new UpstreamHttpError({ ...init, status: 302, location: '/login.aspx' }).retryable).toBe(
      false,
    )
    expect(new UpstreamHttpError({ ...init, status: 302, location: null }).retryable).toBe(false)
  })
})

describe('toUpstreamError', () => {
  it('returns upstream errors unchanged', () => {
    const error = new UpstreamBodyError('UPSTREAM_PARSE', 'bad', 'http://x/')
    expect(toUpstreamError(error)).toBe(error)
  })

  it('maps aborts, timeouts and fetch failures', () => {
    expect(toUpstreamError(new DOMException('x', 'AbortError')).code).toBe('CANCELLED')
    expect(toUpstreamError(new DOMException('x', 'TimeoutError'), 'http://x/').code).toBe(
      'UPSTREAM_TIMEOUT',
    )
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    })
    expect(toUpstreamError(reset, 'http://x/')).toMatchObject({
      code: 'UPSTREAM_NETWORK',
      causeCode: 'ECONNRESET',
    })
  })

  it('wraps anything else as a non-retryable UPSTREAM_UNEXPECTED', () => {
    const error = toUpstreamError('boom', 'http://x/')
    expect(error).toMatchObject({ code: 'UPSTREAM_UNEXPECTED', retryable: false, url: 'http://x/' })
    expect(error.message).toContain('boom')
  })
})
