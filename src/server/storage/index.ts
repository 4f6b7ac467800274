/** The storage layer's public surface (docs/architecture.md#storage). Import from here, never past it. */
export type {
  CoverageCell,
  CoverageDate,
  CoverageQuery,
  CoverageReport,
  CoverageStatus,
  DistrictConfigStore,
  DistrictFailure,
  RawCsvCache,
  RawCsvCacheStats,
  RawCsvKey,
  RawCsvMeta,
  RawCsvMetaInput,
  SetCurrentOptions,
  SetCurrentResult,
  SnapshotReader,
  SnapshotStore,
  SnapshotSummary,
  SnapshotWriteMeta,
  SnapshotWriter,
  WriteDistrictOptions,
} from './ports.ts'
export { createFileSnapshotStore } from './file-snapshot-store.ts'
export type { FileSnapshotStoreOptions } from './file-snapshot-store.ts'
export { createMemorySnapshotStore } from './memory-snapshot-store.ts'
export type { MemorySnapshotStoreOptions } from './memory-snapshot-store.ts'
export { createRawCsvCache, createMemoryRawCsvCache, rawDataMonth } from './raw-csv-cache.ts'
export type { RawCsvCacheOptions, RawCsvProblem } from './raw-csv-cache.ts'
export { createDistrictConfigStore, normalizeDistrictIds } from './district-config.ts'
export type { DistrictConfigStoreOptions } from './district-config.ts'
export { createPgSnapshotStore } from './pg-snapshot-store.ts'
export type { PgSnapshotStoreOptions } from './pg-snapshot-store.ts'
export { createPgRawCsvCache } from './pg-raw-csv-cache.ts'
export type { PgRawCsvCacheOptions } from './pg-raw-csv-cache.ts'
export { createPgDistrictConfigStore } from './pg-district-config.ts'
export type { PgDistrictConfigStoreOptions } from './pg-district-config.ts'
export { INTERRUPTED_WRITE_CODES, verify } from './verify.ts'
export type { VerifyOptions, VerifyProblem, VerifyProblemCode, VerifyReport } from './verify.ts'
export { upgradeDistrictFile, READABLE_SCHEMA_VERSIONS } from './schema.ts'
export { detailSatisfies } from './snapshot-model.ts'
export { detailMismatch, downgradeReason, sourceReports } from './detail-check.ts'
export { MAX_COVERAGE_DAYS } from './coverage.ts'
export { resolveInside } from './paths.ts'
export { nodeStorageFs } from './storage-fs.ts'
export { assertWritableDataDir, prepareDataDir } from './data-dir.ts'
export { createStorageHealth } from './storage-health.ts'
export type { StorageErrorRecord, StorageHealth, StorageHealthReport } from './storage-health.ts'
export type { StorageFs } from './storage-fs.ts'
export {
  StorageCorruptError,
  StorageIoError,
  StorageNotFoundError,
  StorageUnavailableError,
  StorageUnsupportedSchemaError,
  StorageValidationError,
  errnoOf,
  isStorageError,
} from './errors.ts'
export type { StorageError, StorageErrorCode } from './errors.ts'
export {
  acquireDataDirLock,
  currentHolder,
  DataDirLockedError,
  describeHolder,
  readDataDirId,
  LOCK_STALE_MS,
} from './data-dir-lock.ts'
export type { DataDirLock, LockHolder } from './data-dir-lock.ts'
