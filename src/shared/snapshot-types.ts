/**
 * Shapes written to DATA_DIR (docs/architecture.md#storage). JSON-safe, versioned. The store treats a district
 * file's `statistics` as opaque JSON: the normalizer owns that shape (district-statistics.ts).
 */
import type { IsoDate, YearMonth } from './iso-date.ts'
import type { DistrictId } from './district-id.ts'

export const SNAPSHOT_SCHEMA_VERSION = 1

export type DetailLevel = 'summary' | 'full'

export type ReportKind =
  | 'districtsummary'
  | 'districtperformance'
  | 'divisionperformance'
  | 'clubperformance'

export const REPORT_KINDS: readonly ReportKind[] = [
  'districtsummary',
  'districtperformance',
  'divisionperformance',
  'clubperformance',
]

/** Where one upstream body came from, recorded in every file built from it. */
export interface SourceProvenance {
  report: ReportKind
  /** null for the all-districts summary. */
  districtId: DistrictId | null
  url: string
  fetchedAt: string
  httpStatus: number
  sizeBytes: number
  sha256: string
  footer: { month: string; dataMonth: YearMonth; asOf: IsoDate } | null
  rowCount: number
  /** True when the body came from the raw CSV cache instead of the network. */
  fromCache: boolean
}

export interface DistrictFile<S = unknown> {
  schemaVersion: number
  districtId: DistrictId
  /** The as-of printed in the CSV footer: the snapshot key. */
  asOf: IsoDate
  detail: DetailLevel
  dataMonth: YearMonth
  programYear: string
  closingPeriod: boolean
  provenance: {
    sources: SourceProvenance[]
    jobId: string | null
    toolVersion: string
    writtenAt: string
  }
  /** Cross-report and business-rule findings: recorded, never silently repaired. */
  warnings: string[]
  statistics: S
}

export type SnapshotStatus = 'complete' | 'partial'

export interface SnapshotMetadata {
  schemaVersion: number
  asOf: IsoDate
  dataMonth: YearMonth
  programYear: string
  closingPeriod: boolean
  /** complete = every district meant for this date is present; partial = some failed. */
  status: SnapshotStatus
  /** Dates that were asked for and answered with this as-of. */
  requestedDates: IsoDate[]
  /** Districts that were meant to be in the snapshot but failed, with the reason. */
  failedDistricts: { districtId: DistrictId; code: string; message: string }[]
  createdAt: string
  updatedAt: string
  /** Version of the tool that last wrote this metadata (added by the storage layer). */
  toolVersion?: string
  /** Bodies that changed under an unchanged as-of (closing-period restatements). */
  restatements: {
    districtId: DistrictId | null
    report: ReportKind
    at: string
    previousSha256: string
    sha256: string
  }[]
}

export interface ManifestEntry {
  districtId: DistrictId
  file: string
  detail: DetailLevel
  sizeBytes: number
  sha256: string
  jobId: string | null
  writtenAt: string
  /** Validation findings recorded in the file (0 = the data passed every check). */
  warningCount?: number
}

export interface SnapshotManifest {
  schemaVersion: number
  asOf: IsoDate
  districts: Record<DistrictId, ManifestEntry>
  /** Present when all-districts.json was written for this date. */
  allDistricts: {
    sizeBytes: number
    sha256: string
    writtenAt: string
    /** The summary's `DISTRICT` ids (absent in snapshots written before they were recorded). */
    districtIds?: DistrictId[]
  } | null
  /**
   * sha256 of the metadata.json this manifest was committed with (added by the storage layer):
   * the manifest is the single commit point of a snapshot update, metadata included.
   */
  metadataSha256?: string
}

export interface AllDistrictsFile {
  schemaVersion: number
  asOf: IsoDate
  dataMonth: YearMonth
  programYear: string
  header: string[]
  /** Every summary row, verbatim, keyed by header cell. */
  rows: Record<string, string>[]
  source: SourceProvenance
}

export interface CurrentPointer {
  schemaVersion: number
  asOf: IsoDate
  /**
   * Which of the as-of's data months is current; absent in pointers written before an as-of
   * could hold two (then: the as-of's default month, docs/architecture.md#one-as-of-two-data-months).
   */
  dataMonth?: YearMonth
  updatedAt: string
}

/** `not-a-district`: the date's stored summary does not list the district. */
export type CoverageStatus = 'ok' | 'failed' | 'missing' | 'not-a-district'

export interface CoverageCell {
  detail: DetailLevel | null
  status: CoverageStatus
}

export interface CoverageDate {
  asOf: IsoDate
  /** null when no snapshot exists for the date. */
  snapshot: SnapshotStatus | null
  /**
   * The data months stored at this as-of, ascending: two after an intraday rollover, when the
   * cells describe the later (default) one (docs/architecture.md#one-as-of-two-data-months).
   * Always sent by this server; optional for pages built before it.
   */
  dataMonths?: YearMonth[]
  districts: Record<DistrictId, CoverageCell>
}

/** `GET /api/coverage`: dates × districts, read from manifests and metadata only. */
export interface CoverageReport {
  from: IsoDate
  to: IsoDate
  /** The requested ids, or every id seen in the range's manifests and failures. */
  districtIds: DistrictId[]
  dates: CoverageDate[]
}
