/**
 * The series index: per snapshot date, the figures the series endpoints show, so a series read
 * touches no district file (docs/performance.md#series-index). Every entry carries the sha256 of
 * the file it was derived from, so an entry is trusted only while the manifest still lists that
 * file with that sha256: a stale or half-written index is detected entry by entry, never served.
 */
import type { SeriesPoint } from '../../shared/api-schemas.ts'
import type { DistrictId } from '../../shared/district-id.ts'
import type { DistrictStatistics, DistrictSummaryStats } from '../../shared/district-statistics.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import type {
  AllDistrictsFile,
  DistrictFile,
  SnapshotManifest,
  SourceProvenance,
} from '../../shared/snapshot-types.ts'
import type { SnapshotState } from './snapshot-model.ts'

/** Bumped when the record's shape or meaning changes: older records are rebuilt. */
export const SERIES_INDEX_VERSION = 1

/** The summary figures of one district on one date (what `measureOf` and a point need). */
export interface SummaryFigures {
  paidClubs: number | null
  activeClubs: number | null
  paymentsYtd: number | null
  paymentBase: number | null
  distinguished: {
    distinguished: number | null
    select: number | null
    presidents: number | null
    smedley: number | null
    total: number | null
  }
}

export interface IndexedAllDistricts {
  /** sha256 of the all-districts file these figures come from. */
  sha256: string
  dataMonth: YearMonth
  programYear: string
  sourceAsOf: string | null
  fetchedAt: string | null
  /** Figures per district listed in the file; null when this store has no way to read rows. */
  rows: Record<DistrictId, SummaryFigures> | null
}

export interface SeriesIndexRecord {
  indexVersion: number
  asOf: IsoDate
  /** The data month of the snapshot the record describes (one as-of may hold more later). */
  dataMonth: YearMonth
  closingPeriod: boolean
  districts: Record<DistrictId, { sha256: string; point: SeriesPoint }>
  allDistricts: IndexedAllDistricts | null
}

/** How a store turns an all-districts file's rows into figures (normalize owns that parsing). */
export type SummaryStatsOf = (file: AllDistrictsFile) => ReadonlyMap<string, DistrictSummaryStats>

/**
 * The figures of summary statistics. Statistics are opaque to storage (a file of another shape
 * is stored as it is), so every step may be absent: what is missing is null.
 */
export function summaryFigures(s: DistrictSummaryStats | null | undefined): SummaryFigures {
  return {
    paidClubs: s?.clubs?.paid ?? null,
    activeClubs: s?.clubs?.active ?? null,
    paymentsYtd: s?.payments?.totalYtd ?? null,
    paymentBase: s?.payments?.base ?? null,
    distinguished: {
      distinguished: s?.distinguished?.distinguished ?? null,
      select: s?.distinguished?.select ?? null,
      presidents: s?.distinguished?.presidents ?? null,
      smedley: s?.distinguished?.smedley ?? null,
      total: s?.distinguished?.total ?? null,
    },
  }
}

/** The series point of a district file. */
export function pointOfFile(file: DistrictFile): SeriesPoint {
  const stats = (file.statistics ?? null) as Partial<DistrictStatistics> | null
  const sources = file.provenance.sources
  const source: SourceProvenance | undefined =
    sources.find((s) => s.report === 'districtsummary') ?? sources[0]
  return {
    asOf: file.asOf,
    dataMonth: file.dataMonth,
    programYear: file.programYear,
    detail: file.detail,
    closingPeriod: file.closingPeriod,
    sourceAsOf: source?.footer?.asOf ?? null,
    fetchedAt: source?.fetchedAt ?? null,
    ...summaryFigures(stats?.summary),
    activeMembers: stats?.totals?.membership?.active ?? null,
  }
}

export function indexAllDistricts(
  file: AllDistrictsFile,
  sha256: string,
  statsOf: SummaryStatsOf | undefined,
): IndexedAllDistricts {
  let rows: Record<DistrictId, SummaryFigures> | null = null
  if (statsOf) {
    rows = {}
    for (const [id, s] of statsOf(file)) rows[id] = summaryFigures(s)
  }
  return {
    sha256,
    dataMonth: file.dataMonth,
    programYear: file.programYear,
    sourceAsOf: file.source.footer?.asOf ?? null,
    fetchedAt: file.source.fetchedAt,
    rows,
  }
}

export function emptySeriesRecord(state: SnapshotState): SeriesIndexRecord {
  return {
    indexVersion: SERIES_INDEX_VERSION,
    asOf: state.metadata.asOf,
    dataMonth: state.metadata.dataMonth,
    closingPeriod: state.metadata.closingPeriod,
    districts: {},
    allDistricts: null,
  }
}

/**
 * The entries of `record` still true for `state` (same sha256 as the manifest), plus what is
 * missing: district ids whose entry must be derived again, and whether the all-districts is.
 */
export function reconcileSeriesRecord(
  record: SeriesIndexRecord | null,
  state: SnapshotState,
): { record: SeriesIndexRecord; missingDistricts: DistrictId[]; missingAllDistricts: boolean } {
  const base = emptySeriesRecord(state)
  const manifest = state.manifest
  const missingDistricts: DistrictId[] = []
  for (const [id, entry] of Object.entries(manifest.districts)) {
    const had = record?.districts[id]
    if (had && had.sha256 === entry.sha256) base.districts[id] = had
    else missingDistricts.push(id)
  }
  const all = manifest.allDistricts
  const hadAll = record?.allDistricts ?? null
  let missingAllDistricts = false
  if (all) {
    if (hadAll && hadAll.sha256 === all.sha256) base.allDistricts = hadAll
    else missingAllDistricts = true
  }
  return { record: base, missingDistricts, missingAllDistricts }
}

/** True when every file the manifest lists has its entry (and nothing else is in the record). */
export function seriesRecordMatches(
  record: SeriesIndexRecord,
  manifest: SnapshotManifest,
): boolean {
  const ids = Object.keys(manifest.districts)
  if (Object.keys(record.districts).length !== ids.length) return false
  for (const id of ids) {
    if (record.districts[id]?.sha256 !== manifest.districts[id]!.sha256) return false
  }
  return (record.allDistricts?.sha256 ?? null) === (manifest.allDistricts?.sha256 ?? null)
}

/** A stored record, or null when it is absent, unreadable, of another version or another date. */
export function parseSeriesRecord(text: string | null, asOf: IsoDate): SeriesIndexRecord | null {
  if (text === null) return null
  try {
    const r = JSON.parse(text) as SeriesIndexRecord
    if (
      typeof r !== 'object' ||
      r === null ||
      r.indexVersion !== SERIES_INDEX_VERSION ||
      r.asOf !== asOf ||
      typeof r.districts !== 'object' ||
      r.districts === null
    )
      return null
    return r
  } catch {
    return null
  }
}
