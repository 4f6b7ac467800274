/**
 * Reads typed fields out of one CSV row by header name, and keeps everything it was not asked
 * about in `extra`, so no column is ever lost when the dashboard adds or renames one.
 */
import { isIsoDate } from '../../shared/iso-date.ts'
import type { IsoDate } from '../../shared/iso-date.ts'

/** A percentage cell such as `-8.29%`: `value` in percent units (-8.29), `text` verbatim. */
export interface PercentValue {
  value: number | null
  text: string
}

/** `Charter Date/Suspend Date` cell: `Charter 05/22/26`, ` Susp 03/31/26` or empty. */
export interface CharterSuspendValue {
  text: string
  charterDate: IsoDate | null
  suspendDate: IsoDate | null
}

/** Fields every parsed row carries, whatever the report. */
export interface RowBase {
  /** Columns the parser does not know, by header text, values verbatim. */
  extra: Record<string, string>
  /** Every cell of the row exactly as received, in header order. */
  cells: string[]
  /** Header names of known columns whose cell was not of the expected type (field set to null). */
  invalidCells: string[]
}

/** Header matching ignores case and runs of spaces (`May visit award` = `May Visit award`). */
export function normalizeHeaderName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase()
}

export type HeaderIndex = ReadonlyMap<string, number>

export function indexHeader(header: readonly string[]): HeaderIndex {
  const index = new Map<string, number>()
  header.forEach((name, i) => {
    const key = normalizeHeaderName(name)
    // A duplicate name stays unknown to the typed fields and lands in `extra`.
    if (!index.has(key)) index.set(key, i)
  })
  return index
}

/**
 * Key columns are matched exactly (only surrounding spaces ignored): the summary's `DISTRICT`
 * must not be satisfied by the district reports' `District`.
 */
export function headerHasAll(header: readonly string[], names: readonly string[]): boolean {
  const present = new Set(header.map((name) => name.trim()))
  return names.every((name) => present.has(name))
}

const INT_RE = /^-?\d+$/
const PERCENT_RE = /^(-?\d+(?:\.\d+)?)%$/
const CHARTER_SUSPEND_RE = /(Charter|Susp)\w*\s+(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})/gi

function isNullish(text: string): boolean {
  const t = text.trim()
  return t === '' || t.toUpperCase() === 'N/A'
}

export interface RowReader {
  /** Verbatim text; null when the column is absent. */
  text(...names: string[]): string | null
  /** Verbatim text; null when absent or empty (letter codes such as `D`, `S`, `P`, `M`). */
  code(...names: string[]): string | null
  int(...names: string[]): number | null
  percent(...names: string[]): PercentValue | null
  /** `Y` → true, `N` → false. */
  flag(...names: string[]): boolean | null
  charterSuspend(...names: string[]): CharterSuspendValue | null
  finish(): RowBase
}

/**
 * `referenceYear`: the year of the body's as-of (its footer's, else the requested one), which a
 * two-digit charter or suspend year is read against (docs/upstream.md#two-digit-years).
 */
export function createRowReader(
  header: readonly string[],
  index: HeaderIndex,
  cells: readonly string[],
  referenceYear: number | null = null,
): RowReader {
  const used = new Set<number>()
  const invalidCells: string[] = []

  /** Cell of the first known alias, marked as consumed; undefined when no alias is present. */
  function take(names: string[]): { cell: string; name: string } | undefined {
    for (const name of names) {
      const i = index.get(normalizeHeaderName(name))
      if (i === undefined) continue
      used.add(i)
      return { cell: cells[i] ?? '', name: header[i] ?? name }
    }
    return undefined
  }

  function typed<T>(names: string[], read: (cell: string) => T | undefined): T | null {
    const hit = take(names)
    if (hit === undefined || isNullish(hit.cell)) return null
    const value = read(hit.cell.trim())
    if (value === undefined) invalidCells.push(hit.name)
    return value ?? null
  }

  return {
    text: (...names) => take(names)?.cell ?? null,
    code: (...names) => {
      const cell = take(names)?.cell
      return cell === undefined || cell.trim() === '' ? null : cell
    },
    int: (...names) => typed(names, (t) => (INT_RE.test(t) ? Number(t) : undefined)),
    flag: (...names) =>
      typed(names, (t) =>
        t.toUpperCase() === 'Y' ? true : t.toUpperCase() === 'N' ? false : undefined,
      ),
    percent: (...names) => {
      const hit = take(names)
      if (hit === undefined) return null
      const m = PERCENT_RE.exec(hit.cell.trim())
      if (!m && !isNullish(hit.cell)) invalidCells.push(hit.name)
      return { value: m ? Number(m[1]) : null, text: hit.cell }
    },
    charterSuspend: (...names) => {
      const hit = take(names)
      if (hit === undefined) return null
      const value = readCharterSuspend(hit.cell, referenceYear)
      if (value === undefined) invalidCells.push(hit.name)
      return value ?? { text: hit.cell, charterDate: null, suspendDate: null }
    },
    finish: () => {
      const extra: Record<string, string> = {}
      header.forEach((name, i) => {
        if (!used.has(i)) extra[name] = cells[i] ?? ''
      })
      return { extra, cells: [...cells], invalidCells }
    },
  }
}

/**
 * The four-digit year of a two-digit one: the century that puts it nearest the reference year
 * (a tie goes to the past), so `98` read as of 2009 is 1998 and `26` as of 2026 is 2026. Without
 * a reference year (no as-of known) it is 20xx.
 */
export function fullYear(twoDigits: number, referenceYear: number | null): number {
  if (referenceYear === null) return 2000 + twoDigits
  const century = Math.floor(referenceYear / 100) * 100
  const candidates = [century - 100, century, century + 100].map((c) => c + twoDigits)
  return candidates.reduce((best, y) =>
    Math.abs(y - referenceYear) < Math.abs(best - referenceYear) ? y : best,
  )
}

/** Undefined when a non-empty cell holds neither a charter nor a suspend date. */
function readCharterSuspend(
  text: string,
  referenceYear: number | null,
): CharterSuspendValue | undefined {
  const value: CharterSuspendValue = { text, charterDate: null, suspendDate: null }
  if (text.trim() === '') return value
  for (const m of text.matchAll(CHARTER_SUSPEND_RE)) {
    const digits = m[4] ?? ''
    const year = digits.length === 2 ? String(fullYear(Number(digits), referenceYear)) : digits
    const date = `${year}-${(m[2] ?? '').padStart(2, '0')}-${(m[3] ?? '').padStart(2, '0')}`
    if (!isIsoDate(date)) return undefined
    if ((m[1] ?? '').toLowerCase() === 'charter') value.charterDate = date
    else value.suspendDate = date
  }
  return value.charterDate === null && value.suspendDate === null ? undefined : value
}
