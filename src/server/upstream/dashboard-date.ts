/**
 * Date spellings of the dashboard: unpadded `M/D/YYYY` in request tokens (docs/upstream.md#export-tokens) and the
 * unquoted CSV footer `Month of Jun, As of 06/09/2026` (docs/upstream.md#csv-format-and-footer).
 */
import { addMonths, assertIsoDate, isIsoDate, yearMonthOf } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'

export const MONTH_ABBREVIATIONS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
]

/** `2026-09-21` → `9/21/2026`, the site's own (unpadded) spelling. */
export function formatDashboardDate(date: IsoDate): string {
  assertIsoDate(date)
  const [y, m, d] = date.split('-')
  return `${Number(m)}/${Number(d)}/${y}`
}

/** Parsed footer line. `monthNumber` is 1–12; the year of the month is decided by context. */
export interface FooterLine {
  /** The month word exactly as printed (`Jun`; `June` tolerated). */
  month: string
  monthNumber: number
  asOf: IsoDate
  /** The footer line as received, without its line break. */
  line: string
}

/**
 * Real footers are `Month of Jun, As of 06/09/2026`: unquoted, 3-letter month, zero-padded date.
 * Tolerated variants (seen in other clients' code, docs/upstream.md#csv-format-and-footer): full month names,
 * `Sept`, unpadded day/month, a quoted line. Anything else is not a footer.
 */
const FOOTER_RE = /^("?)Month of ([A-Za-z]{3,9}), As of (\d{1,2})\/(\d{1,2})\/(\d{4})\1$/

export function parseFooter(line: string): FooterLine | null {
  const m = FOOTER_RE.exec(line)
  if (!m) return null
  const monthNumber = monthNumberOf(m[2] ?? '')
  const asOf = `${m[5]}-${(m[3] ?? '').padStart(2, '0')}-${(m[4] ?? '').padStart(2, '0')}`
  if (monthNumber === null || !isIsoDate(asOf)) return null
  return { month: m[2] ?? '', monthNumber, asOf, line }
}

function monthNumberOf(word: string): number | null {
  const lower = word.toLowerCase()
  const index = MONTH_NAMES.findIndex(
    (name) =>
      name === lower || name.slice(0, 3) === lower || (lower === 'sept' && name === 'september'),
  )
  return index < 0 ? null : index + 1
}

/** Month number (1–12) of a `YYYY-MM` data month. */
export function monthNumberOfYearMonth(ym: YearMonth): number {
  return Number(ym.slice(5, 7))
}

/**
 * The latest month with the given number that does not come after `asOf`'s month: the footer
 * names only the month, and data is never about a month later than its as-of.
 */
export function latestMonthNotAfter(monthNumber: number, asOf: IsoDate): YearMonth {
  const asOfMonth = yearMonthOf(asOf)
  const back = (monthNumberOfYearMonth(asOfMonth) - monthNumber + 12) % 12
  return addMonths(asOfMonth, -back)
}
