/**
 * Every path the storage layer touches is built here, from values validated first. Ids and
 * dates come from HTTP requests and CLI flags, so nothing reaches the file system unchecked.
 */
import path from 'node:path'
import { DISTRICT_ID_RE, normalizeDistrictId } from '../../shared/district-id.ts'
import type { DistrictId } from '../../shared/district-id.ts'
import { addMonths, isIsoDate, yearMonthOf } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import { REPORT_KINDS } from '../../shared/snapshot-types.ts'
import type { ReportKind } from '../../shared/snapshot-types.ts'
import { StorageValidationError } from './errors.ts'

/**
 * Joins single path segments under `root` and refuses anything that could leave it: empty
 * segments, `.`/`..`, separators of either platform, NUL bytes, absolute paths.
 */
export function resolveInside(root: string, ...segments: string[]): string {
  const base = path.resolve(root)
  for (const segment of segments) assertSafeSegment(segment)
  const full = path.resolve(base, ...segments)
  const rel = path.relative(base, full)
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new StorageValidationError('path', segments.join('/'), 'must stay inside the data dir')
  }
  return full
}

function assertSafeSegment(segment: unknown): asserts segment is string {
  const ok =
    typeof segment === 'string' &&
    segment !== '' &&
    segment !== '.' &&
    segment !== '..' &&
    !/[/\\\0]/.test(segment)
  if (!ok) {
    throw new StorageValidationError('path segment', segment, 'must be a plain file name')
  }
}

export function assertAsOf(value: unknown, field = 'asOf'): IsoDate {
  if (!isIsoDate(value)) {
    throw new StorageValidationError(field, value, 'must be a real calendar date YYYY-MM-DD')
  }
  return value
}

/**
 * Normalises (trim + upper-case) and validates. Stored ids are always normalised, so `f` and
 * `F` are the same district.
 */
export function assertDistrictId(value: unknown, field = 'districtId'): DistrictId {
  const id = normalizeDistrictId(value)
  if (id === null || !DISTRICT_ID_RE.test(id)) {
    throw new StorageValidationError(field, value, 'must be 1-4 letters or digits (e.g. 02, 61, F)')
  }
  return id
}

export function assertReportKind(value: unknown, field = 'report'): ReportKind {
  if (!(REPORT_KINDS as readonly unknown[]).includes(value)) {
    throw new StorageValidationError(field, value, `must be one of ${REPORT_KINDS.join(', ')}`)
  }
  return value as ReportKind
}

export const SNAPSHOTS_DIR = 'snapshots'
export const RAW_CSV_DIR = 'raw-csv'
export const CONFIG_DIR = 'config'
export const QUARANTINE_DIR = 'quarantine'
/** Derived, rebuildable read indexes (docs/performance.md#series-index). */
export const INDEX_DIR = 'index'
export const SERIES_INDEX_DIR = 'series'
export const CURRENT_FILE = 'current.json'
export const METADATA_FILE = 'metadata.json'
export const MANIFEST_FILE = 'manifest.json'
export const ALL_DISTRICTS_FILE = 'all-districts.json'
/** Prefix of a snapshot directory still being built; never a published snapshot. */
export const TMP_DIR_PREFIX = '.tmp-'
/** Prefix of a file staged before the manifest commits it (see file-snapshot-store.ts). */
export const PENDING_PREFIX = '.pending-'
/** Marker inside temp file names (`.<name>.<rand>.tmp`). */
export const TMP_FILE_SUFFIX = '.tmp'

export function districtFileName(districtId: DistrictId): string {
  return `district_${districtId}.json`
}

const DISTRICT_FILE_RE = /^district_([A-Z0-9]{1,4})\.json$/

/** The district id of a `district_<id>.json` name, or null for any other name. */
export function districtIdOfFileName(name: string): DistrictId | null {
  return DISTRICT_FILE_RE.exec(name)?.[1] ?? null
}

/**
 * Where one (as-of, data month) snapshot is kept (docs/architecture.md#one-as-of-two-data-months):
 * the as-of itself for the first data month stored at that as-of, `<asOf>_<YYYY-MM>` for the
 * other one an intraday rollover brings. A DATA_DIR written before rollovers were stored has
 * only the first kind.
 */
export type SnapshotKey = string

const SNAPSHOT_KEY_RE = /^(\d{4}-\d{2}-\d{2})(?:_(\d{4}-(?:0[1-9]|1[0-2])))?$/

export function snapshotKey(asOf: IsoDate, otherMonth: YearMonth | null): SnapshotKey {
  return otherMonth === null ? asOf : `${asOf}_${otherMonth}`
}

/** The as-of and (for the second month of an as-of) the data month a key names, or null. */
export function parseSnapshotKey(
  key: unknown,
): { asOf: IsoDate; otherMonth: YearMonth | null } | null {
  if (typeof key !== 'string') return null
  const m = SNAPSHOT_KEY_RE.exec(key)
  if (!m || !isIsoDate(m[1])) return null
  return { asOf: m[1], otherMonth: m[2] ?? null }
}

export function assertYearMonth(value: unknown, field = 'dataMonth'): YearMonth {
  if (typeof value !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) {
    throw new StorageValidationError(field, value, 'must be a month YYYY-MM')
  }
  return value
}

export function assertSnapshotKey(value: unknown, field = 'asOf'): SnapshotKey {
  if (parseSnapshotKey(value) === null) {
    throw new StorageValidationError(
      field,
      value,
      'must be a real calendar date YYYY-MM-DD (optionally followed by _YYYY-MM)',
    )
  }
  return value as SnapshotKey
}

/** The data months an as-of can carry: the month before it (closing period) and its own. */
export function dataMonthsOf(asOf: IsoDate): [YearMonth, YearMonth] {
  const own = yearMonthOf(asOf)
  return [addMonths(own, -1), own]
}

export function snapshotDir(dataDir: string, key: SnapshotKey): string {
  return resolveInside(dataDir, SNAPSHOTS_DIR, assertSnapshotKey(key))
}

export function rawCsvBaseName(report: ReportKind, districtId: DistrictId | null): string {
  return districtId === null ? report : `${report}_${districtId}`
}

export function isTempName(name: string): boolean {
  return name.startsWith(TMP_DIR_PREFIX) || name.endsWith(TMP_FILE_SUFFIX)
}
