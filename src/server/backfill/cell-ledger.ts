/**
 * The per-cell ledger of a job: days in date order, each holding its cells in cell order.
 * Arrays rather than one big keyed object because the reducer copies the path to a changed
 * cell on every event: copying two short arrays stays cheap even for ~50,000 cells, where
 * spreading a record keyed by date was the reducer's main cost. JSON-safe, so it can be saved.
 */
import type { CellError, CellState } from '../../shared/backfill-api.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { DetailLevel } from '../../shared/snapshot-types.ts'
import { cellKey, compareCellRefs } from './cell-ref.ts'
import type { CellRef } from './cell-ref.ts'

export interface CellRecord extends CellRef {
  state: CellState
  /** Attempts made so far (retried attempts plus the last one). */
  attempts: number
  /** The last error seen: the final one when failed, the last retried one otherwise. */
  error: CellError | null
  startedAt: string | null
  finishedAt: string | null
  bytes: number | null
  /** The snapshot written (its as-of), when completed. */
  snapshotId: string | null
  asOf: IsoDate | null
  /** Detail written (completed) or found in storage (skipped). */
  detail: DetailLevel | null
  /** not-a-district: why, naming the summary that does not list the district. */
  reason?: string
}

export interface LedgerDay {
  date: IsoDate
  cells: CellRecord[]
  /** districtId → index in `cells`; shared between versions until the day is expanded. */
  slots: Record<string, number>
}

export interface CellLedger {
  days: LedgerDay[]
  /** date → index in `days`; fixed when the job is queued. */
  dayIndex: Record<IsoDate, number>
}

export function pendingCell(ref: CellRef): CellRecord {
  return {
    date: ref.date,
    districtId: ref.districtId,
    state: 'pending',
    attempts: 0,
    error: null,
    startedAt: null,
    finishedAt: null,
    bytes: null,
    snapshotId: null,
    asOf: null,
    detail: null,
  }
}

function makeDay(date: IsoDate, cells: CellRecord[]): LedgerDay {
  const sorted = [...cells].sort(compareCellRefs)
  const slots: Record<string, number> = {}
  sorted.forEach((c, i) => (slots[c.districtId] = i))
  return { date, cells: sorted, slots }
}

/** A ledger of pending cells; duplicate refs collapse. */
export function createLedger(refs: readonly CellRef[]): CellLedger {
  const byDate = new Map<IsoDate, Map<string, CellRecord>>()
  for (const ref of refs) {
    const day = byDate.get(ref.date) ?? new Map<string, CellRecord>()
    byDate.set(ref.date, day)
    if (!day.has(ref.districtId)) day.set(ref.districtId, pendingCell(ref))
  }
  const days = [...byDate.keys()].sort().map((date) =>
    makeDay(
      date,
      [...(byDate.get(date) ?? [])].map(([, c]) => c),
    ),
  )
  const dayIndex: Record<IsoDate, number> = {}
  days.forEach((d, i) => (dayIndex[d.date] = i))
  return { days, dayIndex }
}

function dayOf(ledger: CellLedger, date: IsoDate): LedgerDay | undefined {
  const i = ledger.dayIndex[date]
  return i === undefined ? undefined : ledger.days[i]
}

export function getLedgerCell(
  ledger: CellLedger,
  date: IsoDate,
  districtId: string,
): CellRecord | undefined {
  const day = dayOf(ledger, date)
  const slot = day?.slots[districtId]
  return slot === undefined ? undefined : day?.cells[slot]
}

/** The day's cells, in cell order; empty for a date outside the ledger. */
export function getLedgerDay(ledger: CellLedger, date: IsoDate): readonly CellRecord[] {
  return dayOf(ledger, date)?.cells ?? []
}

function withDay(ledger: CellLedger, day: LedgerDay): CellLedger {
  const i = ledger.dayIndex[day.date]
  if (i === undefined) throw new RangeError(`no day ${day.date} in the ledger`)
  const days = ledger.days.slice()
  days[i] = day
  return { days, dayIndex: ledger.dayIndex }
}

/** Replaces an existing cell (same date and district). */
export function putLedgerCell(ledger: CellLedger, cell: CellRecord): CellLedger {
  const day = dayOf(ledger, cell.date)
  const slot = day?.slots[cell.districtId]
  if (day === undefined || slot === undefined) {
    throw new RangeError(`no cell ${cellKey(cell.date, cell.districtId)} in the ledger`)
  }
  const cells = day.cells.slice()
  cells[slot] = cell
  return withDay(ledger, { ...day, cells })
}

/** Gives an existing day a new set of cells (an open-scope date being expanded). */
export function replaceLedgerDay(
  ledger: CellLedger,
  date: IsoDate,
  cells: CellRecord[],
): CellLedger {
  return withDay(ledger, makeDay(date, cells))
}

/** Every cell: dates ascending, then cell order. */
export function listLedgerCells(ledger: CellLedger): CellRecord[] {
  return ledger.days.flatMap((d) => d.cells)
}

/** Rebuilds every day whose cells `update` changes; `update` returns the same cell otherwise. */
export function mapLedgerCells(
  ledger: CellLedger,
  update: (cell: CellRecord) => CellRecord,
): CellLedger {
  let changed = false
  const days = ledger.days.map((day) => {
    const cells = day.cells.map(update)
    if (cells.every((c, i) => c === day.cells[i])) return day
    changed = true
    return { ...day, cells }
  })
  return changed ? { days, dayIndex: ledger.dayIndex } : ledger
}
