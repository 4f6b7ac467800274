/** Every kind of bad answer from a real loopback server becomes its own typed error. */
import { describe, expect, it } from 'vitest'
import { UpstreamError, UpstreamHttpError, UpstreamWrongAnswerError } from './errors.ts'
import { NOW_MS, useHarness } from './testing/client-harness.ts'
import {
  CLUB_HEADER_2025_26,
  CLUB_ROWS_2025_26,
  exportBody,
  footerLine,
} from './testing/export-bodies.ts'

const start = useHarness()
const REQUEST = { report: 'clubperformance', districtId: '61', asOf: '2026-05-06' } as const
const GOOD_BODY = exportBody(
  CLUB_HEADER_2025_26,
  CLUB_ROWS_2025_26,
  footerLine('2026-04', '2026-05-06'),
)

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )
  if (!(error instanceof UpstreamError)) throw error
  return error
}

describe('dashboard client: error classification', () => {
  it('reports an HTML page served with 200 as UPSTREAM_HTML', async () => {
    const h = await start((_r, res) => {
      res.end(
        '<!DOCTYPE html><html><head><title>Toastmasters International</title></head>' +
          '<body><h1>An error has occured please report this</h1></body></html>',
      )
    })
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error).toMatchObject({ code: 'UPSTREAM_HTML', retryable: true })
    expect(error.message).toContain('Toastmasters International')
    expect(error.url).toBe(h.upstream.baseUrl + h.reportRequests()[0]?.rawUrl)
  })

  it('reports a 500 with its reason as a retryable UPSTREAM_HTTP', async () => {
    const h = await start((_r, res) => {
      res.statusCode = 500
      res.statusMessage = 'URL Rewrite Module Error.'
      res.end('URL Rewrite Module Error.')
    })
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error).toBeInstanceOf(UpstreamHttpError)
    expect(error).toMatchObject({ code: 'UPSTREAM_HTTP', status: 500, retryable: true })
    expect(error.message).toContain('500 URL Rewrite Module Error.')
  })

  it('carries Retry-After of a 429 in milliseconds', async () => {
    const h = await start((_r, res) => {
      res.writeHead(429, { 'retry-after': '7' })
      res.end()
    })
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error).toMatchObject({
      code: 'UPSTREAM_HTTP',
      status: 429,
      retryAfterMs: 7000,
      retryable: true,
    })
  })

  it('reads an HTTP-date Retry-After against the client clock', async () => {
    const h = await start((_r, res) => {
      res.writeHead(503, { 'retry-after': new Date(NOW_MS + 90_000).toUTCString() })
      res.end()
    })
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error).toMatchObject({ status: 503, retryAfterMs: 90_000 })
  })

  it('does not follow a 302 to the error page and reports its Location', async () => {
    const location = '/error.aspx?aspxerrorpath=/2026-2027/export.aspx'
    const h = await start((_r, res) => {
      res.writeHead(302, { location })
      res.end(
        '<html><head><title>Object moved</title></head><body>Object moved to here</body></html>',
      )
    })
    const error = await failure(h.client.fetchReport(REQUEST))
    // Retryable like the error page served with 200 (docs/upstream.md#empty-and-non-csv-answers).
    expect(error).toMatchObject({ code: 'UPSTREAM_HTTP', status: 302, location, retryable: true })
    expect(h.upstream.requests.filter((r) => r.path === '/error.aspx')).toHaveLength(0)
  })

  it('reports a footer with another as-of as UPSTREAM_WRONG_AS_OF with both dates', async () => {
    const h = await start((_r, res) => {
      res.end(
        exportBody(CLUB_HEADER_2025_26, CLUB_ROWS_2025_26, footerLine('2026-05', '2026-05-09')),
      )
    })
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error).toBeInstanceOf(UpstreamWrongAnswerError)
    expect(error).toMatchObject({
      code: 'UPSTREAM_WRONG_AS_OF',
      expected: '2026-05-06',
      actual: '2026-05-09',
      retryable: true,
      isWrongAnswer: true,
    })
  })

  it('reports archive answers naming another month as UPSTREAM_WRONG_MONTH', async () => {
    // 2024-03-20: both candidates (Mar, Feb 2024) are in the archived PY 2023-2024.
    const h = await start((_r, res) => {
      res.end(
        exportBody(CLUB_HEADER_2025_26, CLUB_ROWS_2025_26, footerLine('2024-01', '2024-03-20')),
      )
    })
    const error = await failure(h.client.fetchReport({ ...REQUEST, asOf: '2024-03-20' }))
    expect(error).toMatchObject({
      code: 'UPSTREAM_WRONG_MONTH',
      retryable: true,
      isWrongAnswer: true,
    })
    expect(error.message).toContain('2024-01')
    expect(h.reportRequests().map((r) => r.path)).toEqual([
      '/2023-2024/export.aspx',
      '/2023-2024/export.aspx',
    ])
  })

  it('reports a body cut mid-row as UPSTREAM_PARSE', async () => {
    const h = await start((_r, res) =>
      res.end(GOOD_BODY.slice(0, GOOD_BODY.indexOf('Sunrise') + 4)),
    )
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error).toMatchObject({ code: 'UPSTREAM_PARSE', retryable: true })
  })

  it('reports a body cut after a cell separator as UPSTREAM_PARSE', async () => {
    const h = await start((_r, res) => res.end(GOOD_BODY.slice(0, GOOD_BODY.indexOf('"Sunrise'))))
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error.code).toBe('UPSTREAM_PARSE')
  })

  it('refuses a root body without footer (UPSTREAM_NO_FOOTER)', async () => {
    const h = await start((_r, res) =>
      res.end(exportBody(CLUB_HEADER_2025_26, CLUB_ROWS_2025_26, null)),
    )
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error).toMatchObject({ code: 'UPSTREAM_NO_FOOTER', retryable: true })
  })

  it('refuses a body with another report header (UPSTREAM_BAD_HEADER)', async () => {
    const h = await start((_r, res) => res.end(GOOD_BODY))
    const error = await failure(h.client.fetchReport({ ...REQUEST, report: 'divisionperformance' }))
    expect(error).toMatchObject({ code: 'UPSTREAM_BAD_HEADER', retryable: false })
  })

  it('reports a connection reset as a retryable UPSTREAM_NETWORK', async () => {
    const h = await start((_r, res) => res.socket?.destroy())
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error).toMatchObject({ code: 'UPSTREAM_NETWORK', retryable: true })
  })

  it('gives up after timeoutMs with UPSTREAM_TIMEOUT', async () => {
    const h = await start(() => undefined, { options: { timeoutMs: 150 } })
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', retryable: true, timeoutMs: 150 })
  })

  it('times out a body that stalls after the headers', async () => {
    const h = await start((_r, res) => res.write(GOOD_BODY.slice(0, 100)), {
      options: { timeoutMs: 150 },
    })
    const error = await failure(h.client.fetchReport(REQUEST))
    expect(error.code).toBe('UPSTREAM_TIMEOUT')
  })

  it('turns the caller aborting mid-request into CANCELLED', async () => {
    const controller = new AbortController()
    const h = await start(() => controller.abort())
    const error = await failure(h.client.fetchReport({ ...REQUEST, signal: controller.signal }))
    expect(error).toMatchObject({ code: 'CANCELLED', retryable: false })
    expect(h.reportRequests()).toHaveLength(1)
  })

  it('sends nothing when the signal is already aborted', async () => {
    const h = await start((_r, res) => res.end(GOOD_BODY))
    const error = await failure(h.client.fetchReport({ ...REQUEST, signal: AbortSignal.abort() }))
    expect(error.code).toBe('CANCELLED')
    expect(h.upstream.requests).toHaveLength(0)
  })
})
