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
import { getLedgerCell, listLedgerCells } from './cell-ledger.ts'
import type { CellLedger, CellRecord } from './cell-ledger.ts'
import type { JobEvent, JobEventOf } from './job-events.ts'
import { applyCellEvent, buildLedger, expandDate, settlePendingCells } from './job-ledger.ts'
import type { JobProgress } from './job-ledger.ts'
import type { JobKind, ResolvedScope } from './scope-manager.ts'
import { ErrorCode } from '../../shared/error-codes.ts'

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
  /** Why the job ended in `error` (fatal message, or every cell failed). */
  error: string | null
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

function finalStatus(progress: JobProgress): JobStatus {
  if (progress.failed === 0) return 'complete'
  const settled = progress.completed + progress.skipped + progress.unavailable
  return settled > 0 ? 'partial_success' : 'error'
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
  const status: JobStatus =
    end === 'cancelled' ? 'cancelled' : end === 'failed' ? 'error' : finalStatus(settled.progress)
  const error =
    end === 'failed'
      ? (message ?? 'the job failed')
      : status === 'error'
        ? `every attempted cell failed (${settled.progress.failed} of ${settled.progress.total})`
        : null
  return {
    ...settled,
    status,
    error,
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

/** Failed cells exist: kept apart from the lifecycle status on purpose (docs/architecture.md#the-job-model). */
export function hasFailures(state: JobState): boolean {
  return state.progress.failed > 0
}
