/**
 * A backfill job's state and the only function that changes it (docs/architecture.md#the-job-model): `applyJobEvent`
 * folds one event into a new state, never mutating the old one, and hands back the very same
 * object when the event changes nothing. The state is JSON-safe, so it can be saved as is.
 *
 * Lifecycle: queued → processing → complete | partial_success | error, or → cancelled from
 * any non-terminal status. A terminal status absorbs every later event, so a cancelled job
 * can never turn complete.
 */
import { isTerminal } from '../../shared/backfill-api.ts'
import type {
  CellError,
  CollectionStrategy,
  JobStatus,
  ResolvedBackfillRequest,
} from '../../shared/backfill-api.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import { getLedgerCell, getLedgerDay, listLedgerCells } from './cell-ledger.ts'
import type { CellLedger, CellRecord } from './cell-ledger.ts'
import type { JobEvent, JobEventOf } from './job-events.ts'
import { applyCellEvent, buildLedger, expandDate, settlePendingCells } from './job-ledger.ts'
import type { JobProgress } from './job-ledger.ts'
import type { JobKind, ResolvedScope } from './scope-manager.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { addDays } from '../../shared/iso-date.ts'
import { WHOLE_DATE } from './cell-ref.ts'

export type { CellLedger, CellRecord } from './cell-ledger.ts'
export type { JobDistrictProgress, JobProgress } from './job-ledger.ts'

export interface JobState {
  backfillId: string
  kind: JobKind
  districtId: string | null
  request: ResolvedBackfillRequest
  scope: ResolvedScope
  strategy: CollectionStrategy
  /** The job whose unfinished cells this one runs, or null. */
  retryOf: string | null
  status: JobStatus
  /** Every cell of the job and its outcome. */
  ledger: CellLedger
  progress: JobProgress
  /** As-ofs this job wrote, unique and ascending. */
  snapshotIds: string[]
  createdAt: string
  startedAt: string | null
  completedAt: string | null
  updatedAt: string
  /** Why the job ended in `error` (fatal message, every cell failed, no district on any date). */
  error: string | null
  /** Dates on which none of the requested districts is a district (set when the job ends). */
  warnings?: string[]
}

/** A job begins with its `job:queued` event: every cell of its spec pending. */
export function createJobState(event: JobEventOf<'job:queued'>): JobState {
  const { cells, retryOf, ...spec } = event.job
  const { ledger, progress } = buildLedger(cells)
  return {
    ...spec,
    retryOf: retryOf ?? null,
    status: 'queued',
    ledger,
    progress,
    snapshotIds: [],
    createdAt: event.at,
    startedAt: null,
    completedAt: null,
    updatedAt: event.at,
    error: null,
  }
}

function finalStatus(progress: JobProgress, dropped: readonly DroppedDates[]): JobStatus {
  if (progress.failed === 0) return dropped.length === 0 ? 'complete' : 'partial_success'
  const settled = progress.completed + progress.skipped + progress.unavailable
  return settled > 0 ? 'partial_success' : 'error'
}

/** Consecutive dates on which the same requested districts are all "not a district". */
interface DroppedDates {
  ids: string[]
  from: IsoDate
  to: IsoDate
}

/**
 * The dates whose every requested district is absent from the date's own summary
 * (docs/upstream.md#the-district-set-of-a-date), as runs of consecutive dates.
 */
function droppedDates(ledger: CellLedger): DroppedDates[] {
  const runs: DroppedDates[] = []
  for (const day of ledger.days) {
    const cells = day.cells.filter((c) => c.districtId !== WHOLE_DATE)
    if (cells.length === 0 || cells.some((c) => c.state !== 'not-a-district')) continue
    const ids = cells.map((c) => c.districtId)
    const last = runs.at(-1)
    if (last && addDays(last.to, 1) === day.date && last.ids.join() === ids.join())
      last.to = day.date
    else runs.push({ ids, from: day.date, to: day.date })
  }
  return runs
}

function describeDropped(run: DroppedDates): string {
  const when = run.from === run.to ? run.from : `${run.from}…${run.to}`
  const who = run.ids.length === 1 ? `${run.ids[0]} is not` : `none of ${run.ids.join(', ')} is`
  const summaries = run.from === run.to ? "that date's summary" : "those dates' summaries"
  return `${who} a district on ${when} (not in ${summaries})`
}

/** Ends a job: pending cells settle as `cancelled` (not run) or `failed` (never got to run). */
function closeJob(
  state: JobState,
  at: string,
  end: 'cancelled' | 'failed' | 'finished',
  message?: string,
): JobState {
  const unrun: CellError = {
    code: ErrorCode.INTERNAL,
    message: 'the job finished before this cell ran',
    retryable: true,
    attempts: 0,
    at,
  }
  const settled =
    end === 'finished'
      ? settlePendingCells(state, 'failed', at, unrun)
      : settlePendingCells(state, 'cancelled', at, null)
  const dropped = end === 'finished' ? droppedDates(settled.ledger) : []
  const p = settled.progress
  // Nothing of the request exists on any date: an error, never a quiet zero-district success.
  const noDistrict = end === 'finished' && p.total > 0 && p.notADistrict === p.total
  const status: JobStatus =
    end === 'cancelled'
      ? 'cancelled'
      : end === 'failed' || noDistrict
        ? 'error'
        : finalStatus(p, dropped)
  const warnings = dropped.map(describeDropped)
  const error =
    end === 'failed'
      ? (message ?? 'the job failed')
      : noDistrict
        ? warnings.join('; ')
        : status === 'error'
          ? `every attempted cell failed (${p.failed} of ${p.total})`
          : null
  return {
    ...settled,
    status,
    error,
    ...(warnings.length > 0 ? { warnings } : {}),
    completedAt: at,
    updatedAt: at,
  }
}

/** Folds one event into the state. Pure; returns `state` itself when nothing changes. */
export function applyJobEvent(state: JobState, event: JobEvent): JobState {
  if (isTerminal(state.status)) return state
  const processing = state.status === 'processing'
  switch (event.type) {
    case 'job:queued':
      return state
    case 'job:started':
      if (processing) return state
      return { ...state, status: 'processing', startedAt: event.at, updatedAt: event.at }
    case 'job:cancelled':
      return closeJob(state, event.at, 'cancelled')
    case 'job:failed':
      return closeJob(state, event.at, 'failed', event.message)
    case 'job:finished':
      return processing ? closeJob(state, event.at, 'finished') : state
    case 'date:expanded':
      return processing ? expandDate(state, event) : state
    default:
      return processing ? applyCellEvent(state, event) : state
  }
}

/** The state after a whole event history; the first event must be `job:queued`. */
export function replayJobEvents(events: readonly JobEvent[]): JobState {
  const [first, ...rest] = events
  if (first?.type !== 'job:queued') {
    throw new TypeError(`a job history must start with job:queued, got ${first?.type ?? 'nothing'}`)
  }
  return rest.reduce(applyJobEvent, createJobState(first))
}

export function getCell(
  state: JobState,
  date: IsoDate,
  districtId: string,
): CellRecord | undefined {
  return getLedgerCell(state.ledger, date, districtId)
}

/** Every cell, dates ascending, whole-date cells first, then district order. */
export function listCells(state: JobState): CellRecord[] {
  return listLedgerCells(state.ledger)
}

/** The date's cells in cell order (whole-date cell first); empty for a date not in the job. */
export function listDateCells(state: JobState, date: IsoDate): readonly CellRecord[] {
  return getLedgerDay(state.ledger, date)
}

/** Dates with a pending cell, ascending: one pass over the cells. */
export function pendingDates(state: JobState): IsoDate[] {
  return state.ledger.days
    .filter((day) => day.cells.some((c) => c.state === 'pending'))
    .map((day) => day.date)
}

/**
 * Cells not yet settled, from the counters (no pass over the cells): every cell is pending
 * until it settles, and only a cancel settles cells without counting them, ending the job.
 */
export function pendingCellCount(state: JobState): number {
  if (isTerminal(state.status)) return 0
  const p = state.progress
  return p.total - p.completed - p.skipped - p.unavailable - p.notADistrict - p.failed
}

/** Failed cells exist: kept apart from the lifecycle status on purpose (docs/architecture.md#the-job-model). */
export function hasFailures(state: JobState): boolean {
  return state.progress.failed > 0
}
