/**
 * The upstream client against the dashboard simulator over loopback HTTP: all four reports for
 * archived, closing-period, live and unpublished as-of days (docs/upstream.md:
 * #urls-and-path-styles, #what-each-request-shape-returns, #month-end-closing-periods,
 * #accepting-a-body, #client-recipe).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { addDays, addMonths } from '../../src/shared/iso-date.ts'
import type { IsoDate } from '../../src/shared/iso-date.ts'
import { DEFAULT_CLOSING_CALENDAR, UpstreamHttpError } from '../../src/server/upstream/index.ts'
import {
  TODAY,
  expectDataMatchesTruth,
  expectedPath,
  fetchAllFour,
  loggedPaths,
  upstreamFailure,
  useRig,
} from './harness.ts'
import type { Rig } from './harness.ts'

/**
 * Closing dates where the simulator disagrees with the client's bundled table (2025-01 → 02-10,
 * 2025-03 → 04-11): docs/upstream.md#month-end-closing-periods: the table only orders the guesses, the footer decides.
 */
const CLOSING_OVERRIDES = { '2025-01': '2025-02-14', '2025-03': '2025-04-04' }
const rig = useRig({ closingDates: CLOSING_OVERRIDES })

beforeEach(() => {
  rig().sim.clearFaults()
  rig().sim.clearLog()
})

/** MONTHEND, ASOF and PY slots of a logged export URL (docs/upstream.md#export-tokens). */
function tokenSlots(url: string): string[] {
  const token = new URL(url, 'http://log.local').searchParams.get('report') ?? ''
  return token.split('~').slice(-3)
}

/** Every one of the four reports is data that agrees with the simulator's truth. */
async function expectAllFourMatch(r: Rig, asOf: IsoDate, districtId: string): Promise<void> {
  const results = await fetchAllFour(r.client, asOf, districtId)
  for (const result of results) expectDataMatchesTruth(r, result, asOf)
  const published = r.sim.truth.dataMonthFor(asOf)
  const path = expectedPath(published?.programYear ?? '', r.sim.truth.liveProgramYear())
  // The live-status probe may precede the first report; it is always a root request.
  expect(loggedPaths(r.sim).slice(-4)).toEqual([path, path, path, path])
}

describe('client vs simulator: dates with published data', () => {
  it('serves an archived mid-month day of PY 2024-2025 from the /2024-2025/ path', async () => {
    const asOf = '2025-03-18'
    expect(rig().sim.truth.dataMonthFor(asOf)).toEqual({
      dataMonth: '2025-03',
      programYear: '2024-2025',
    })
    await expectAllFourMatch(rig(), asOf, '61')
  })

  it('serves the last closing-period day of an archived month as that month (closing flag set)', async () => {
    const { truth } = rig().sim
    const asOf = truth.closingDate('2024-11')
    expect(asOf.slice(0, 7)).toBe('2024-12')
    expect(truth.dataMonthFor(asOf)?.dataMonth).toBe('2024-11')
    await expectAllFourMatch(rig(), asOf, '21')
    // The day after the close already belongs to the next month.
    await expectAllFourMatch(rig(), addDays(asOf, 1), '21')
  })

  it('serves a closing-period day of the live year, a month the client has no closing date for', async () => {
    const { truth } = rig().sim
    const previous = addMonths(truth.latestAsOf().slice(0, 7), -1)
    const asOf = truth.closingDate(previous)
    expect(asOf <= truth.latestAsOf()).toBe(true)
    expect(truth.dataMonthFor(asOf)?.dataMonth).toBe(previous)
    await expectAllFourMatch(rig(), asOf, 'U')
  })

  it('serves the latest live as-of from the root path', async () => {
    const { truth } = rig().sim
    expect(truth.latestAsOf()).toBe(addDays(TODAY, -1))
    await expectAllFourMatch(rig(), truth.latestAsOf(), '02')
  })

  it('falls back to the previous month when the month closed later than the client expected', async () => {
    const asOf = '2025-02-12' // client table: Jan closed 02-10; simulator: 02-14
    expect(DEFAULT_CLOSING_CALENDAR.get('2025-01')).toBe('2025-02-10')
    expect(rig().sim.truth.dataMonthFor(asOf)?.dataMonth).toBe('2025-01')
    const results = await fetchAllFour(rig().client, asOf, 'F')
    for (const result of results) expectDataMatchesTruth(rig(), result, asOf)
    const clubRequests = rig()
      .sim.requestLog()
      .filter((e) => e.url.includes('clubperformance'))
      .map((e) => ({ slots: tokenSlots(e.url), status: e.status }))
    expect(clubRequests).toEqual([
      { slots: ['2/28/2025', '2/12/2025', '2024-2025'], status: 200 }, // header + footer only
      { slots: ['1/31/2025', '2/12/2025', '2024-2025'], status: 200 },
    ])
  })

  it('moves on to the as-of month when the month closed earlier than the client expected', async () => {
    const asOf = '2025-04-08' // client table: Mar closed 04-11; simulator: 04-04
    expect(rig().sim.truth.dataMonthFor(asOf)).toEqual({
      dataMonth: '2025-04',
      programYear: '2024-2025',
    })
    expect(DEFAULT_CLOSING_CALENDAR.get('2025-03')).toBe('2025-04-11')
    const results = await fetchAllFour(rig().client, asOf, '61')
    for (const result of results) expectDataMatchesTruth(rig(), result, asOf)
    expect(results.every((r) => r.kind === 'data' && !r.closingPeriod)).toBe(true)
    const monthEnds = rig()
      .sim.requestLog()
      .filter((e) => e.url.includes('divisionperformance'))
      .map((e) => tokenSlots(e.url)[0])
    expect(monthEnds).toEqual(['3/31/2025', '4/30/2025'])
  })

  it('takes the June close in the late-July overlap, as docs/upstream.md#client-recipe step 1 orders it', async () => {
    const asOf = '2026-07-27' // June 2026 closed 07-29; July 2026 starts 07-26
    const months = rig().sim.truth.dataMonthsFor(asOf)
    expect(months.map((m) => m.dataMonth)).toEqual(['2026-06', '2026-07'])
    const results = await fetchAllFour(rig().client, asOf, '61')
    for (const result of results) expectDataMatchesTruth(rig(), result, asOf, '2026-06')
    expect(loggedPaths(rig().sim).slice(-4)).toEqual(Array(4).fill('/2025-2026/export.aspx'))
  })
})

describe('client vs simulator: dates without published data', () => {
  async function expectAllUnavailable(asOf: IsoDate): Promise<string[]> {
    const { truth } = rig().sim
    expect(truth.dataMonthFor(asOf)).toBeNull()
    const results = await fetchAllFour(rig().client, asOf, '61')
    for (const result of results) {
      expect(result).toMatchObject({ kind: 'unavailable', requestedAsOf: asOf })
      expect(truth.renderReport(result.report, result.districtId, asOf)).toBeNull()
    }
    return loggedPaths(rig().sim)
  }

  it('reports today (one day past the latest as-of) as unavailable, asking only the root', async () => {
    const paths = await expectAllUnavailable(TODAY)
    expect(paths.length).toBeGreaterThan(0)
    expect(new Set(paths)).toEqual(new Set(['/export.aspx']))
  })

  it('reports a later day of the live program year as unavailable', async () => {
    const paths = await expectAllUnavailable('2026-12-15')
    expect(new Set(paths)).toEqual(new Set(['/export.aspx']))
  })

  it('reports a day of the next, unpublished program year as unavailable without any request', async () => {
    const paths = await expectAllUnavailable('2027-08-10')
    expect(paths).toEqual([])
  })

  it('reports a program year the simulator does not serve as a redirect to the error page, never as data', async () => {
    const asOf = '2023-03-15'
    expect(rig().sim.truth.archivedProgramYears()).not.toContain('2022-2023')
    expect(rig().sim.truth.dataMonthFor(asOf)).toBeNull()
    const error = await upstreamFailure(
      rig().client.fetchReport({ report: 'clubperformance', districtId: '61', asOf }),
    )
    expect(error).toBeInstanceOf(UpstreamHttpError)
    expect(error).toMatchObject({ code: 'UPSTREAM_HTTP', status: 302, retryable: true })
    expect((error as UpstreamHttpError).location).toContain('/error.aspx')
    expect(loggedPaths(rig().sim)).toContain('/2022-2023/export.aspx')
  })
})
