/**
 * Pure rules for how metadata and manifest change on each write, shared by the file store and
 * the memory store so both behave identically.
 */
import { compareDistrictIds } from '../../shared/district-id.ts'
import type { DistrictId } from '../../shared/district-id.ts'
import { isProgramYear } from '../../shared/iso-date.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import { SNAPSHOT_SCHEMA_VERSION } from '../../shared/snapshot-types.ts'
import type {
  DetailLevel,
  DistrictFile,
  ManifestEntry,
  SnapshotManifest,
  SnapshotMetadata,
  SourceProvenance,
} from '../../shared/snapshot-types.ts'
import { StorageValidationError } from './errors.ts'
import { assertAsOf, assertDistrictId, districtFileName } from './paths.ts'
import type {
  DistrictFailure,
  SnapshotSummary,
  SnapshotWriteMeta,
  WriteDistrictOptions,
} from './ports.ts'
import { byteSize, serializeDistrictFile, sha256Hex, upgradeDistrictFile } from './schema.ts'

export interface SnapshotState {
  metadata: SnapshotMetadata
  manifest: SnapshotManifest
}

/** A district file ready to write: its exact text and what the manifest will say about it. */
export interface PreparedDistrict {
  file: DistrictFile
  text: string
  entry: ManifestEntry
}

export function detailSatisfies(have: DetailLevel, need: DetailLevel): boolean {
  return have === 'full' || need === 'summary'
}

/** Checks a file before it is written; a bad one is the caller's mistake, not corruption. */
export function prepareDistrict(
  file: DistrictFile,
  jobId: string | null | undefined,
  nowIso: string,
): PreparedDistrict {
  assertDistrictId(file?.districtId, 'file.districtId')
  if (file.districtId !== file.districtId.toUpperCase()) {
    throw new StorageValidationError('file.districtId', file.districtId, 'must be upper-case')
  }
  assertAsOf(file.asOf, 'file.asOf')
  if (file.schemaVersion !== SNAPSHOT_SCHEMA_VERSION) {
    throw new StorageValidationError(
      'file.schemaVersion',
      file.schemaVersion,
      `must be ${SNAPSHOT_SCHEMA_VERSION}`,
    )
  }
  try {
    upgradeDistrictFile(file)
  } catch (e) {
    throw new StorageValidationError(
      'districtFile',
      file.districtId,
      `has an invalid shape (${(e as Error).message})`,
    )
  }
  const text = serializeDistrictFile(file)
  const entry: ManifestEntry = {
    districtId: file.districtId,
    file: districtFileName(file.districtId),
    detail: file.detail,
    sizeBytes: byteSize(text),
    sha256: sha256Hex(text),
    jobId: jobId === undefined ? file.provenance.jobId : jobId,
    writtenAt: nowIso,
    warningCount: file.warnings.length,
  }
  return { file, text, entry }
}

export function metaOfFile(
  file: DistrictFile,
  options: WriteDistrictOptions = {},
): SnapshotWriteMeta {
  return {
    dataMonth: file.dataMonth,
    programYear: file.programYear,
    closingPeriod: file.closingPeriod,
    requestedDate: options.requestedDate ?? null,
    jobId: options.jobId === undefined ? file.provenance.jobId : options.jobId,
  }
}

export function newSnapshotState(
  asOf: IsoDate,
  meta: SnapshotWriteMeta,
  nowIso: string,
): SnapshotState {
  return {
    metadata: {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      asOf,
      dataMonth: meta.dataMonth,
      programYear: meta.programYear,
      closingPeriod: meta.closingPeriod,
      status: 'partial',
      requestedDates: [],
      failedDistricts: [],
      createdAt: nowIso,
      updatedAt: nowIso,
      restatements: [],
    },
    manifest: { schemaVersion: SNAPSHOT_SCHEMA_VERSION, asOf, districts: {}, allDistricts: null },
  }
}

/**
 * One as-of holds one data month: around the program-year boundary the same as-of can exist
 * for two data months, and mixing them would make the metadata lie about half the files.
 */
export function assertSameDataMonth(
  metadata: SnapshotMetadata,
  incoming: { dataMonth: string; programYear: string },
  what: string,
): void {
  if (metadata.dataMonth !== incoming.dataMonth || metadata.programYear !== incoming.programYear) {
    throw new StorageValidationError(
      what,
      `${incoming.dataMonth} (${incoming.programYear})`,
      `must match snapshot ${metadata.asOf}'s data month ${metadata.dataMonth} (${metadata.programYear})`,
    )
  }
}

/**
 * `complete` only when the snapshot holds at least one district file and no district meant for
 * it is missing: a date whose run stored no district, or that lists a district it does not hold
 * (failed, cancelled, not collected yet), is `partial`.
 */
export function statusOf(state: SnapshotState): SnapshotMetadata['status'] {
  const stored = Object.keys(state.manifest.districts).length
  return stored > 0 && state.metadata.failedDistricts.length === 0 ? 'complete' : 'partial'
}

/** The state with its metadata status recomputed from what it holds. */
export function withStatus(state: SnapshotState): SnapshotState {
  const status = statusOf(state)
  return status === state.metadata.status
    ? state
    : { ...state, metadata: { ...state.metadata, status } }
}

export function withRequestedDate(
  metadata: SnapshotMetadata,
  date: IsoDate | null,
): SnapshotMetadata {
  if (date === null || metadata.requestedDates.includes(date)) return metadata
  return { ...metadata, requestedDates: [...metadata.requestedDates, date].sort() }
}

/** Adds the written districts to the manifest and clears their earlier failures. */
export function applyDistrictWrites(
  state: SnapshotState,
  prepared: readonly PreparedDistrict[],
  previous: ReadonlyMap<DistrictId, DistrictFile>,
  nowIso: string,
): SnapshotState {
  const districts = { ...state.manifest.districts }
  const restatements = [...state.metadata.restatements]
  for (const p of prepared) {
    districts[p.entry.districtId] = p.entry
    const old = previous.get(p.entry.districtId)
    if (old)
      restatements.push(
        ...findRestatements(old.provenance.sources, p.file.provenance.sources, nowIso),
      )
  }
  const written = new Set(prepared.map((p) => p.entry.districtId))
  const failedDistricts = state.metadata.failedDistricts.filter((f) => !written.has(f.districtId))
  return withStatus({
    manifest: { ...state.manifest, districts: sortRecord(districts) },
    metadata: { ...state.metadata, failedDistricts, restatements, updatedAt: nowIso },
  })
}

/** Bodies that changed while their as-of stayed the same (closing-period restatements). */
export function findRestatements(
  before: readonly SourceProvenance[],
  after: readonly SourceProvenance[],
  nowIso: string,
): SnapshotMetadata['restatements'] {
  const out: SnapshotMetadata['restatements'] = []
  for (const source of after) {
    const old = before.find((b) => b.report === source.report && b.districtId === source.districtId)
    if (old && old.sha256 !== source.sha256) {
      out.push({
        districtId: source.districtId,
        report: source.report,
        at: nowIso,
        previousSha256: old.sha256,
        sha256: source.sha256,
      })
    }
  }
  return out
}

export function normalizeFailures(failures: readonly DistrictFailure[]): DistrictFailure[] {
  return failures.map((f, i) => ({
    districtId: assertDistrictId(f?.districtId, `failures[${i}].districtId`),
    code: String(f.code),
    message: String(f.message),
  }))
}

/**
 * Records why districts are not stored (replacing an earlier reason for the same district). With
 * failures the status is partial whatever the manifest holds.
 */
export function applyFailures(
  metadata: SnapshotMetadata,
  failures: readonly DistrictFailure[],
  nowIso: string,
): SnapshotMetadata {
  const byId = new Map(metadata.failedDistricts.map((f) => [f.districtId, f]))
  for (const f of failures) byId.set(f.districtId, f)
  const failedDistricts = [...byId.values()].sort((a, b) =>
    compareDistrictIds(a.districtId, b.districtId),
  )
  return {
    ...metadata,
    failedDistricts,
    status: failedDistricts.length > 0 ? 'partial' : 'complete',
    updatedAt: nowIso,
  }
}

/** Forgets the recorded reasons of districts that are settled another way (not on that date). */
export function clearFailures(
  state: SnapshotState,
  districtIds: readonly DistrictId[],
  nowIso: string,
): SnapshotState {
  const gone = new Set(districtIds)
  const failedDistricts = state.metadata.failedDistricts.filter((f) => !gone.has(f.districtId))
  if (failedDistricts.length === state.metadata.failedDistricts.length) return state
  return withStatus({
    ...state,
    metadata: { ...state.metadata, failedDistricts, updatedAt: nowIso },
  })
}

/** `isDefault`: false for the earlier of two data months stored at one as-of. */
export function summarize(state: SnapshotState, isDefault = true): SnapshotSummary {
  const { metadata, manifest } = state
  const entries = Object.values(manifest.districts)
  return {
    asOf: metadata.asOf,
    // Derived, so a snapshot written before this rule existed is listed truthfully too.
    status: statusOf(state),
    dataMonth: metadata.dataMonth,
    programYear: metadata.programYear,
    closingPeriod: metadata.closingPeriod,
    districtCount: entries.length,
    fullDetailCount: entries.filter((e) => e.detail === 'full').length,
    warningCount: entries.reduce((n, e) => n + (e.warningCount ?? 0), 0),
    failedCount: metadata.failedDistricts.length,
    hasAllDistricts: manifest.allDistricts !== null,
    requestedDates: metadata.requestedDates,
    updatedAt: metadata.updatedAt,
    isDefault,
  }
}

export function sortedDistrictIds(manifest: SnapshotManifest): DistrictId[] {
  return Object.keys(manifest.districts).sort(compareDistrictIds)
}

function sortRecord<T>(record: Record<DistrictId, T>): Record<DistrictId, T> {
  const out: Record<DistrictId, T> = {}
  for (const key of Object.keys(record).sort(compareDistrictIds)) out[key] = record[key] as T
  return out
}

const YEAR_MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/

/** Checks the caller-supplied facts about a date before anything is written. */
export function validateWriteMeta(meta: SnapshotWriteMeta): SnapshotWriteMeta {
  if (typeof meta !== 'object' || meta === null) {
    throw new StorageValidationError('meta', meta, 'must be an object')
  }
  if (typeof meta.dataMonth !== 'string' || !YEAR_MONTH_RE.test(meta.dataMonth)) {
    throw new StorageValidationError('meta.dataMonth', meta.dataMonth, 'must be YYYY-MM')
  }
  if (!isProgramYear(meta.programYear)) {
    throw new StorageValidationError(
      'meta.programYear',
      meta.programYear,
      'must look like 2025-2026',
    )
  }
  if (typeof meta.closingPeriod !== 'boolean') {
    throw new StorageValidationError('meta.closingPeriod', meta.closingPeriod, 'must be a boolean')
  }
  const requestedDate = meta.requestedDate ?? null
  if (requestedDate !== null) assertAsOf(requestedDate, 'meta.requestedDate')
  const jobId = meta.jobId ?? null
  if (jobId !== null && typeof jobId !== 'string') {
    throw new StorageValidationError('meta.jobId', jobId, 'must be a string or null')
  }
  return { ...meta, requestedDate, jobId }
}

/** Prepares a batch for one as-of: same date, same data month, no district twice. */
export function prepareBatch(
  asOf: IsoDate,
  files: readonly DistrictFile[],
  meta: SnapshotWriteMeta,
  nowIso: string,
): PreparedDistrict[] {
  if (!Array.isArray(files)) throw new StorageValidationError('files', files, 'must be an array')
  const seen = new Set<DistrictId>()
  return files.map((file, i) => {
    const p = prepareDistrict(file, meta.jobId ?? undefined, nowIso)
    if (p.file.asOf !== asOf) {
      throw new StorageValidationError(
        `files[${i}].asOf`,
        p.file.asOf,
        `must equal the batch as-of ${asOf}`,
      )
    }
    if (p.file.dataMonth !== meta.dataMonth || p.file.programYear !== meta.programYear) {
      throw new StorageValidationError(
        `files[${i}].dataMonth`,
        `${p.file.dataMonth} (${p.file.programYear})`,
        `must match the batch's ${meta.dataMonth} (${meta.programYear})`,
      )
    }
    if (seen.has(p.entry.districtId)) {
      throw new StorageValidationError(
        `files[${i}].districtId`,
        p.entry.districtId,
        'appears twice in one batch',
      )
    }
    seen.add(p.entry.districtId)
    return p
  })
}
