import { describe, expect, it } from 'vitest'
import { diffDays, eachDate } from '../shared/iso-date.ts'
import { createSimCalendar } from './calendar.ts'
import { createClosingDateLookup, generatedClosingDate } from './closing-dates.ts'
import { createTestModel } from './test-support.ts'

function calendarOn(today: string, firstLiveDayOfJuly = 26) {
  return createSimCalendar({
    closingDate: createClosingDateLookup(1),
    firstLiveDayOfJuly,
    today: () => today,
  })
}

describe('closing dates', () => {
  it('reads the registry and the reference corrections', () => {
    const closing = createClosingDateLookup(1)
    expect(closing('2017-06')).toBe('2017-07-24')
    expect(closing('2026-01')).toBe('2026-02-05')
    expect(closing('2026-06')).toBe('2026-07-29')
    expect(closing('2022-04')).toBe('2022-04-30')
  })

  it('lets options override a month', () => {
    expect(createClosingDateLookup(1, { '2026-03': '2026-04-02' })('2026-03')).toBe('2026-04-02')
  })

  it('generates later months 1–25 days into the next month, June 12–25', () => {
    for (const seed of [1, 2, 3, 99]) {
      for (let year = 2027; year < 2035; year++) {
        for (let month = 1; month <= 12; month++) {
          const ym = `${year}-${String(month).padStart(2, '0')}`
          const close = generatedClosingDate(seed, ym)
          const nextMonthStart =
            month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`
          const day = diffDays(nextMonthStart, close) + 1
          expect(day).toBeGreaterThanOrEqual(month === 6 ? 12 : 1)
          expect(day).toBeLessThanOrEqual(25)
        }
      }
    }
  })
})

describe('published months', () => {
  it('keeps publishing the previous month until it closes, then switches', () => {
    const cal = calendarOn('2026-03-01')
    expect(cal.rootMonthFor('2026-02-05')?.dataMonth).toBe('2026-01')
    expect(cal.rootMonthFor('2026-02-06')?.dataMonth).toBe('2026-02')
    expect(cal.rootMonthFor('2026-02-28')?.dataMonth).toBe('2026-02')
  })

  it('publishes every calendar day up to yesterday, weekends included', () => {
    const cal = calendarOn('2026-03-01')
    for (const day of eachDate('2025-07-01', '2026-02-28'))
      expect(cal.rootMonthFor(day)).not.toBeNull()
    expect(cal.rootMonthFor('2026-03-01')).toBeNull()
    expect(cal.latestAsOf()).toBe('2026-02-28')
  })

  it('keeps the old year live in July until the first live day, then both overlap', () => {
    expect(calendarOn('2026-07-20').liveProgramYear()).toBe('2025-2026')
    expect(calendarOn('2026-07-26').liveProgramYear()).toBe('2025-2026')
    const cal = calendarOn('2026-07-27')
    expect(cal.liveProgramYear()).toBe('2026-2027')
    expect(cal.liveDataMonth()).toBe('2026-07')
    expect(cal.dataMonthsOn('2026-07-27')).toEqual(['2026-06', '2026-07'])
    expect(cal.dataMonthsOn('2026-07-25')).toEqual(['2026-06'])
  })

  it('honours a configured first live day of July', () => {
    const cal = calendarOn('2026-07-20', 15)
    expect(cal.liveProgramYear()).toBe('2026-2027')
    expect(cal.firstAsOf('2026-07')).toBe('2026-07-15')
  })

  it('starts July the day after June closed when June closed before the first live day', () => {
    // 2025-06 closed on 07-20 in the registry.
    expect(calendarOn('2025-08-01').firstAsOf('2025-07')).toBe('2025-07-21')
  })

  it('follows a moved today in the model', () => {
    const { model, truth } = createTestModel({ today: '2026-03-10' })
    expect(truth.latestAsOf()).toBe('2026-03-09')
    model.setToday('2026-08-20')
    expect(truth.liveProgramYear()).toBe('2026-2027')
    expect(truth.dataMonthFor('2026-08-05')).toEqual({
      dataMonth: '2026-07',
      programYear: '2026-2027',
    })
    model.setToday(null)
    expect(truth.latestAsOf()).toBe('2026-03-09')
  })
})
