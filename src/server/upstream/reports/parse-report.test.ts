import { describe, expect, it } from 'vitest'
import { UpstreamBodyError } from '../errors.ts'
import {
  CLUB_HEADER_2025_26,
  CLUB_ROWS_2025_26,
  DISTRICT_HEADER,
  DISTRICT_ROWS,
  DIVISION_HEADER_2025_26,
  DIVISION_ROWS_2025_26,
  SUMMARY_HEADER_2025_26,
  SUMMARY_HEADER_2026_27,
  SUMMARY_HEADER_PRE_2025,
  SUMMARY_ROWS_2025_26,
  exportBody,
} from '../testing/export-bodies.ts'
import {
  parseClubPerformance,
  parseDistrictPerformance,
  parseDistrictSummary,
  parseDivisionPerformance,
  parseReportBody,
  parseReportCsv,
} from './parse-report.ts'
import { parseCsvBody } from '../csv-body.ts'

const FOOTER = 'Month of Apr, As of 05/06/2026'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return error instanceof UpstreamBodyError ? error.code : 'not an UpstreamBodyError'
  }
  return undefined
}

/** Drops the columns named in `names` from a header and its rows. */
function without(header: string[], rows: string[][], names: string[]) {
  const keep = header.map((h) => !names.includes(h))
  return {
    header: header.filter((_, i) => keep[i]),
    rows: rows.map((r) => r.filter((_, i) => keep[i])),
  }
}

describe('parseDistrictSummary', () => {
  it('types the 2025-26 example rows (flags, counts, percentages with their text)', () => {
    const parsed = parseDistrictSummary(
      exportBody(SUMMARY_HEADER_2025_26, SUMMARY_ROWS_2025_26, FOOTER),
    )
    expect(parsed.rows).toHaveLength(3)
    expect(parsed.rows[1]).toMatchObject({
      region: '05',
      district: '61',
      dsp: true,
      marketAnalysis: true,
      regionAdvisorVisit: false,
      totalYtdPayments: 5374,
      paymentGrowth: { value: -5.72, text: '-5.72%' },
      clubGrowth: { value: 1.25, text: '1.25%' },
      smedleyDistinguishedClubs: 12,
      distinguishedClubsPercent: { value: 35.62, text: '35.62%' },
      extra: {},
    })
    expect(parsed.rows[2]).toMatchObject({ region: 'DNAR', district: 'U', dsp: false })
  })

  it('reads 2026-27 (no Region Advisor Visit) and the pre-2025 order', () => {
    const y2026 = without(SUMMARY_HEADER_2025_26, SUMMARY_ROWS_2025_26, ['Region Advisor Visit'])
    expect(y2026.header).toEqual(SUMMARY_HEADER_2026_27)
    const row2026 = parseDistrictSummary(exportBody(y2026.header, y2026.rows, FOOTER)).rows[0]
    expect(row2026).toMatchObject({
      regionAdvisorVisit: null,
      communicationPlan: true,
      paidClubs: 146,
    })

    const old = without(SUMMARY_HEADER_2025_26, SUMMARY_ROWS_2025_26, [
      'Market Analysis',
      'Communication Plan',
      'Region Advisor Visit',
      'Smedley Distinguished Clubs',
    ])
    expect(old.header).toEqual(SUMMARY_HEADER_PRE_2025)
    const rowOld = parseDistrictSummary(exportBody(old.header, old.rows, FOOTER)).rows[0]
    expect(rowOld).toMatchObject({
      marketAnalysis: null,
      smedleyDistinguishedClubs: null,
      totalDistinguishedClubs: 27,
      paymentGrowth: { value: -6.91 },
    })
  })

  it('turns N/A into null and records unreadable cells instead of guessing', () => {
    const row = [...(SUMMARY_ROWS_2025_26[0] as string[])]
    row[14] = 'N/A'
    row[7] = '1,234'
    const parsed = parseDistrictSummary(exportBody(SUMMARY_HEADER_2025_26, [row], FOOTER))
    expect(parsed.rows[0]?.paymentGrowth).toEqual({ value: null, text: 'N/A' })
    expect(parsed.rows[0]?.newPayments).toBeNull()
    expect(parsed.rows[0]?.invalidCells).toEqual(['New Payments'])
    expect(parsed.rows[0]?.cells[7]).toBe('1,234')
  })

  it('refuses a district report body (District is not DISTRICT)', () => {
    const body = exportBody(CLUB_HEADER_2025_26, CLUB_ROWS_2025_26, FOOTER)
    expect(codeOf(() => parseDistrictSummary(body))).toBe('UPSTREAM_BAD_HEADER')
  })
})

describe('parseClubPerformance', () => {
  it('maps the example rows, unknown letters kept and negative growth signed', () => {
    const parsed = parseClubPerformance(exportBody(CLUB_HEADER_2025_26, CLUB_ROWS_2025_26, FOOTER))
    expect(parsed.rows.map((r) => r.distinguishedStatus)).toEqual([null, 'D', null, 'M'])
    expect(parsed.rows[2]).toMatchObject({
      clubNumber: '00005678',
      netGrowth: -4,
      clubStatus: 'Low',
    })
  })

  it('keeps unknown columns verbatim in extra', () => {
    const header = [...CLUB_HEADER_2025_26, 'CCs', 'Mem. dues on time Oct & Apr']
    const rows = CLUB_ROWS_2025_26.map((r) => [...r, ' 3', 'x'])
    const parsed = parseClubPerformance(exportBody(header, rows, FOOTER))
    expect(parsed.rows[0]?.extra).toEqual({ CCs: ' 3', 'Mem. dues on time Oct & Apr': 'x' })
  })

  it('refuses a header without Club Number', () => {
    const body = exportBody(DISTRICT_HEADER, DISTRICT_ROWS, FOOTER)
    expect(codeOf(() => parseClubPerformance(body))).toBe('UPSTREAM_BAD_HEADER')
  })

  it('refuses a row whose cell count differs from the header', () => {
    const rows = [CLUB_ROWS_2025_26[0] as string[], (CLUB_ROWS_2025_26[1] as string[]).slice(0, 5)]
    const body = exportBody(CLUB_HEADER_2025_26, rows, FOOTER)
    expect(codeOf(() => parseClubPerformance(body))).toBe('UPSTREAM_PARSE')
  })
})

describe('parseDivisionPerformance', () => {
  it('groups the area and division goal columns', () => {
    const parsed = parseDivisionPerformance(
      exportBody(DIVISION_HEADER_2025_26, DIVISION_ROWS_2025_26, FOOTER),
    )
    expect(parsed.rows[1]).toMatchObject({
      clubNumber: '00009012',
      mayVisitAward: 1,
      membershipToDate: 22,
      distinguishedClub: 'S',
      areaPaidClubGoals: { distinguished: 1, selectDistinguished: 1, presidentsDistinguished: 2 },
      distinguishedArea: 'Distinguished',
      divisionDistinguishedClubGoals: {
        distinguished: 2,
        selectDistinguished: 2,
        presidentsDistinguished: 2,
      },
      distinguishedDivision: null,
      extra: {},
    })
  })

  it('accepts the lower-case "May visit award" spelling', () => {
    const header = DIVISION_HEADER_2025_26.map((h) =>
      h === 'May Visit award' ? 'May visit award' : h,
    )
    const parsed = parseReportBody(
      'divisionperformance',
      exportBody(header, DIVISION_ROWS_2025_26, FOOTER),
    )
    expect(parsed.rows.map((r) => r.mayVisitAward)).toEqual([0, 1])
    expect(parsed.rows[0]?.extra).toEqual({})
  })
})

describe('parseDistrictPerformance', () => {
  it('reads payments and charter / suspend dates (leading space kept)', () => {
    const parsed = parseDistrictPerformance(exportBody(DISTRICT_HEADER, DISTRICT_ROWS, FOOTER))
    expect(parsed.rows[0]).toMatchObject({ newPayments: 7, totalRenewals: 26, totalToDate: 33 })
    expect(parsed.rows[1]?.charterSuspend).toEqual({
      text: 'Charter 11/14/25',
      charterDate: '2025-11-14',
      suspendDate: null,
    })
    expect(parsed.rows[2]?.charterSuspend).toEqual({
      text: ' Susp 03/31/26',
      charterDate: null,
      suspendDate: '2026-03-31',
    })
    expect(parsed.rows[2]?.distinguishedStatus).toBeNull()
  })

  it.each([
    // [cell, footer, expected date]: the century nearest the as-of's year
    ['Charter 11/14/98', 'Month of Jun, As of 07/20/2009', '1998-11-14'],
    ['Charter 05/22/09', 'Month of Jun, As of 07/20/2009', '2009-05-22'],
    [' Susp 03/31/26', 'Month of Apr, As of 05/06/2026', '2026-03-31'],
    ['Charter 02/01/99', 'Month of Jan, As of 02/05/2100', '2099-02-01'],
  ])('reads the two-digit year of %j against the as-of of %j', (cell, footer, date) => {
    const row = [...(DISTRICT_ROWS[0] ?? [])]
    row[DISTRICT_HEADER.indexOf('Charter Date/Suspend Date')] = cell
    const parsed = parseDistrictPerformance(exportBody(DISTRICT_HEADER, [row], footer))
    const value = parsed.rows[0]?.charterSuspend
    expect(value?.text).toBe(cell)
    expect(value?.charterDate ?? value?.suspendDate).toBe(date)
    expect(parsed.rows[0]?.invalidCells).toEqual([])
  })

  it('reads two-digit years of a footer-less body against the as-of it was asked for', () => {
    const row = [...(DISTRICT_ROWS[0] ?? [])]
    row[DISTRICT_HEADER.indexOf('Charter Date/Suspend Date')] = 'Charter 11/14/98'
    const body = parseCsvBody(exportBody(DISTRICT_HEADER, [row], null))
    expect(body.footer).toBeNull()
    const parsed = parseReportCsv('districtperformance', body, null, '2009-03-20')
    expect(parsed.rows[0]?.charterSuspend?.charterDate).toBe('1998-11-14')
  })

  it('refuses a body without the Division column', () => {
    const cut = without(DISTRICT_HEADER, DISTRICT_ROWS, ['Division'])
    const body = exportBody(cut.header, cut.rows, FOOTER)
    expect(codeOf(() => parseDistrictPerformance(body))).toBe('UPSTREAM_BAD_HEADER')
  })
})
