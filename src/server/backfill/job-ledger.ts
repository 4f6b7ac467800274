/**
 * Cell-level bookkeeping for the job reducer: moving one cell, expanding an open-scope date,
 * settling the cells left pending, and keeping the progress counters in step. Counters move
 * with each transition, so an event costs O(dates + districts), never O(cells).
 */
import type { CellError, CellState, DistrictProgress } from '../../shared/backfill-api.ts'
import { normalizeDistrictId } from '../../shared/district-id.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import { WHOLE_DATE } from './cell-ref.ts'
import type { CellRef } from './cell-ref.ts'
import {
  createLedger,
  getLedgerCell,
  getLedgerDay,
  listLedgerCells,
  mapLedgerCells,
  pendingCell,
  putLedgerCell,
  replaceLedgerDay,
} from './cell-ledger.ts'
import type { CellLedger, CellRecord } from './cell-ledger.ts'
import type { JobEvent, JobEventOf } from './job-events.ts'

export type CellEvent = Extract<JobEvent, { type: `cell:${string}` }>

/** A district's wire progress plus two tallies its status needs (dropped from the view). */
export interface JobDistrictProgress extends DistrictProgress {
  skippedDates: number
  startedDates: number
}

export interface JobProgress {
  total: number
  completed: number
  skipped: number
  unavailable: number
  notADistrict: number
  failed: number
  current: string
  districtProgress: Record<string, JobDistrictProgress>
  totalErrors: number
  retryableErrors: number
  permanentErrors: number
}

const COUNTED = ['completed', 'skipped', 'unavailable', 'not-a-district', 'failed'] as const
type CountedState = (typeof COUNTED)[number]

function isCounted(state: CellState): state is CountedState {
  return (COUNTED as readonly CellState[]).includes(state)
}

/** The progress counter of a settled state. */
const COUNTER = {
  completed: 'completed',
  skipped: 'skipped',
  unavailable: 'unavailable',
  'not-a-district': 'notADistrict',
  failed: 'failed',
} as const satisfies Record<CountedState, keyof JobProgress>

function districtStatus(d: JobDistrictProgress): DistrictProgress['status'] {
  if (d.datesTotal > 0 && d.datesProcessed === d.datesTotal) {
    if (d.failedDates.length > 0) return 'failed'
    return d.skippedDates === d.datesTotal ? 'skipped' : 'completed'
  }
  return d.datesProcessed > 0 || d.startedDates > 0 ? 'processing' : 'pending'
}

function emptyDistrict(districtId: string): JobDistrictProgress {
  return {
    districtId,
    status: 'pending',
    datesProcessed: 0,
    datesTotal: 0,
    successfulDates: [],
    failedDates: [],
    retryCount: 0,
    skippedDates: 0,
    startedDates: 0,
  }
}

/** Dates arrive mostly in order, so appending is the common case. */
function insertDate(dates: readonly IsoDate[], date: IsoDate): IsoDate[] {
  const last = dates[dates.length - 1]
  if (last === undefined || last < date) return [...dates, date]
  if (dates.includes(date)) return dates as IsoDate[]
  return [...dates, date].sort()
}

interface DistrictNote {
  retries?: number
  lastError?: string
}

/** One district's progress after one of its cells moved from `prev` to `next`. */
function tallyCell(
  d: JobDistrictProgress,
  prev: CellRecord | null,
  next: CellRecord,
  note: DistrictNote,
): JobDistrictProgress {
  const out: JobDistrictProgress = { ...d, retryCount: d.retryCount + (note.retries ?? 0) }
  if (prev === null) out.datesTotal++
  if (isCounted(next.state) && !(prev && isCounted(prev.state))) {
    out.datesProcessed++
    if (next.state === 'completed' || next.state === 'skipped')
      out.successfulDates = insertDate(d.successfulDates, next.date)
    if (next.state === 'failed') out.failedDates = insertDate(d.failedDates, next.date)
    if (next.state === 'skipped') out.skippedDates++
  }
  if ((prev?.startedAt ?? null) === null && next.startedAt !== null) out.startedDates++
  if (note.lastError !== undefined) out.lastError = note.lastError
  out.status = districtStatus(out)
  return out
}

/** Moves every counter for one cell going from `prev` (null: new cell) to `next`. */
function countCell(
  progress: JobProgress,
  prev: CellRecord | null,
  next: CellRecord,
  note: DistrictNote = {},
): JobProgress {
  const out: JobProgress = { ...progress }
  if (prev === null) out.total++
  else if (isCounted(prev.state)) out[COUNTER[prev.state]]--
  if (isCounted(next.state)) out[COUNTER[next.state]]++
  if (next.state === 'failed' && prev?.state !== 'failed') {
    out.totalErrors++
    if (next.error?.retryable) out.retryableErrors++
    else out.permanentErrors++
  }
  if (next.districtId !== WHOLE_DATE) {
    const before = progress.districtProgress[next.districtId] ?? emptyDistrict(next.districtId)
    out.districtProgress = {
      ...progress.districtProgress,
      [next.districtId]: tallyCell(before, prev, next, note),
    }
  }
  return out
}

/** A district's progress recounted from the whole ledger: the reference the tallies must match. */
export function recountDistrict(
  ledger: CellLedger,
  districtId: string,
  carried: Pick<DistrictProgress, 'retryCount' | 'lastError'>,
): JobDistrictProgress {
  let d: JobDistrictProgress = { ...emptyDistrict(districtId), retryCount: carried.retryCount }
  for (const cell of listLedgerCells(ledger)) {
    if (cell.districtId === districtId) d = tallyCell(d, null, cell, {})
  }
  if (carried.lastError !== undefined) d.lastError = carried.lastError
  return d
}

const ZERO: JobProgress = {
  total: 0,
  completed: 0,
  skipped: 0,
  unavailable: 0,
  notADistrict: 0,
  failed: 0,
  current: '',
  districtProgress: {},
  totalErrors: 0,
  retryableErrors: 0,
  permanentErrors: 0,
}

/** The ledger and progress of a new job: every ref pending. Built in place: it runs once. */
export function buildLedger(refs: readonly CellRef[]): {
  ledger: CellLedger
  progress: JobProgress
} {
  const ledger = createLedger(refs)
  const progress: JobProgress = { ...ZERO, districtProgress: {} }
  for (const cell of listLedgerCells(ledger)) {
    progress.total++
    if (cell.districtId === WHOLE_DATE) continue
    const d = (progress.districtProgress[cell.districtId] ??= emptyDistrict(cell.districtId))
    d.datesTotal++
  }
  return { ledger, progress }
}

function errorNote(date: IsoDate, error: CellError): string {
  return `${date}: ${error.code}: ${error.message}`
}

function nextCell(prev: CellRecord, event: CellEvent): { cell: CellRecord; note: DistrictNote } {
  const done = { finishedAt: event.at, startedAt: prev.startedAt ?? event.at }
  switch (event.type) {
    case 'cell:started':
      return { cell: { ...prev, startedAt: prev.startedAt ?? event.at }, note: {} }
    case 'cell:completed': {
      const { asOf, snapshotId, bytes, detail } = event
      return {
        cell: {
          ...prev,
          ...done,
          state: 'completed',
          attempts: prev.attempts + 1,
          asOf,
          snapshotId,
          bytes,
          detail,
        },
        note: {},
      }
    }
    case 'cell:skipped':
      return {
        cell: { ...prev, ...done, state: 'skipped', detail: event.detail ?? null },
        note: {},
      }
    case 'cell:unavailable':
      return { cell: { ...prev, ...done, state: 'unavailable' }, note: {} }
    case 'cell:not-a-district':
      return { cell: { ...prev, ...done, state: 'not-a-district', reason: event.reason }, note: {} }
    case 'cell:retrying': {
      const cell = { ...prev, attempts: Math.max(prev.attempts, event.attempt), error: event.error }
      return { cell, note: { retries: 1, lastError: errorNote(event.date, event.error) } }
    }
    case 'cell:failed': {
      const attempts = Math.max(prev.attempts, event.error.attempts)
      const cell: CellRecord = { ...prev, ...done, state: 'failed', attempts, error: event.error }
      return { cell, note: { lastError: errorNote(event.date, event.error) } }
    }
  }
}

/** The part of a job's state the functions below read and change; JobState has these fields. */
export interface LedgerState {
  ledger: CellLedger
  progress: JobProgress
  snapshotIds: string[]
  updatedAt: string
}

function addSnapshotId(ids: readonly string[], id: string): string[] {
  // Never mutated, so a list that already names the id is shared, not copied.
  if (ids[ids.length - 1] === id || ids.includes(id)) return ids as string[]
  return [...ids, id].sort()
}

/** One cell event. Only a pending cell moves; anything else (unknown, settled) is a no-op. */
export function applyCellEvent<S extends LedgerState>(state: S, event: CellEvent): S {
  const prev = getLedgerCell(state.ledger, event.date, event.districtId)
  if (prev === undefined || prev.state !== 'pending') return state
  const { cell, note } = nextCell(prev, event)
  const progress = { ...countCell(state.progress, prev, cell, note), current: event.date }
  const snapshotIds =
    event.type === 'cell:completed'
      ? addSnapshotId(state.snapshotIds, event.snapshotId)
      : state.snapshotIds
  return {
    ...state,
    ledger: putLedgerCell(state.ledger, cell),
    progress,
    snapshotIds,
    updatedAt: event.at,
  }
}

/**
 * Open scope: the date's summary named its districts, so its whole-date cell becomes one
 * pending cell per district. A summary naming nobody leaves the date unavailable.
 */
export function expandDate<S extends LedgerState>(state: S, event: JobEventOf<'date:expanded'>): S {
  const whole = getLedgerCell(state.ledger, event.date, WHOLE_DATE)
  if (whole === undefined || whole.state !== 'pending') return state
  const ids = [...new Set(event.districtIds.flatMap((id) => normalizeDistrictId(id) ?? []))]
  if (ids.length === 0) {
    return applyCellEvent(state, {
      type: 'cell:unavailable',
      at: event.at,
      date: event.date,
      districtId: WHOLE_DATE,
    })
  }
  const known = getLedgerDay(state.ledger, event.date).filter((c) => c.districtId !== WHOLE_DATE)
  const added = ids
    .filter((id) => !known.some((c) => c.districtId === id))
    .map((id) => pendingCell({ date: event.date, districtId: id }))
  let progress: JobProgress = {
    ...state.progress,
    total: state.progress.total - 1,
    current: event.date,
  }
  for (const cell of added) progress = countCell(progress, null, cell)
  const ledger = replaceLedgerDay(state.ledger, event.date, [...known, ...added])
  return { ...state, ledger, progress, updatedAt: event.at }
}

/** Every pending cell settles at once, as `cancelled` or as `failed` with `error`. */
export function settlePendingCells<S extends LedgerState>(
  state: S,
  to: 'cancelled' | 'failed',
  at: string,
  error: CellError | null,
): S {
  let progress = state.progress
  const ledger = mapLedgerCells(state.ledger, (prev) => {
    if (prev.state !== 'pending') return prev
    const cell: CellRecord = { ...prev, state: to, finishedAt: at, error: error ?? prev.error }
    progress = countCell(progress, prev, cell)
    return cell
  })
  return ledger === state.ledger ? state : { ...state, ledger, progress }
}
