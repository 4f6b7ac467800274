/**
 * Reading the on-disk shapes. Every read goes through an `upgrade*` function that accepts each
 * schema version ever written, checks the shape and rejects unknown versions. Extra fields are
 * kept (loose objects) so a read-modify-write never drops them. District and all-districts files
 * are at version 2 on disk (the version-1 record in the table encoding,
 * docs/decisions/district-file-encoding.md); every other file is at version 1.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { DISTRICT_ID_RE } from '../../shared/district-id.ts'
import { isIsoDate } from '../../shared/iso-date.ts'
import { REPORT_KINDS, SNAPSHOT_SCHEMA_VERSION } from '../../shared/snapshot-types.ts'
import type {
  AllDistrictsFile,
  CurrentPointer,
  DistrictFile,
  SnapshotManifest,
  SnapshotMetadata,
} from '../../shared/snapshot-types.ts'
import { StorageCorruptError, StorageUnsupportedSchemaError } from './errors.ts'
import { decodeTables, encodeTables } from './table-encoding.ts'

/** Every schema version this code can read. Add the new one here when the shape changes. */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1]

/**
 * The version district files are written at: 2 = the version-1 record (`SNAPSHOT_SCHEMA_VERSION`,
 * what readers get back) with its statistics in the table encoding. Version-1 files stay readable.
 */
export const DISTRICT_FILE_VERSION = 2
export const READABLE_DISTRICT_FILE_VERSIONS: readonly number[] = [1, DISTRICT_FILE_VERSION]

const isoDate = z.string().refine(isIsoDate, 'must be a YYYY-MM-DD date')
const yearMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/)
const districtId = z.string().regex(DISTRICT_ID_RE)
const detail = z.enum(['summary', 'full'])
const sha256 = z.string().regex(/^[0-9a-f]{64}$/)

const sourceProvenance = z.looseObject({
  report: z.enum(REPORT_KINDS as [string, ...string[]]),
  districtId: districtId.nullable(),
  url: z.string(),
  fetchedAt: z.string(),
  httpStatus: z.number(),
  sizeBytes: z.number(),
  sha256: z.string(),
  footer: z.looseObject({ month: z.string(), dataMonth: yearMonth, asOf: isoDate }).nullable(),
  rowCount: z.number(),
  fromCache: z.boolean(),
})

const districtFileV1 = z.looseObject({
  schemaVersion: z.literal(1),
  districtId,
  asOf: isoDate,
  detail,
  dataMonth: yearMonth,
  programYear: z.string(),
  closingPeriod: z.boolean(),
  provenance: z.looseObject({
    sources: z.array(sourceProvenance),
    jobId: z.string().nullable(),
    toolVersion: z.string(),
    writtenAt: z.string(),
  }),
  warnings: z.array(z.string()),
  statistics: z.unknown(),
})

const metadataV1 = z.looseObject({
  schemaVersion: z.literal(1),
  asOf: isoDate,
  dataMonth: yearMonth,
  programYear: z.string(),
  closingPeriod: z.boolean(),
  status: z.enum(['complete', 'partial']),
  requestedDates: z.array(isoDate),
  failedDistricts: z.array(z.looseObject({ districtId, code: z.string(), message: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
  restatements: z.array(z.looseObject({ report: z.string(), sha256: z.string() })),
})

const manifestEntry = z.looseObject({
  districtId,
  file: z.string(),
  detail,
  sizeBytes: z.number().int().nonnegative(),
  sha256,
  jobId: z.string().nullable(),
  writtenAt: z.string(),
})

const manifestV1 = z.looseObject({
  schemaVersion: z.literal(1),
  asOf: isoDate,
  districts: z.record(z.string(), manifestEntry),
  allDistricts: z.looseObject({ sizeBytes: z.number(), sha256, writtenAt: z.string() }).nullable(),
  metadataSha256: sha256.optional(),
})

const allDistrictsV1 = z.looseObject({
  schemaVersion: z.literal(1),
  asOf: isoDate,
  dataMonth: yearMonth,
  programYear: z.string(),
  header: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.string())),
  source: sourceProvenance,
})

const currentV1 = z.looseObject({
  schemaVersion: z.literal(1),
  asOf: isoDate,
  updatedAt: z.string(),
})

function upgrade<T>(
  what: string,
  json: unknown,
  v1: z.ZodType,
  readable: readonly number[] = READABLE_SCHEMA_VERSIONS,
): T {
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new StorageCorruptError(what, 'not a JSON object')
  }
  if (!readable.includes(version as number)) {
    throw new StorageUnsupportedSchemaError(what, version, readable)
  }
  const parsed = v1.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.join('.') || '(root)'
    throw new StorageCorruptError(what, `${where}: ${issue?.message ?? 'invalid'}`)
  }
  return parsed.data as T
}

/**
 * The one entry point for district files read from disk, whatever version wrote them: a version-2
 * file comes back as the version-1 record it encodes (`schemaVersion: 1`, statistics decoded).
 */
export function upgradeDistrictFile(json: unknown, what = 'district file'): DistrictFile {
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion
  if (version === DISTRICT_FILE_VERSION && typeof json === 'object' && !Array.isArray(json)) {
    const encoded = json as Record<string, unknown>
    if (!Object.hasOwn(encoded, 'statistics'))
      throw new StorageCorruptError(what, 'statistics: missing')
    const record = {
      ...encoded,
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      statistics: decodeTables(encoded.statistics, what),
    }
    return upgrade<DistrictFile>(what, record, districtFileV1, READABLE_DISTRICT_FILE_VERSIONS)
  }
  return upgrade<DistrictFile>(what, json, districtFileV1, READABLE_DISTRICT_FILE_VERSIONS)
}

/**
 * The text written for a district file (version 2): one line, statistics in the table encoding,
 * `schemaVersion` first (the skip check reads it from the first bytes, docs/performance.md#skipped-cells).
 */
export function serializeDistrictFile(file: DistrictFile): string {
  const { schemaVersion: _logical, statistics, ...rest } = file
  return serializeCompactJson({
    schemaVersion: DISTRICT_FILE_VERSION,
    ...rest,
    statistics: encodeTables(statistics),
  })
}

export function upgradeMetadata(json: unknown, what = 'metadata'): SnapshotMetadata {
  return upgrade<SnapshotMetadata>(what, json, metadataV1)
}

export function upgradeManifest(json: unknown, what = 'manifest'): SnapshotManifest {
  const manifest = upgrade<SnapshotManifest>(what, json, manifestV1)
  for (const [key, entry] of Object.entries(manifest.districts)) {
    if (key !== entry.districtId) {
      throw new StorageCorruptError(what, `entry ${key} names district ${entry.districtId}`)
    }
  }
  return manifest
}

/**
 * All-districts files are at version 2 too (`DISTRICT_FILE_VERSION`): the version-1 record with
 * its `rows` in the table encoding; a reader gets the version-1 record back, as for district files.
 */
export function upgradeAllDistricts(json: unknown, what = 'all-districts file'): AllDistrictsFile {
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion
  if (version === DISTRICT_FILE_VERSION && typeof json === 'object' && !Array.isArray(json)) {
    const encoded = json as Record<string, unknown>
    if (!Object.hasOwn(encoded, 'rows')) throw new StorageCorruptError(what, 'rows: missing')
    const record = {
      ...encoded,
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      rows: decodeTables(encoded.rows, what, 'rows'),
    }
    return upgrade<AllDistrictsFile>(what, record, allDistrictsV1, READABLE_DISTRICT_FILE_VERSIONS)
  }
  return upgrade<AllDistrictsFile>(what, json, allDistrictsV1, READABLE_DISTRICT_FILE_VERSIONS)
}

/** The text written for an all-districts file (version 2): one line, rows as one table. */
export function serializeAllDistrictsFile(file: AllDistrictsFile): string {
  const { schemaVersion: _logical, rows, ...rest } = file
  return serializeCompactJson({
    schemaVersion: DISTRICT_FILE_VERSION,
    ...rest,
    rows: encodeTables(rows),
  })
}

export function upgradeCurrent(json: unknown, what = 'current.json'): CurrentPointer {
  return upgrade<CurrentPointer>(what, json, currentV1)
}

/** Parses bytes as JSON, naming the file on failure. */
export function parseJsonBytes(bytes: Buffer | string, what: string): unknown {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8')) as unknown
  } catch (e) {
    throw new StorageCorruptError(what, 'not valid JSON', { cause: e })
  }
}

/** The exact text written for every JSON file: stable, diff-friendly, newline-terminated. */
export function serializeJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/**
 * The text written for district and all-districts files: one line, no indentation. They are the
 * bulk of the archive (pretty-printed they were about 4× the raw CSV); files already stored
 * pretty-printed keep reading and verifying, since checksums are over the stored bytes.
 */
export function serializeCompactJson(value: unknown): string {
  return `${JSON.stringify(value)}\n`
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}

export function byteSize(data: string): number {
  return Buffer.byteLength(data, 'utf8')
}

export { SNAPSHOT_SCHEMA_VERSION }
