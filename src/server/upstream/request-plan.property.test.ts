/**
 * The request builder against an oracle written straight from docs/upstream.md
 * (#export-tokens, #month-end-closing-periods, #client-recipe):
 * closing-table lookup, program year of the data month, root iff live year, unpadded dates.
 */
import { readFileSync } from 'node:fs'
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { DEFAULT_CLOSING_CALENDAR } from './closing-calendar.ts'
import { planReportRequests } from './request-plan.ts'

const rawTable = JSON.parse(
  readFileSync(new URL('./data/month-end-closing-dates.json', import.meta.url), 'utf8'),
) as { months: { dataMonth: string; closingDate: string }[] }

// docs/upstream.md#month-end-closing-periods, restated here on purpose rather than imported.
const closingByMonth: Record<string, string> = {
  ...Object.fromEntries(rawTable.months.map((e) => [e.dataMonth, e.closingDate])),
  '2026-01': '2026-02-05',
  '2026-02': '2026-03-05',
  '2026-03': '2026-04-07',
  '2026-04': '2026-05-07',
  '2026-05': '2026-06-05',
  '2026-06': '2026-07-29',
  '2026-07': '2026-08-10',
}

const FIRST_DAY_MS = Date.UTC(2008, 6, 1)
const LAST_DAY_MS = Date.UTC(2026, 10, 29)
const DAY_MS = 86_400_000

const asOfArb = fc
  .integer({ min: 0, max: (LAST_DAY_MS - FIRST_DAY_MS) / DAY_MS })
  .map((n) => new Date(FIRST_DAY_MS + n * DAY_MS).toISOString().slice(0, 10))
const liveStartArb = fc.integer({ min: 2008, max: 2027 })
const reportArb = fc.constantFrom(
  'districtsummary',
  'districtperformance',
  'divisionperformance',
  'clubperformance',
) as fc.Arbitrary<'districtsummary' | 'clubperformance'>
const districtArb = fc.constantFrom('02', '61', '128', 'F', 'U')

interface Expected {
  year: number
  month: number
  pyStart: number
}

function oracleMonths(asOf: string): Expected[] {
  const [y, m] = asOf.split('-').map(Number) as [number, number]
  const prev = m === 1 ? { year: y - 1, month: 12 } : { year: y, month: m - 1 }
  const own = { year: y, month: m }
  const closing = closingByMonth[`${prev.year}-${String(prev.month).padStart(2, '0')}`]
  const ordered = closing !== undefined && asOf <= closing ? [prev, own] : [own, prev]
  return ordered.map((x) => ({ ...x, pyStart: x.month >= 7 ? x.year : x.year - 1 }))
}

function expectedToken(report: string, district: string, e: Expected, asOf: string): string {
  const lastDay = new Date(Date.UTC(e.year, e.month, 0)).getUTCDate()
  const [y, m, d] = asOf.split('-').map(Number)
  const py = `${e.pyStart}-${e.pyStart + 1}`
  const dist = report === 'districtsummary' ? [] : [district]
  return [report, ...dist, `${e.month}/${lastDay}/${e.year}`, `${m}/${d}/${y}`, py].join('~')
}

describe('planReportRequests (property)', () => {
  test.prop([asOfArb, liveStartArb, reportArb, districtArb], { numRuns: 300 })(
    'gives the data month, program year, path and token the reference rules give',
    (asOf, liveStart, report, district) => {
      const plan = planReportRequests(
        { report, districtId: report === 'districtsummary' ? null : district, asOf },
        {
          liveProgramYear: `${liveStart}-${liveStart + 1}`,
          calendar: DEFAULT_CLOSING_CALENDAR,
          baseUrl: 'http://dash.test',
        },
      )
      const expected = oracleMonths(asOf)
      const published = expected.filter((e) => e.pyStart <= liveStart)
      expect(plan.requests).toHaveLength(published.length)
      expect(plan.skipped).toHaveLength(expected.length - published.length)
      plan.requests.forEach((request, i) => {
        const e = published[i] as Expected
        const url = new URL(request.url)
        const prefix = e.pyStart === liveStart ? '' : `/${e.pyStart}-${e.pyStart + 1}`
        expect(url.pathname).toBe(`${prefix}/export.aspx`)
        expect(url.searchParams.get('report')).toBe(expectedToken(report, district, e, asOf))
        expect(request.dataMonth).toBe(`${e.year}-${String(e.month).padStart(2, '0')}`)
        expect(request.path).toBe(e.pyStart === liveStart ? 'root' : 'archive')
      })
    },
  )

  test.prop([fc.integer({ min: 2017, max: 2026 }), fc.integer({ min: 1, max: 31 })], {
    numRuns: 100,
  })('fetches June data during its July closing window from program year Y-1/Y', (y, d) => {
    const asOf = `${y}-07-${String(d).padStart(2, '0')}`
    const closing = closingByMonth[`${y}-06`]
    fc.pre(closing !== undefined && asOf <= closing)
    const plan = planReportRequests(
      { report: 'clubperformance', districtId: '61', asOf },
      { liveProgramYear: `${y}-${y + 1}`, calendar: DEFAULT_CLOSING_CALENDAR },
    )
    expect(plan.requests[0]?.dataMonth).toBe(`${y}-06`)
    expect(plan.requests[0]?.programYear).toBe(`${y - 1}-${y}`)
    expect(new URL(plan.requests[0]?.url ?? '').pathname).toBe(`/${y - 1}-${y}/export.aspx`)
  })
})
