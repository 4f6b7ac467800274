/**
 * Calendar-date helpers on ISO `YYYY-MM-DD` strings. Everything here is UTC and pure:
 * a "date" is a calendar day, never an instant, so no local time zone can shift it.
 */

export type IsoDate = string

const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const DAY_MS = 86_400_000

/** True when `value` is a real calendar date written `YYYY-MM-DD` (2026-02-30 is not). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false
  const m = ISO_DATE_RE.exec(value)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (mo < 1 || mo > 12 || d < 1) return false
  return d <= daysInMonth(y, mo)
}

export function assertIsoDate(value: unknown, field = 'date'): asserts value is IsoDate {
  if (!isIsoDate(value)) {
    throw new RangeError(
      `${field} must be a real calendar date written YYYY-MM-DD, got ${JSON.stringify(value)}`,
    )
  }
}

export function daysInMonth(year: number, month1: number): number {
  return new Date(Date.UTC(year, month1, 0)).getUTCDate()
}

export function toIsoDate(d: Date): IsoDate {
  return d.toISOString().slice(0, 10)
}

export function parseIsoDate(date: IsoDate): { year: number; month: number; day: number } {
  assertIsoDate(date)
  return {
    year: Number(date.slice(0, 4)),
    month: Number(date.slice(5, 7)),
    day: Number(date.slice(8, 10)),
  }
}

export function isoDateToUtcMs(date: IsoDate): number {
  const { year, month, day } = parseIsoDate(date)
  return Date.UTC(year, month - 1, day)
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return toIsoDate(new Date(isoDateToUtcMs(date) + days * DAY_MS))
}

/** Whole days from `a` to `b` (positive when b is later). */
export function diffDays(a: IsoDate, b: IsoDate): number {
  return Math.round((isoDateToUtcMs(b) - isoDateToUtcMs(a)) / DAY_MS)
}

/** Every date from `from` to `to`, both included; empty when `to` is before `from`. */
export function eachDate(from: IsoDate, to: IsoDate): IsoDate[] {
  const n = diffDays(from, to)
  const out: IsoDate[] = []
  for (let i = 0; i <= n; i++) out.push(addDays(from, i))
  return out
}

export function compareIsoDate(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A data month, `YYYY-MM`. */
export type YearMonth = string

export function yearMonthOf(date: IsoDate): YearMonth {
  return date.slice(0, 7)
}

export function addMonths(ym: YearMonth, months: number): YearMonth {
  const y = Number(ym.slice(0, 4))
  const m = Number(ym.slice(5, 7)) - 1 + months
  const year = y + Math.floor(m / 12)
  const month = (((m % 12) + 12) % 12) + 1
  return `${year}-${String(month).padStart(2, '0')}`
}

export function lastDayOfMonth(ym: YearMonth): IsoDate {
  const y = Number(ym.slice(0, 4))
  const m = Number(ym.slice(5, 7))
  return `${ym}-${String(daysInMonth(y, m)).padStart(2, '0')}`
}

/** Program year (1 July – 30 June) containing the date or month, written `YYYY-YYYY`. */
export function programYearOf(dateOrMonth: IsoDate | YearMonth): string {
  const y = Number(dateOrMonth.slice(0, 4))
  const m = Number(dateOrMonth.slice(5, 7))
  const start = m >= 7 ? y : y - 1
  return `${start}-${start + 1}`
}

const PROGRAM_YEAR_RE = /^(\d{4})-(\d{4})$/

export function isProgramYear(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const m = PROGRAM_YEAR_RE.exec(value)
  return !!m && Number(m[2]) === Number(m[1]) + 1
}

/** First and last calendar day of a program year. */
export function programYearBounds(py: string): { start: IsoDate; end: IsoDate } {
  if (!isProgramYear(py))
    throw new RangeError(`program year must look like 2025-2026, got ${JSON.stringify(py)}`)
  const start = Number(py.slice(0, 4))
  return { start: `${start}-07-01`, end: `${start + 1}-06-30` }
}

/** Today's date in UTC from an injected clock value. */
export function todayUtc(nowMs: number): IsoDate {
  return toIsoDate(new Date(nowMs))
}
