import { describe, expect, it } from 'vitest'
import type { SeriesPoint } from '../../shared/api-schemas.ts'
import { latestChanges, programYearStarts, yearEndPoints } from './history-view.ts'

function point(
  asOf: string,
  dataMonth: string,
  programYear: string,
  paidClubs: number,
): SeriesPoint {
  return {
    asOf,
    dataMonth,
    programYear,
    detail: 'summary',
    closingPeriod: false,
    sourceAsOf: asOf,
    fetchedAt: null,
    paidClubs,
    activeClubs: null,
    paymentsYtd: null,
    paymentBase: null,
    activeMembers: null,
    distinguished: {
      distinguished: null,
      select: null,
      presidents: null,
      smedley: null,
      total: null,
    },
  }
}

const SERIES = [
  point('2025-07-20', '2025-07', '2025-2026', 90),
  point('2025-11-29', '2025-11', '2025-2026', 100),
  point('2026-06-15', '2026-06', '2025-2026', 110),
  point('2026-07-03', '2026-06', '2025-2026', 112),
  point('2026-07-20', '2026-07', '2026-2027', 95),
  point('2026-11-29', '2026-11', '2026-2027', 104),
]

describe('history view', () => {
  it('marks where a program year starts in the data', () => {
    expect(programYearStarts(SERIES)).toEqual([{ asOf: '2026-07-20', programYear: '2026-2027' }])
  })

  it('takes the last June figures of each year as its year-end value', () => {
    expect(yearEndPoints(SERIES).map((p) => p.asOf)).toEqual(['2026-07-03'])
    expect(yearEndPoints(SERIES.slice(0, 3)).map((p) => p.asOf)).toEqual(['2026-06-15'])
  })

  it('measures the change since the program-year start and since the same date last year', () => {
    const paid = latestChanges(SERIES)!.changes.find((c) => c.measure === 'paidClubs')!
    expect(paid.latest).toBe(104)
    expect(paid.sinceYearStart).toEqual({ from: '2026-07-20', delta: 9 })
    expect(paid.sinceLastYear).toEqual({ from: '2025-11-29', delta: 4 })
    const noYearAgo = latestChanges(SERIES.slice(2))!.changes[0]!
    expect(noYearAgo.sinceLastYear).toBeNull()
  })
})
