/**
 * The job as the API shows it (docs/architecture.md#wire-and-disk-shapes): one function maps the domain state to the wire
 * `BackfillResponse`, deriving what the state does not store (ETA, partial snapshots).
 *
 * The derived parts are kept per version of the state's pieces (the reducer never mutates a
 * state and shares what an event leaves alone), so a GET with no new event rebuilds nothing
 * and one after an event redoes only the day and district it moved (docs/performance.md#job-view).
 * The parts handed out are shared between responses: read them, never change them.
 */
import { isTerminal } from '../../shared/backfill-api.ts'
import type {
  BackfillResponse,
  DistrictProgress,
  PartialSnapshotResult,
  PerformanceStatus,
} from '../../shared/backfill-api.ts'
import { compareDistrictIds } from '../../shared/district-id.ts'
import { WHOLE_DATE } from './cell-ref.ts'
import type { CellLedger, CellRecord, JobDistrictProgress, JobState } from './job-state.ts'
import { toWireScope } from './scope-manager.ts'
import { ErrorCode } from '../../shared/error-codes.ts'

export interface Eta {
  /** Seconds until every pending cell is done at the measured rate; null when unknown or over. */
  etaSeconds: number | null
  /** Cells that needed the upstream (completed or failed) per minute since the job started. */
  cellsPerMinute: number | null
}

function pendingCount(state: JobState): number {
  const p = state.progress
  return state.status === 'cancelled'
    ? 0
    : p.total - p.completed - p.skipped - p.unavailable - p.notADistrict - p.failed
}

/**
 * ETA from measured throughput. Only cells that cost upstream work count toward the rate:
 * skipped and unavailable cells finish instantly and would make the estimate far too hopeful.
 * Null until at least one such cell is done.
 */
export function computeEta(state: JobState, nowMs: number): Eta {
  const worked = state.progress.completed + state.progress.failed
  const startedMs = state.startedAt === null ? Number.NaN : Date.parse(state.startedAt)
  const endMs = state.completedAt === null ? nowMs : Date.parse(state.completedAt)
  const elapsedMs = endMs - startedMs
  if (worked < 1 || !(elapsedMs > 0)) return { etaSeconds: null, cellsPerMinute: null }
  const perMs = worked / elapsedMs
  const remaining = pendingCount(state)
  return {
    cellsPerMinute: perMs * 60_000,
    etaSeconds: isTerminal(state.status) ? null : Math.ceil(remaining / perMs / 1000),
  }
}

/** A day's failed district cells and its completed ones with a snapshot, in cell order. */
interface DayParts {
  failed: CellRecord[]
  completed: CellRecord[]
}

/**
 * Per day, keyed by its cells array: the reducer copies only the day a cell event changes, so
 * every other day's parts are found again here instead of being refiltered (docs/performance.md#job-view).
 * Null: the day has no failed district cell, so it charges no snapshot.
 */
const dayParts = new WeakMap<readonly CellRecord[], DayParts | null>()

function partsOf(cells: readonly CellRecord[]): DayParts | null {
  let parts = dayParts.get(cells)
  if (parts === undefined) {
    const failed = cells.filter((c) => c.state === 'failed' && c.districtId !== WHOLE_DATE)
    parts =
      failed.length === 0
        ? null
        : {
            failed,
            completed: cells.filter((c) => c.state === 'completed' && c.snapshotId !== null),
          }
    dayParts.set(cells, parts)
  }
  return parts
}

/** Per ledger version: a GET with no new event finds the whole list again. */
const partialsByLedger = new WeakMap<CellLedger, PartialSnapshotResult[]>()

/**
 * Snapshots this job wrote while other districts of the same requested date failed. A date's
 * failures are charged to every snapshot its successful cells landed in.
 */
export function computePartialSnapshots(state: JobState): PartialSnapshotResult[] {
  const known = partialsByLedger.get(state.ledger)
  if (known) return known
  const bySnapshot = new Map<string, PartialSnapshotResult>()
  for (const day of state.ledger.days) {
    const parts = partsOf(day.cells)
    if (parts === null) continue
    const { failed } = parts
    for (const cell of parts.completed) {
      const snapshotId = cell.snapshotId as string
      const entry = bySnapshot.get(snapshotId) ?? {
        snapshotId,
        successfulDistricts: [],
        failedDistricts: [],
        errors: [],
      }
      bySnapshot.set(snapshotId, entry)
      if (!entry.successfulDistricts.includes(cell.districtId))
        entry.successfulDistricts.push(cell.districtId)
      for (const f of failed) {
        if (entry.failedDistricts.includes(f.districtId)) continue
        entry.failedDistricts.push(f.districtId)
        entry.errors.push({
          districtId: f.districtId,
          code: f.error?.code ?? ErrorCode.INTERNAL,
          message: f.error?.message ?? '',
        })
      }
    }
  }
  const partials = [...bySnapshot.values()]
    .map((e) => ({
      ...e,
      successfulDistricts: e.successfulDistricts.sort(compareDistrictIds),
      failedDistricts: e.failedDistricts.sort(compareDistrictIds),
    }))
    .sort((a, b) => (a.snapshotId < b.snapshotId ? -1 : a.snapshotId > b.snapshotId ? 1 : 0))
  partialsByLedger.set(state.ledger, partials)
  return partials
}

/** A district's wire form, per tally version: the reducer replaces only the tallies it moves. */
const wireDistrict = new WeakMap<JobDistrictProgress, DistrictProgress>()

interface DistrictsView {
  districtProgress: Record<string, DistrictProgress>
  affectedDistricts: string[]
}

/** Per version of the tallies record: a GET with no new event finds it again. */
const districtsByTallies = new WeakMap<Record<string, JobDistrictProgress>, DistrictsView>()

function toWireDistricts(tallies: Record<string, JobDistrictProgress>): DistrictsView {
  const known = districtsByTallies.get(tallies)
  if (known) return known
  const districtProgress: Record<string, DistrictProgress> = {}
  for (const [id, tally] of Object.entries(tallies)) {
    let wire = wireDistrict.get(tally)
    if (wire === undefined) {
      const { skippedDates: _s, startedDates: _t, ...rest } = tally
      wire = rest
      wireDistrict.set(tally, wire)
    }
    districtProgress[id] = wire
  }
  const affectedDistricts = Object.values(districtProgress)
    .filter((d) => d.failedDates.length > 0)
    .map((d) => d.districtId)
    .sort(compareDistrictIds)
  const view = { districtProgress, affectedDistricts }
  districtsByTallies.set(tallies, view)
  return view
}

export interface BackfillViewExtras {
  /** Current time from the injected clock, for the ETA. */
  nowMs: number
  performanceStatus?: PerformanceStatus
}

/** The wire view of a job: the only place the domain state becomes a `BackfillResponse`. */
export function toBackfillResponse(state: JobState, extras: BackfillViewExtras): BackfillResponse {
  const partialSnapshots = computePartialSnapshots(state)
  const { districtProgress: tallies, ...counts } = state.progress
  const { districtProgress, affectedDistricts } = toWireDistricts(tallies)
  const response: BackfillResponse = {
    backfillId: state.backfillId,
    status: state.status,
    type: state.kind,
    request: state.request,
    scope: toWireScope(state.scope),
    progress: {
      ...counts,
      districtProgress,
      partialSnapshots: partialSnapshots.length,
      ...computeEta(state, extras.nowMs),
    },
    collectionStrategy: state.strategy,
    snapshotIds: state.snapshotIds,
    createdAt: state.createdAt,
    startedAt: state.startedAt,
    completedAt: state.completedAt,
    // A pause is the upstream's state, not the job's: the service fills these in when it reads.
    pausedReason: null,
    pausedUntil: null,
    errorSummary: {
      totalErrors: counts.totalErrors,
      retryableErrors: counts.retryableErrors,
      permanentErrors: counts.permanentErrors,
      affectedDistricts,
      partialSnapshots: partialSnapshots.length,
    },
    partialSnapshots,
  }
  if (state.districtId !== null) response.districtId = state.districtId
  if (state.retryOf !== null) response.retryOf = state.retryOf
  if (state.error !== null) response.error = state.error
  if (state.warnings && state.warnings.length > 0) response.warnings = state.warnings
  if (extras.performanceStatus) response.performanceStatus = extras.performanceStatus
  return response
}
