/** Builders shared by this folder's tests. Not exported from index.ts. */
import type {
  CellError,
  CollectionType,
  ResolvedBackfillRequest,
} from '../../shared/backfill-api.ts'
import type { DetailLevel } from '../../shared/snapshot-types.ts'
import type { CellRef } from './cell-ref.ts'
import { selectCollectionStrategy } from './data-source-selector.ts'
import type { JobEventOf } from './job-events.ts'
import { createJobState } from './job-state.ts'
import type { JobState } from './job-state.ts'
import type { StoredCell } from './plan-backfill.ts'
import { resolveScope } from './scope-manager.ts'
import type { ResolvedScope } from './scope-manager.ts'

export function makeRequest(over: Partial<ResolvedBackfillRequest> = {}): ResolvedBackfillRequest {
  return {
    targetDistricts: null,
    startDate: '2026-03-01',
    endDate: '2026-03-01',
    cadence: 'daily',
    dates: null,
    collectionType: 'auto',
    concurrency: 3,
    retryFailures: true,
    skipExisting: true,
    // Consistent as the parser resolves them: skipExisting false is reprocess all.
    reprocess: over.skipExisting === false ? 'all' : 'missing-and-failed',
    rateLimitDelayMs: 0,
    enableCaching: true,
    dryRun: false,
    ...over,
  }
}

export function makeScope(targets: string[] | null, configured: string[]): ResolvedScope {
  return resolveScope({
    request: { targetDistricts: targets },
    configuredDistricts: configured,
    kind: 'global',
  }).scope
}

export function makeStrategy(collectionType: CollectionType, scope: ResolvedScope) {
  return selectCollectionStrategy({
    collectionType,
    scopeSize: scope.targetDistricts.length,
    openScope: scope.openScope,
  })
}

let nextId = 0

export function queuedEvent(cells: CellRef[], at = '2026-03-09T10:00:00.000Z') {
  const districts = [...new Set(cells.map((c) => c.districtId))]
  const scope = makeScope(
    null,
    districts.filter((d) => d !== '*'),
  )
  const event: JobEventOf<'job:queued'> = {
    type: 'job:queued',
    at,
    job: {
      backfillId: `job-${++nextId}`,
      kind: 'global',
      districtId: null,
      request: makeRequest(),
      scope,
      strategy: makeStrategy('system-wide', scope),
      cells,
    },
  }
  return event
}

export function makeJob(cells: CellRef[]): JobState {
  return createJobState(queuedEvent(cells))
}

/** Cells for every date × district, dates as `2026-03-DD`. */
export function grid(days: number, districts: string[]): CellRef[] {
  const out: CellRef[] = []
  for (let d = 1; d <= days; d++) {
    const date = `2026-03-${String(d).padStart(2, '0')}`
    for (const districtId of districts) out.push({ date, districtId })
  }
  return out
}

export function cellError(over: Partial<CellError> = {}): CellError {
  return {
    code: 'UPSTREAM_HTTP',
    message: 'Upstream answered 503',
    retryable: true,
    attempts: 3,
    at: '2026-03-09T10:00:05.000Z',
    httpStatus: 503,
    ...over,
  }
}

/** A planner's view of storage from the detail held per cell (null: nothing stored). */
export function storedAs(
  detailOf: (date: string, districtId: string) => DetailLevel | null,
): (date: string, districtId: string) => StoredCell | null {
  return (date, districtId) => {
    const detail = detailOf(date, districtId)
    return detail === null ? null : { detail }
  }
}
