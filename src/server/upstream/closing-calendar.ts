/**
 * Month-end closing dates: dataMonth → last as-of that still shows that month (docs/upstream.md#month-end-closing-periods).
 * One collector's record, so it only orders the candidate months; the footer has the last word.
 */
import closingTable from './data/month-end-closing-dates.json' with { type: 'json' }
import { addMonths, yearMonthOf } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'

/** dataMonth `YYYY-MM` → closing date `YYYY-MM-DD`. */
export type ClosingCalendar = ReadonlyMap<YearMonth, IsoDate>

/**
 * docs/upstream.md#month-end-closing-periods: later entries of another collector correct 2026-01 (02-13 → 02-05; Feb 13 is in February's
 * as-of list) and extend the copied table past its end (2026-01).
 */
export const CLOSING_DATE_CORRECTIONS: Readonly<Record<YearMonth, IsoDate>> = {
  '2026-01': '2026-02-05',
  '2026-02': '2026-03-05',
  '2026-03': '2026-04-07',
  '2026-04': '2026-05-07',
  '2026-05': '2026-06-05',
  '2026-06': '2026-07-29',
  '2026-07': '2026-08-10',
}

export function createClosingCalendar(
  entries: readonly { dataMonth: string; closingDate: string }[],
  corrections: Readonly<Record<YearMonth, IsoDate>> = {},
): ClosingCalendar {
  const map = new Map<YearMonth, IsoDate>()
  for (const { dataMonth, closingDate } of entries) map.set(dataMonth, closingDate)
  for (const [dataMonth, closingDate] of Object.entries(corrections))
    map.set(dataMonth, closingDate)
  return map
}

export const DEFAULT_CLOSING_CALENDAR: ClosingCalendar = createClosingCalendar(
  closingTable.months,
  CLOSING_DATE_CORRECTIONS,
)

/**
 * Candidate data months for an as-of day, most likely first (docs/upstream.md#client-recipe, step 1). With a known
 * closing date of the previous month: previous month if `asOf` ≤ that date, else the as-of's
 * month; the other one follows as the fallback. Unknown: the as-of's month, then the previous.
 */
export function resolveDataMonths(asOf: IsoDate, calendar: ClosingCalendar): YearMonth[] {
  const month = yearMonthOf(asOf)
  const previous = addMonths(month, -1)
  const closing = calendar.get(previous)
  if (closing !== undefined && asOf <= closing) return [previous, month]
  return [month, previous]
}
