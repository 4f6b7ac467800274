/** Coverage of a date range: pure, over the manifests and metadata a store already read. */
import { compareDistrictIds } from '../../shared/district-id.ts'
import type { DistrictId } from '../../shared/district-id.ts'
import { diffDays, eachDate } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import { StorageValidationError } from './errors.ts'
import { assertAsOf, assertDistrictId } from './paths.ts'
import type { CoverageCell, CoverageDate, CoverageQuery, CoverageReport } from './ports.ts'
import { statusOf } from './snapshot-model.ts'
import type { SnapshotState } from './snapshot-model.ts'

/** About ten years of days; a bigger range is a mistake, not a query. */
export const MAX_COVERAGE_DAYS = 3700

export interface ResolvedRange {
  from: IsoDate
  to: IsoDate
}

export function resolveRange(from: unknown, to: unknown): ResolvedRange {
  const f = assertAsOf(from, 'from')
  const t = assertAsOf(to, 'to')
  if (t < f) throw new StorageValidationError('to', t, `must not be before from (${f})`)
  return { from: f, to: t }
}

/** Validated `{from?, to?}` for listings: open ends allowed. */
export function resolveOpenRange(range: { from?: IsoDate; to?: IsoDate } = {}): {
  from: IsoDate | null
  to: IsoDate | null
} {
  const from = range.from === undefined ? null : assertAsOf(range.from, 'from')
  const to = range.to === undefined ? null : assertAsOf(range.to, 'to')
  return { from, to }
}

export function inOpenRange(
  asOf: IsoDate,
  range: { from: IsoDate | null; to: IsoDate | null },
): boolean {
  return (range.from === null || asOf >= range.from) && (range.to === null || asOf <= range.to)
}

export function resolveCoverageQuery(query: CoverageQuery): {
  from: IsoDate
  to: IsoDate
  districtIds: DistrictId[] | null
} {
  const { from, to } = resolveRange(query?.from, query?.to)
  if (diffDays(from, to) + 1 > MAX_COVERAGE_DAYS) {
    throw new StorageValidationError('to', to, `must be within ${MAX_COVERAGE_DAYS} days of from`)
  }
  const districtIds =
    query.districtIds === undefined
      ? null
      : [
          ...new Set(query.districtIds.map((id, i) => assertDistrictId(id, `districtIds[${i}]`))),
        ].sort(compareDistrictIds)
  return { from, to, districtIds }
}

/**
 * `states` holds each as-of's default snapshot; `dataMonths` the months stored at an as-of that
 * holds more than one (docs/architecture.md#one-as-of-two-data-months).
 */
export function computeCoverage(
  query: { from: IsoDate; to: IsoDate; districtIds: DistrictId[] | null },
  states: ReadonlyMap<IsoDate, SnapshotState>,
  dataMonths: ReadonlyMap<IsoDate, YearMonth[]> = new Map(),
): CoverageReport {
  const ids = query.districtIds ?? idsSeen(states)
  const dates: CoverageDate[] = eachDate(query.from, query.to).map((asOf) => {
    const state = states.get(asOf)
    const districts: Record<DistrictId, CoverageCell> = {}
    for (const id of ids) districts[id] = cellOf(state, id)
    const months = dataMonths.get(asOf) ?? (state ? [state.metadata.dataMonth] : [])
    return { asOf, snapshot: state ? statusOf(state) : null, dataMonths: months, districts }
  })
  return { from: query.from, to: query.to, districtIds: ids, dates }
}

function cellOf(state: SnapshotState | undefined, id: DistrictId): CoverageCell {
  const entry = state?.manifest.districts[id]
  if (entry) return { detail: entry.detail, status: 'ok' }
  const failed = state?.metadata.failedDistricts.some((f) => f.districtId === id) ?? false
  if (failed) return { detail: null, status: 'failed' }
  const listed = state?.manifest.allDistricts?.districtIds
  // A snapshot holds only the districts of its own summary (docs/upstream.md#the-district-set-of-a-date).
  if (listed !== undefined && !listed.includes(id))
    return { detail: null, status: 'not-a-district' }
  return { detail: null, status: 'missing' }
}

function idsSeen(states: ReadonlyMap<IsoDate, SnapshotState>): DistrictId[] {
  const ids = new Set<DistrictId>()
  for (const { manifest, metadata } of states.values()) {
    for (const id of Object.keys(manifest.districts)) ids.add(id)
    for (const f of metadata.failedDistricts) ids.add(f.districtId)
  }
  return [...ids].sort(compareDistrictIds)
}
