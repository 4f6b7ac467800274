/**
 * The as-of days a request asks for (README's "Backfill request", docs/upstream.md#month-end-closing-periods):
 * `daily` every day of the range, `weekly` startDate and every 7th day after it, `month-end`
 * the final as-of of each data month (its closing day, the last as-of that still shows it),
 * `year-end` the final as-of of each program year (June's closing day), or an explicit list.
 */
import type { Cadence, ResolvedBackfillRequest } from '../../shared/backfill-api.ts'
import { addDays, addMonths, eachDate, yearMonthOf } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import { DEFAULT_CLOSING_CALENDAR, type ClosingCalendar } from '../upstream/index.ts'

/**
 * A month's final as-of: its closing day from the calendar; for a month the calendar does not
 * know, the month's last day (the latest as-of certain to show that month, as every close
 * falls after it).
 */
export function finalAsOf(month: YearMonth, calendar: ClosingCalendar): IsoDate {
  return calendar.get(month) ?? addDays(`${addMonths(month, 1)}-01`, -1)
}

function monthEnds(start: IsoDate, end: IsoDate, calendar: ClosingCalendar, months: RegExp) {
  const out: IsoDate[] = []
  // The final as-of of month M falls in M or later: start one month before the range.
  for (let m = addMonths(yearMonthOf(start), -1); m <= yearMonthOf(end); m = addMonths(m, 1)) {
    if (!months.test(m)) continue
    const day = finalAsOf(m, calendar)
    if (day >= start && day <= end) out.push(day)
  }
  return out
}

export function datesOfCadence(
  cadence: Cadence,
  start: IsoDate,
  end: IsoDate,
  calendar: ClosingCalendar = DEFAULT_CLOSING_CALENDAR,
): IsoDate[] {
  switch (cadence) {
    case 'daily':
      return eachDate(start, end)
    case 'weekly':
      return eachDate(start, end).filter((_, i) => i % 7 === 0)
    case 'month-end':
      return monthEnds(start, end, calendar, /-\d\d$/)
    case 'year-end':
      return monthEnds(start, end, calendar, /-06$/)
  }
}

/** The days a resolved request asks for, oldest first. */
export function requestedDates(
  request: Pick<ResolvedBackfillRequest, 'startDate' | 'endDate' | 'cadence' | 'dates'>,
  calendar: ClosingCalendar = DEFAULT_CLOSING_CALENDAR,
): IsoDate[] {
  if (request.dates) return [...request.dates]
  return datesOfCadence(request.cadence ?? 'daily', request.startDate, request.endDate, calendar)
}
