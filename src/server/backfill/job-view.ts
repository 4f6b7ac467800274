/**
 * The job as the API shows it (docs/architecture.md#wire-and-disk-shapes): one function maps the domain state to the wire
 * `BackfillResponse`, deriving what the state does not store (ETA, partial snapshots).
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
import type { CellRecord, JobDistrictProgress, JobState } from './job-state.ts'
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

function cellsByDate(state: JobState): readonly CellRecord[][] {
  return state.ledger.days.map((day) => day.cells)
}

/**
 * Snapshots this job wrote while other districts of the same requested date failed. A date's
 * failures are charged to every snapshot its successful cells landed in.
 */
export function computePartialSnapshots(state: JobState): PartialSnapshotResult[] {
  const bySnapshot = new Map<string, PartialSnapshotResult>()
  for (const cells of cellsByDate(state)) {
    const failed = cells.filter((c) => c.state === 'failed' && c.districtId !== WHOLE_DATE)
    if (failed.length === 0) continue
    for (const cell of cells) {
      if (cell.state !== 'completed' || cell.snapshotId === null) continue
      const entry = bySnapshot.get(cell.snapshotId) ?? {
        snapshotId: cell.snapshotId,
        successfulDistricts: [],
        failedDistricts: [],
        errors: [],
      }
      bySnapshot.set(cell.snapshotId, entry)
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
  return [...bySnapshot.values()]
    .map((e) => ({
      ...e,
      successfulDistricts: e.successfulDistricts.sort(compareDistrictIds),
      failedDistricts: e.failedDistricts.sort(compareDistrictIds),
    }))
    .sort((a, b) => (a.snapshotId < b.snapshotId ? -1 : a.snapshotId > b.snapshotId ? 1 : 0))
}

function toWireDistricts(
  tallies: Record<string, JobDistrictProgress>,
): Record<string, DistrictProgress> {
  const out: Record<string, DistrictProgress> = {}
  for (const [id, { skippedDates: _s, startedDates: _t, ...wire }] of Object.entries(tallies)) {
    out[id] = wire
  }
  return out
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
  const districtProgress = toWireDistricts(tallies)
  const affectedDistricts = Object.values(districtProgress)
    .filter((d) => d.failedDates.length > 0)
    .map((d) => d.districtId)
    .sort(compareDistrictIds)
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
