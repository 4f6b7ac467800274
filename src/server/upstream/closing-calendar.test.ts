import { describe, expect, it } from 'vitest'
import {
  DEFAULT_CLOSING_CALENDAR,
  createClosingCalendar,
  resolveDataMonths,
} from './closing-calendar.ts'

describe('DEFAULT_CLOSING_CALENDAR', () => {
  it('applies the later corrections on top of the copied table', () => {
    expect(DEFAULT_CLOSING_CALENDAR.get('2026-01')).toBe('2026-02-05')
    expect(DEFAULT_CLOSING_CALENDAR.get('2026-06')).toBe('2026-07-29')
    expect(DEFAULT_CLOSING_CALENDAR.get('2026-07')).toBe('2026-08-10')
    expect(DEFAULT_CLOSING_CALENDAR.get('2017-01')).toBe('2017-02-08')
  })

  it('keeps the gaps of the table (April 2022, after 2026-07)', () => {
    expect(DEFAULT_CLOSING_CALENDAR.has('2022-04')).toBe(false)
    expect(DEFAULT_CLOSING_CALENDAR.has('2026-08')).toBe(false)
  })
})

describe('resolveDataMonths', () => {
  const calendar = createClosingCalendar([{ dataMonth: '2026-01', closingDate: '2026-02-05' }])

  it('puts the previous month first up to and including its closing date', () => {
    expect(resolveDataMonths('2026-02-05', calendar)).toEqual(['2026-01', '2026-02'])
    expect(resolveDataMonths('2026-02-01', calendar)).toEqual(['2026-01', '2026-02'])
  })

  it('puts the as-of month first after the closing date', () => {
    expect(resolveDataMonths('2026-02-06', calendar)).toEqual(['2026-02', '2026-01'])
    // Feb 13 is in February's list once January closed on Feb 5 (docs/upstream.md#month-end-closing-periods).
    expect(resolveDataMonths('2026-02-13', DEFAULT_CLOSING_CALENDAR)).toEqual([
      '2026-02',
      '2026-01',
    ])
  })

  it('tries the as-of month first when the closing date is unknown', () => {
    expect(resolveDataMonths('2026-03-02', calendar)).toEqual(['2026-03', '2026-02'])
    expect(resolveDataMonths('2022-05-03', DEFAULT_CLOSING_CALENDAR)).toEqual([
      '2022-05',
      '2022-04',
    ])
  })

  it('crosses the year boundary', () => {
    expect(resolveDataMonths('2026-01-03', DEFAULT_CLOSING_CALENDAR)).toEqual([
      '2025-12',
      '2026-01',
    ])
  })
})
