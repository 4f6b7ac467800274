import { describe, expect, it } from 'vitest'
import { formatDashboardDate, latestMonthNotAfter, parseFooter } from './dashboard-date.ts'

describe('formatDashboardDate', () => {
  it('writes M/D/YYYY without zero padding', () => {
    expect(formatDashboardDate('2026-09-21')).toBe('9/21/2026')
    expect(formatDashboardDate('2009-01-05')).toBe('1/5/2009')
    expect(formatDashboardDate('2025-12-31')).toBe('12/31/2025')
  })

  it('rejects dates that do not exist', () => {
    expect(() => formatDashboardDate('2026-02-30')).toThrow(RangeError)
  })
})

describe('parseFooter', () => {
  it('reads the real footer: 3-letter month and zero-padded as-of', () => {
    expect(parseFooter('Month of Jun, As of 06/09/2026')).toEqual({
      month: 'Jun',
      monthNumber: 6,
      asOf: '2026-06-09',
      line: 'Month of Jun, As of 06/09/2026',
    })
    expect(parseFooter('Month of Sep, As of 09/22/2026')?.monthNumber).toBe(9)
  })

  it('tolerates full month names, Sept, unpadded dates and a quoted line', () => {
    expect(parseFooter('Month of March, As of 04/01/2026')?.monthNumber).toBe(3)
    expect(parseFooter('Month of Sept, As of 10/3/2026')).toMatchObject({
      monthNumber: 9,
      asOf: '2026-10-03',
    })
    expect(parseFooter('"Month of March, As of 04/01/2026"')?.asOf).toBe('2026-04-01')
  })

  it('refuses data rows, unknown months, impossible dates and trailing text', () => {
    expect(parseFooter('"21","A","01","00000038"')).toBeNull()
    expect(parseFooter('Month of Foo, As of 06/09/2026')).toBeNull()
    expect(parseFooter('Month of Jun, As of 02/30/2026')).toBeNull()
    expect(parseFooter('Month of Jun, As of 06/09/2026 extra')).toBeNull()
    expect(parseFooter('Month of Jun, As of 06/09/202')).toBeNull()
    expect(parseFooter('"Month of Jun, As of 06/09/2026')).toBeNull()
  })
})

describe('latestMonthNotAfter', () => {
  it('places a footer month in the year that does not pass the as-of', () => {
    expect(latestMonthNotAfter(6, '2026-07-10')).toBe('2026-06')
    expect(latestMonthNotAfter(12, '2026-01-05')).toBe('2025-12')
    expect(latestMonthNotAfter(9, '2026-09-22')).toBe('2026-09')
  })
})
