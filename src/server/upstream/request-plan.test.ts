import { describe, expect, it } from 'vitest'
import { createClosingCalendar } from './closing-calendar.ts'
import {
  buildExportUrl,
  buildLatestUrl,
  buildReportToken,
  planReportRequests,
} from './request-plan.ts'

describe('buildReportToken', () => {
  it('builds the district report token with unpadded dates', () => {
    const token = buildReportToken({
      report: 'clubperformance',
      districtId: '02',
      monthEnd: '2026-08-31',
      asOf: '2026-09-05',
      programYear: '2026-2027',
    })
    expect(token).toBe('clubperformance~02~8/31/2026~9/5/2026~2026-2027')
  })

  it('omits the district slot for the summary and keeps empty slots', () => {
    const token = buildReportToken({
      report: 'districtsummary',
      monthEnd: null,
      asOf: null,
      programYear: '2025-2026',
    })
    expect(token).toBe('districtsummary~~~2025-2026')
  })

  it('refuses a summary with a district and a district report without one', () => {
    const base = { monthEnd: null, asOf: null, programYear: '2025-2026' }
    expect(() =>
      buildReportToken({ ...base, report: 'districtsummary', districtId: '61' }),
    ).toThrow(RangeError)
    expect(() => buildReportToken({ ...base, report: 'divisionperformance' })).toThrow(RangeError)
    expect(() =>
      buildReportToken({ ...base, report: 'divisionperformance', districtId: '6/1' }),
    ).toThrow(RangeError)
  })
})

describe('buildExportUrl', () => {
  const token = 'divisionperformance~61~6/30/2024~7/12/2024~2023-2024'

  it('prefixes archived years and gives back the literal token once decoded', () => {
    const url = new URL(
      buildExportUrl({ baseUrl: 'https://example.test/', archiveProgramYear: '2023-2024', token }),
    )
    expect(url.pathname).toBe('/2023-2024/export.aspx')
    expect(url.searchParams.get('type')).toBe('CSV')
    expect(url.searchParams.get('report')).toBe(token)
  })

  it('uses the root path for the live year on the real host by default', () => {
    const url = buildLatestUrl({ report: 'districtsummary', programYear: '2026-2027' })
    expect(url).toBe(
      'https://dashboards.toastmasters.org/export.aspx?type=CSV&report=districtsummary~~~2026-2027',
    )
  })
})

describe('planReportRequests', () => {
  const calendar = createClosingCalendar([{ dataMonth: '2026-06', closingDate: '2026-07-29' }])

  it('fetches June data in July from the June program year', () => {
    const plan = planReportRequests(
      { report: 'clubperformance', districtId: '61', asOf: '2026-07-27' },
      { liveProgramYear: '2026-2027', calendar },
    )
    expect(plan.requests.map((r) => [r.dataMonth, r.programYear, r.path])).toEqual([
      ['2026-06', '2025-2026', 'archive'],
      ['2026-07', '2026-2027', 'root'],
    ])
    expect(plan.requests[0]?.token).toBe('clubperformance~61~6/30/2026~7/27/2026~2025-2026')
  })

  it('skips months of a program year the site has not published yet', () => {
    const plan = planReportRequests(
      { report: 'districtsummary', asOf: '2026-07-10' },
      { liveProgramYear: '2025-2026', calendar },
    )
    expect(plan.requests.map((r) => r.dataMonth)).toEqual(['2026-06'])
    expect(plan.requests[0]?.path).toBe('root')
    expect(plan.skipped).toEqual([{ dataMonth: '2026-07', programYear: '2026-2027' }])
  })
})
