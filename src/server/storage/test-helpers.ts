/** Small on-disk shapes and temp dirs for the storage tests. Not exported from index.ts. */
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { programYearOf, yearMonthOf } from '../../shared/iso-date.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import { SNAPSHOT_SCHEMA_VERSION } from '../../shared/snapshot-types.ts'
import type {
  AllDistrictsFile,
  DetailLevel,
  DistrictFile,
  SourceProvenance,
} from '../../shared/snapshot-types.ts'
import type { SnapshotWriteMeta } from './ports.ts'

export const FIXED_NOW = new Date('2026-03-01T12:00:00.000Z')

export function source(overrides: Partial<SourceProvenance> = {}): SourceProvenance {
  return {
    report: 'districtsummary',
    districtId: null,
    url: 'https://dashboards.example/export.aspx?type=CSV&report=districtsummary',
    fetchedAt: '2026-03-01T09:00:00.000Z',
    httpStatus: 200,
    sizeBytes: 1234,
    sha256: 'a'.repeat(64),
    footer: { month: 'Feb', dataMonth: '2026-02', asOf: '2026-02-20' },
    rowCount: 130,
    fromCache: false,
    ...overrides,
  }
}

/** Statistics holding what `detail` promises (see detail-check.ts), plus `extra` fields. */
export function statisticsFor(detail: DetailLevel, extra: Record<string, unknown> = {}) {
  const full = detail === 'full'
  return {
    summary: { paid: 42 },
    clubs: full ? [] : null,
    divisions: full ? [] : null,
    totals: full ? { clubCount: 0 } : null,
    ...extra,
  }
}

/** The sources a file of `detail` is built from (one districtsummary, plus three reports when full). */
export function sourcesFor(
  detail: DetailLevel,
  districtId: string,
  overrides: Partial<SourceProvenance> = {},
): SourceProvenance[] {
  const summary = source(overrides)
  if (detail === 'summary') return [summary]
  const perDistrict = ['clubperformance', 'divisionperformance', 'districtperformance'] as const
  return [summary, ...perDistrict.map((report) => source({ report, districtId, ...overrides }))]
}

export function districtFile(
  districtId: string,
  asOf: IsoDate,
  overrides: Partial<DistrictFile> & { statistics?: unknown } = {},
): DistrictFile {
  const detail: DetailLevel = overrides.detail ?? 'summary'
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    districtId,
    asOf,
    detail,
    dataMonth: yearMonthOf(asOf),
    programYear: programYearOf(asOf),
    closingPeriod: false,
    provenance: {
      sources: sourcesFor(detail, districtId),
      jobId: 'job-1',
      toolVersion: 'test',
      writtenAt: FIXED_NOW.toISOString(),
    },
    warnings: [],
    statistics: statisticsFor(detail, { note: `d${districtId}@${asOf}` }),
    ...overrides,
  }
}

export function metaFor(
  asOf: IsoDate,
  overrides: Partial<SnapshotWriteMeta> = {},
): SnapshotWriteMeta {
  return {
    dataMonth: yearMonthOf(asOf),
    programYear: programYearOf(asOf),
    closingPeriod: false,
    requestedDate: asOf,
    jobId: 'job-1',
    ...overrides,
  }
}

export function allDistrictsFile(
  asOf: IsoDate,
  overrides: Partial<AllDistrictsFile> = {},
): AllDistrictsFile {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    asOf,
    dataMonth: yearMonthOf(asOf),
    programYear: programYearOf(asOf),
    header: ['REGION', 'DISTRICT', 'Paid Clubs'],
    rows: [
      { REGION: '01', DISTRICT: '61', 'Paid Clubs': '80' },
      { REGION: '14', DISTRICT: 'F', 'Paid Clubs': '95' },
    ],
    source: source({ footer: { month: 'Feb', dataMonth: yearMonthOf(asOf), asOf } }),
    ...overrides,
  }
}

/** A fresh directory under the OS temp dir; `dataDir` is a child so tests can watch the parent. */
export async function makeTempRoot(): Promise<{
  root: string
  dataDir: string
  cleanup: () => Promise<void>
}> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'tmb-storage-'))
  const dataDir = path.join(root, 'data')
  await fsp.mkdir(dataDir)
  return { root, dataDir, cleanup: () => fsp.rm(root, { recursive: true, force: true }) }
}

/** Every file under `dir` (relative paths), sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)) + (e.isDirectory() ? '/' : ''))
    .sort()
}
