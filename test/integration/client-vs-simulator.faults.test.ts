/**
 * Each fault the simulator can inject comes back from the client as its own typed error, and
 * no faulty answer is ever returned as data for the requested date (docs/upstream.md#empty-and-non-csv-answers, docs/upstream.md#accepting-a-body).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { IsoDate } from '../../src/shared/iso-date.ts'
import {
  UpstreamBodyError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  UpstreamWrongAnswerError,
  buildExportUrl,
  buildReportToken,
} from '../../src/server/upstream/index.ts'
import type { FaultRuleInput } from '../../src/sim/index.ts'
import { expectDataMatchesTruth, loggedPaths, upstreamFailure, useRig } from './harness.ts'

const rig = useRig()
const TARGET = { report: 'clubperformance', districtId: '61' } as const
const LIVE_DAY = '2026-11-20'
const ARCHIVED_DAY = '2025-03-12'

beforeAll(async () => {
  // Learn the live year before any fault is armed, so faults only meet report requests.
  await rig().client.getLiveStatus()
})

afterEach(() => {
  rig().sim.clearFaults()
  rig().sim.clearLog()
})

/** Arms one fault on the target report and returns the client's error for `asOf`. */
async function failureWith(rule: FaultRuleInput, asOf: IsoDate = LIVE_DAY) {
  rig().sim.addFault({ match: TARGET, ...rule })
  const error = await upstreamFailure(rig().client.fetchReport({ ...TARGET, asOf }))
  const applied = rig()
    .sim.requestLog()
    .map((e) => e.fault)
  expect(applied).toContain(rule.kind)
  return error
}

describe('client vs simulator: injected faults become typed errors', () => {
  it.each([500, 503])('%i → retryable UPSTREAM_HTTP with that status', async (status) => {
    const error = await failureWith({ kind: 'server-error', status })
    expect(error).toBeInstanceOf(UpstreamHttpError)
    expect(error).toMatchObject({ code: 'UPSTREAM_HTTP', status, retryable: true })
  })

  it('a one-off 5xx is followed by the right data on the next call', async () => {
    await failureWith({ kind: 'server-error', status: 502, count: 1 })
    const result = await rig().client.fetchReport({ ...TARGET, asOf: LIVE_DAY })
    expectDataMatchesTruth(rig(), result, LIVE_DAY)
  })

  it('429 with Retry-After → UPSTREAM_HTTP 429 carrying retryAfterMs', async () => {
    const error = await failureWith({ kind: 'rate-limit', retryAfterSeconds: 7 })
    expect(error).toMatchObject({ code: 'UPSTREAM_HTTP', status: 429, retryable: true })
    expect((error as UpstreamHttpError).retryAfterMs).toBe(7000)
  })

  it('an HTML error page with 200 → UPSTREAM_HTML', async () => {
    const error = await failureWith({ kind: 'html-error' }, ARCHIVED_DAY)
    expect(error).toBeInstanceOf(UpstreamBodyError)
    expect(error).toMatchObject({ code: 'UPSTREAM_HTML', retryable: true })
  })

  it('the error page behind a redirect → retryable UPSTREAM_HTTP 302 with its location', async () => {
    const error = await failureWith({ kind: 'html-error', redirect: true })
    expect(error).toMatchObject({ code: 'UPSTREAM_HTTP', status: 302, retryable: true })
    expect((error as UpstreamHttpError).location).toContain('/error.aspx')
  })

  // The cut falls inside a data row, so the last row is short (or a quote is left open): the
  // body is malformed CSV before the missing footer matters. UPSTREAM_NO_FOOTER would only fit a
  // cut at a line boundary, and only on the root path (docs/upstream.md#accepting-a-body: archive bodies may lack a footer).
  it.each([LIVE_DAY, ARCHIVED_DAY])(
    'a body truncated mid-row on %s → UPSTREAM_PARSE',
    async (day) => {
      const error = await failureWith({ kind: 'truncate', mode: 'clean' }, day)
      expect(error).toMatchObject({ code: 'UPSTREAM_PARSE', retryable: true })
    },
  )

  it('a connection dropped mid-body (Content-Length not met) → UPSTREAM_NETWORK', async () => {
    const error = await failureWith({ kind: 'truncate', mode: 'abort' })
    expect(error).toBeInstanceOf(UpstreamNetworkError)
    expect(error).toMatchObject({ code: 'UPSTREAM_NETWORK', retryable: true })
  })

  it('a connection reset → UPSTREAM_NETWORK', async () => {
    const error = await failureWith({ kind: 'reset' }, ARCHIVED_DAY)
    expect(error).toBeInstanceOf(UpstreamNetworkError)
    expect(error).toMatchObject({ code: 'UPSTREAM_NETWORK', retryable: true })
  })

  it('latency beyond the client timeout → UPSTREAM_TIMEOUT; within it → data', async () => {
    // A short-timeout client keeps the test fast; the delay is four times its budget.
    const impatient = rig().newClient({ timeoutMs: 300 })
    await impatient.getLiveStatus()
    rig().sim.addFault({ kind: 'latency', ms: 1200, match: { ...TARGET, asOf: LIVE_DAY } })
    const error = await upstreamFailure(impatient.fetchReport({ ...TARGET, asOf: LIVE_DAY }))
    expect(error).toBeInstanceOf(UpstreamTimeoutError)
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', retryable: true, timeoutMs: 300 })
    rig().sim.clearFaults()
    rig().sim.addFault({ kind: 'latency', ms: 300, match: TARGET })
    const slow = await rig().client.fetchReport({ ...TARGET, asOf: LIVE_DAY })
    expectDataMatchesTruth(rig(), slow, LIVE_DAY)
  })

  it.each([-1, 1, 30])(
    'a footer as-of shifted by %i days → UPSTREAM_WRONG_AS_OF, retried within its own limit',
    async (shift) => {
      const error = await failureWith({ kind: 'wrong-as-of', shiftDays: shift }, ARCHIVED_DAY)
      expect(error).toBeInstanceOf(UpstreamWrongAnswerError)
      expect(error).toMatchObject({
        code: 'UPSTREAM_WRONG_AS_OF',
        retryable: true,
        isWrongAnswer: true,
      })
      expect((error as UpstreamWrongAnswerError).expected).toBe(ARCHIVED_DAY)
    },
  )

  it('an outage answering 503 → UPSTREAM_HTTP 503, also for the live-status probe', async () => {
    rig().sim.addFault({ kind: 'outage' })
    const error = await upstreamFailure(rig().newClient().getLiveStatus())
    expect(error).toMatchObject({ code: 'UPSTREAM_HTTP', status: 503, retryable: true })
    const report = await upstreamFailure(
      rig().client.fetchReport({ ...TARGET, asOf: ARCHIVED_DAY }),
    )
    expect(report).toMatchObject({ code: 'UPSTREAM_HTTP', status: 503 })
  })

  it('an outage dropping connections → UPSTREAM_NETWORK', async () => {
    rig().sim.addFault({ kind: 'outage', mode: 'reset' })
    const error = await upstreamFailure(rig().client.fetchReport({ ...TARGET, asOf: LIVE_DAY }))
    expect(error).toMatchObject({ code: 'UPSTREAM_NETWORK', retryable: true })
  })
})

describe('client vs simulator: stale bodies and the live-year archive path', () => {
  it('never accepts the same (stale) body as data for other dates', async () => {
    const staleDay = '2026-11-10'
    rig().sim.addFault({ kind: 'stale', asOf: staleDay, match: TARGET })
    for (const asOf of ['2026-11-09', LIVE_DAY, '2026-11-28', ARCHIVED_DAY, '2025-12-01']) {
      const error = await upstreamFailure(rig().client.fetchReport({ ...TARGET, asOf }))
      expect(error).toMatchObject({
        code: 'UPSTREAM_WRONG_AS_OF',
        expected: asOf,
        actual: staleDay,
      })
    }
    // The one date the stale body really describes is accepted, and it is the right body.
    const own = await rig().client.fetchReport({ ...TARGET, asOf: staleDay })
    expectDataMatchesTruth(rig(), own, staleDay)
  })

  it('answers the /{livePY}/ archive path with 500 URL Rewrite Module Error', async () => {
    const live = rig().sim.truth.liveProgramYear()
    const token = buildReportToken({
      report: 'districtsummary',
      monthEnd: '2026-10-31',
      asOf: '2026-10-15',
      programYear: live,
    })
    const url = buildExportUrl({ baseUrl: rig().sim.url, archiveProgramYear: live, token })
    const response = await fetch(url, { redirect: 'manual' })
    expect(response.status).toBe(500)
    expect(await response.text()).toContain('URL Rewrite Module Error.')
  })

  it('the client itself uses the root for every live-year day, never /{livePY}/', async () => {
    const live = rig().sim.truth.liveProgramYear()
    for (const asOf of ['2026-07-26', '2026-08-05', '2026-10-15', '2026-11-28']) {
      const result = await rig().client.fetchReport({ ...TARGET, asOf })
      expect(result.kind).toBe('data')
    }
    const paths = loggedPaths(rig().sim)
    expect(paths).not.toContain(`/${live}/export.aspx`)
    expect(paths.filter((p) => p === '/export.aspx').length).toBeGreaterThanOrEqual(3)
  })
})
