/**
 * What a backfill or refresh needs from snapshot storage, and what readers (HTTP, CLI, web
 * coverage view) need. Implemented by the file store, the memory store and the PostgreSQL
 * store; all pass snapshot-store.contract.ts.
 */
import type { DistrictId } from '../../shared/district-id.ts'
import type { SeriesIndexRecord } from './series-index.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import type {
  AllDistrictsFile,
  CoverageCell,
  CoverageDate,
  CoverageReport,
  CoverageStatus,
  CurrentPointer,
  DetailLevel,
  DistrictFile,
  ManifestEntry,
  ReportKind,
  SnapshotManifest,
  SnapshotMetadata,
  SnapshotStatus,
  SourceProvenance,
} from '../../shared/snapshot-types.ts'

/** Facts about the date being written, used when the snapshot is created. */
export interface SnapshotWriteMeta {
  dataMonth: YearMonth
  programYear: string
  closingPeriod: boolean
  /** The date that was asked for and answered with this as-of; kept in `requestedDates`. */
  requestedDate: IsoDate | null
  jobId: string | null
}

export interface WriteDistrictOptions {
  requestedDate?: IsoDate | null
  /** @default the file's `provenance.jobId` */
  jobId?: string | null
}

export interface WriteAllDistrictsOptions extends WriteDistrictOptions {
  /**
   * Districts about to be collected, recorded with their reason in the same write, so the
   * snapshot never reads complete while they are missing.
   */
  notStoredYet?: DistrictFailure[]
}

export interface DistrictFailure {
  districtId: DistrictId
  code: string
  message: string
}

export interface SnapshotSummary {
  asOf: IsoDate
  status: SnapshotStatus
  dataMonth: YearMonth
  programYear: string
  closingPeriod: boolean
  districtCount: number
  fullDetailCount: number
  /** Validation findings over the snapshot's district files (they are kept, never repaired). */
  warningCount: number
  failedCount: number
  hasAllDistricts: boolean
  requestedDates: IsoDate[]
  updatedAt: string
  /**
   * Whether a read of this as-of without a data month answers this snapshot: false only for the
   * earlier of two data months stored at one as-of (docs/architecture.md#one-as-of-two-data-months).
   */
  isDefault: boolean
}

// Coverage is a wire shape too (the page reads it): defined once in shared.
export type { CoverageCell, CoverageDate, CoverageReport, CoverageStatus }

export interface CoverageQuery {
  from: IsoDate
  to: IsoDate
  districtIds?: DistrictId[]
}

export interface SetCurrentOptions {
  /** Move backwards, or onto a partial snapshot. @default false */
  force?: boolean
  /**
   * Which of the as-of's data months the pointer names. @default the as-of's default month
   * (docs/architecture.md#one-as-of-two-data-months)
   */
  dataMonth?: YearMonth
}

export interface SetCurrentResult {
  /** The pointer after the call (null when none was ever set). */
  current: IsoDate | null
  moved: boolean
  /** Why it did not move. */
  reason?: 'not-newer' | 'partial'
}

export interface SnapshotWriter {
  writeDistrict(file: DistrictFile, options?: WriteDistrictOptions): Promise<ManifestEntry>
  writeDistricts(
    asOf: IsoDate,
    files: DistrictFile[],
    meta: SnapshotWriteMeta,
  ): Promise<ManifestEntry[]>
  writeAllDistricts(file: AllDistrictsFile, options?: WriteAllDistrictsOptions): Promise<void>
  /** Marks districts as failed (status becomes partial). `meta` creates the snapshot if needed. */
  recordFailures(
    asOf: IsoDate,
    failures: DistrictFailure[],
    meta?: SnapshotWriteMeta,
  ): Promise<SnapshotMetadata>
  /**
   * Forgets the recorded reasons of districts that turned out not to belong to the date (not in
   * its summary, nothing published): the snapshot no longer waits for them. Null when the date
   * has no snapshot.
   */
  clearFailures(
    asOf: IsoDate,
    districtIds: DistrictId[],
    dataMonth?: YearMonth,
  ): Promise<SnapshotMetadata | null>
  /**
   * Only moves forward — to a later as-of, or to the later data month of the same as-of — and
   * only onto a complete snapshot, unless forced.
   */
  setCurrent(asOf: IsoDate, options?: SetCurrentOptions): Promise<SetCurrentResult>
}

/**
 * Reads of one as-of take an optional data month: without it they answer the as-of's default
 * month (the later of two stored, docs/architecture.md#one-as-of-two-data-months); with it, that
 * month's snapshot or null when the as-of does not hold it.
 */
export interface SnapshotReader {
  getCurrent(): Promise<CurrentPointer | null>
  /** One summary per stored (as-of, data month): an as-of holding two months is listed twice. */
  listSnapshots(range?: { from?: IsoDate; to?: IsoDate }): Promise<SnapshotSummary[]>
  /** The data months stored at an as-of, ascending (two after an intraday rollover). */
  dataMonthsAt(asOf: IsoDate): Promise<YearMonth[]>
  readMetadata(asOf: IsoDate, dataMonth?: YearMonth): Promise<SnapshotMetadata | null>
  readManifest(asOf: IsoDate, dataMonth?: YearMonth): Promise<SnapshotManifest | null>
  /** null when the district is not in the snapshot; StorageCorruptError when it cannot be trusted. */
  readDistrict(
    asOf: IsoDate,
    districtId: DistrictId,
    dataMonth?: YearMonth,
  ): Promise<DistrictFile | null>
  readAllDistricts(asOf: IsoDate, dataMonth?: YearMonth): Promise<AllDistrictsFile | null>
  listDistricts(asOf: IsoDate, dataMonth?: YearMonth): Promise<DistrictId[]>
  /** One file per as-of (its default month), oldest first; never holds the whole series in memory. */
  streamDistrictSeries(
    districtId: DistrictId,
    from: IsoDate,
    to: IsoDate,
  ): AsyncIterable<DistrictFile>
  /**
   * From the coverage index: manifests and metadata loaded once, again only for dates that
   * changed since (docs/performance.md#coverage-index). An answer may be shared by callers:
   * treat it as read-only.
   */
  coverage(query: CoverageQuery): Promise<CoverageReport>
  /**
   * The series index records of the stored dates in `[from, to]`, oldest first: per date the
   * figures of each district file and all-districts row, with no district file read when the
   * index is current (docs/performance.md#series-index).
   */
  seriesIndex(range: { from: IsoDate; to: IsoDate }): Promise<SeriesIndexRecord[]>
  /** Skip-existing: present, parses, sha256 matches the manifest, known schema, enough detail. */
  hasValidDistrict(
    asOf: IsoDate,
    districtId: DistrictId,
    neededDetail: DetailLevel,
    dataMonth?: YearMonth,
  ): Promise<boolean>
  /**
   * The districts of `districtIds` (normalised, as manifests key them) that `hasValidDistrict`
   * would answer true for, from one load of the as-of's manifest (skip checks of a whole date;
   * docs/performance.md#re-run).
   */
  validDistricts(
    asOf: IsoDate,
    districtIds: readonly DistrictId[],
    neededDetail: DetailLevel,
    dataMonth?: YearMonth,
  ): Promise<Set<DistrictId>>
  /** The as-of a requested date was answered with, or null. */
  findByRequestedDate(date: IsoDate): Promise<IsoDate | null>
}

export type SnapshotStore = SnapshotReader & SnapshotWriter

/** Request facts stored beside a raw CSV body. */
export interface RawCsvMetaInput {
  url: string
  fetchedAt: string
  status: number
  footer: SourceProvenance['footer']
  requestedAsOf: IsoDate | null
}

export interface RawCsvMeta extends RawCsvMetaInput {
  schemaVersion: number
  asOf: IsoDate
  report: ReportKind
  districtId: DistrictId | null
  sha256: string
  sizeBytes: number
}

export interface RawCsvKey {
  asOf: IsoDate
  report: ReportKind
  districtId: DistrictId | null
}

export interface RawCsvCacheStats {
  hits: number
  misses: number
  /** hits / (hits + misses); 0 before any lookup. */
  hitRate: number
  /** Lookups whose body no longer matched its recorded sha256 (also counted as misses). */
  corrupt: number
  entryCount: number
  sizeBytes: number
}

/**
 * Bodies keyed by (as-of, report, district) and data month (the footer's): an as-of's two data
 * months are kept side by side (docs/architecture.md#one-as-of-two-data-months). `dataMonth`
 * undefined = the latest month stored; null = a body stored without a footer.
 */
export interface RawCsvCache {
  /** Replaces only the entry of the same data month. */
  put(entry: RawCsvKey & { body: string; meta: RawCsvMetaInput }): Promise<RawCsvMeta>
  get(
    asOf: IsoDate,
    report: ReportKind,
    districtId: DistrictId | null,
    dataMonth?: YearMonth | null,
  ): Promise<{ body: string; meta: RawCsvMeta } | null>
  has(
    asOf: IsoDate,
    report: ReportKind,
    districtId: DistrictId | null,
    dataMonth?: YearMonth | null,
  ): Promise<boolean>
  /** By as-of, then the first-cached month before the other one. */
  list(asOf?: IsoDate): Promise<RawCsvMeta[]>
  stats(): Promise<RawCsvCacheStats>
}

export interface DistrictConfigStore {
  /** Sorted with compareDistrictIds; empty = none configured. */
  get(): Promise<DistrictId[]>
  replace(ids: readonly string[]): Promise<DistrictId[]>
  add(ids: readonly string[]): Promise<DistrictId[]>
  remove(ids: readonly string[]): Promise<DistrictId[]>
}
