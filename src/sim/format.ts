/**
 * Byte-level conventions of the dashboard's CSV exports (docs/upstream.md#csv-format-and-footer): every cell
 * double-quoted, CRLF after every line including the last, an unquoted footer, no BOM.
 */
import type { IsoDate, YearMonth } from '../shared/iso-date.ts'
import { isIsoDate } from '../shared/iso-date.ts'

export const CRLF = '\r\n'

const MONTH_ABBREVIATIONS = [
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

export function quoteCell(value: string): string {
  return `"${value.replaceAll('"', '""')}"`
}

export function csvLine(cells: readonly string[]): string {
  return cells.map(quoteCell).join(',') + CRLF
}

/** `Month of Jun, As of 06/09/2026` (no quotes: the real footer is a bare line). */
export function footerLine(dataMonth: YearMonth, asOf: IsoDate): string {
  const month = MONTH_ABBREVIATIONS[Number(dataMonth.slice(5, 7)) - 1]
  return `Month of ${month}, As of ${toUsDate(asOf)}${CRLF}`
}

/** `06/09/2026` */
export function toUsDate(date: IsoDate): string {
  return `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(0, 4)}`
}

/** `05/22/26`, the two-digit-year form of the charter/suspend column. */
export function toShortUsDate(date: IsoDate): string {
  return `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(2, 4)}`
}

/** `9/30/2026`, the unpadded form the dashboard itself puts in tokens. */
export function toTokenDate(date: IsoDate): string {
  return `${Number(date.slice(5, 7))}/${Number(date.slice(8, 10))}/${date.slice(0, 4)}`
}

const TOKEN_DATE_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/

/** Parses `M/D/YYYY` (padded or not); null when it is not a real calendar date. */
export function parseTokenDate(value: string): IsoDate | null {
  const m = TOKEN_DATE_RE.exec(value.trim())
  if (!m) return null
  const iso = `${m[3]}-${m[1]?.padStart(2, '0')}-${m[2]?.padStart(2, '0')}`
  return isIsoDate(iso) ? iso : null
}

/** `-8.29%`, `0%`, `35.6%`: at most two decimals, trailing zeros dropped. */
export function formatPercent(numerator: number, denominator: number): string {
  if (denominator === 0) return 'N/A'
  const rounded = Math.round((numerator / denominator) * 10_000) / 100
  // Math.round can produce -0, which String() prints as "0" anyway; keep it explicit.
  return `${Object.is(rounded, -0) ? 0 : rounded}%`
}
