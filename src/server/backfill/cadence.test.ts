import { describe, expect, it } from 'vitest'
import { createClosingCalendar } from '../upstream/index.ts'
import { datesOfCadence } from './cadence.ts'

describe('datesOfCadence', () => {
  it('month-end: each data month closing day in the range (closing dates of docs/upstream.md)', () => {
    // 2026-01 closed 02-05, 2026-02 03-05, 2026-03 04-07, 2026-04 05-07, 2026-05 06-05; June 07-29.
    expect(datesOfCadence('month-end', '2026-02-01', '2026-06-30')).toEqual([
      '2026-02-05',
      '2026-03-05',
      '2026-04-07',
      '2026-05-07',
      '2026-06-05',
    ])
  })

  it("year-end: each program year's June closing day", () => {
    // 2024-06 closed 07-19 (the closing table), 2025-06 07-20, 2026-06 07-29 (docs/upstream.md).
    expect(datesOfCadence('year-end', '2024-07-01', '2026-12-01')).toEqual([
      '2024-07-19',
      '2025-07-20',
      '2026-07-29',
    ])
  })

  it("month-end of months the calendar does not know: the month's last day", () => {
    const empty = createClosingCalendar([])
    expect(datesOfCadence('month-end', '2010-03-01', '2010-05-31', empty)).toEqual([
      '2010-03-31',
      '2010-04-30',
      '2010-05-31',
    ])
  })

  it('weekly: startDate and every 7th day after it; daily: every day', () => {
    expect(datesOfCadence('weekly', '2026-03-01', '2026-03-20')).toEqual([
      '2026-03-01',
      '2026-03-08',
      '2026-03-15',
    ])
    expect(datesOfCadence('daily', '2026-03-01', '2026-03-03')).toEqual([
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
    ])
  })

  it('a 9-year month-end history is about 108 dates', () => {
    const dates = datesOfCadence('month-end', '2017-07-01', '2026-06-30')
    expect(dates.length).toBeGreaterThanOrEqual(105)
    expect(dates.length).toBeLessThanOrEqual(108)
    expect(new Set(dates).size).toBe(dates.length)
  })
})
