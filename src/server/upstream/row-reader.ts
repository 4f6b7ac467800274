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

/**
 * A body's header → column mapping, resolved once per body: each alias name a parser asks for is
 * normalized and looked up the first time only, so typing a row costs one map lookup per field.
 */
export class HeaderIndex {
  private readonly byName = new Map<string, number>()
  private readonly byAlias = new Map<string, number>()

  constructor(readonly header: readonly string[]) {
    header.forEach((name, i) => {
      const key = normalizeHeaderName(name)
      // A duplicate name stays unknown to the typed fields and lands in `extra`.
      if (!this.byName.has(key)) this.byName.set(key, i)
    })
  }

  /** Column of a header name (case and runs of spaces ignored); -1 when absent. */
  column(name: string): number {
    let i = this.byAlias.get(name)
    if (i === undefined) {
      i = this.byName.get(normalizeHeaderName(name)) ?? -1
      this.byAlias.set(name, i)
    }
    return i
  }
}

export function indexHeader(header: readonly string[]): HeaderIndex {
  return new HeaderIndex(header)
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
  index: HeaderIndex,
  cells: readonly string[],
  referenceYear: number | null = null,
): RowReader {
  return new CellsReader(index, cells, referenceYear)
}

/** One row's reader: plain methods and a byte per column, nothing allocated per field. */
class CellsReader implements RowReader {
  private readonly used: Uint8Array
  private readonly invalidCells: string[] = []
  /** Column found by the last `take`, or -1. */
  private hit = -1

  constructor(
    private readonly index: HeaderIndex,
    private readonly cells: readonly string[],
    private readonly referenceYear: number | null,
  ) {
    this.used = new Uint8Array(index.header.length)
  }

  /** Cell of the first known alias, marked as consumed; undefined when no alias is present. */
  private take(names: readonly string[]): string | undefined {
    for (const name of names) {
      const i = this.index.column(name)
      if (i < 0) continue
      this.used[i] = 1
      this.hit = i
      return this.cells[i] ?? ''
    }
    this.hit = -1
    return undefined
  }

  /** Header name of the last cell taken, recorded as not of the expected type. */
  private invalid(): void {
    this.invalidCells.push(this.index.header[this.hit] ?? '')
  }

  text(...names: string[]): string | null {
    return this.take(names) ?? null
  }

  code(...names: string[]): string | null {
    const cell = this.take(names)
    return cell === undefined || cell.trim() === '' ? null : cell
  }

  int(...names: string[]): number | null {
    const cell = this.take(names)
    if (cell === undefined || isNullish(cell)) return null
    const t = cell.trim()
    if (INT_RE.test(t)) return Number(t)
    this.invalid()
    return null
  }

  flag(...names: string[]): boolean | null {
    const cell = this.take(names)
    if (cell === undefined || isNullish(cell)) return null
    const t = cell.trim().toUpperCase()
    if (t === 'Y') return true
    if (t === 'N') return false
    this.invalid()
    return null
  }

  percent(...names: string[]): PercentValue | null {
    const cell = this.take(names)
    if (cell === undefined) return null
    const m = PERCENT_RE.exec(cell.trim())
    if (!m && !isNullish(cell)) this.invalid()
    return { value: m ? Number(m[1]) : null, text: cell }
  }

  charterSuspend(...names: string[]): CharterSuspendValue | null {
    const cell = this.take(names)
    if (cell === undefined) return null
    const value = readCharterSuspend(cell, this.referenceYear)
    if (value === undefined) this.invalid()
    return value ?? { text: cell, charterDate: null, suspendDate: null }
  }

  finish(): RowBase {
    const { header } = this.index
    const extra: Record<string, string> = {}
    for (let i = 0; i < header.length; i++) {
      if (this.used[i] === 0) extra[header[i] ?? ''] = this.cells[i] ?? ''
    }
    return { extra, cells: this.cells.slice(), invalidCells: this.invalidCells }
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
