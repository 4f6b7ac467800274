/** Copying a file DATA_DIR into PostgreSQL and back (`tm-backfill migrate` / `export`). */
export { migrateDataDir, UnfinishedJobsError } from './migrate-data-dir.ts'
export type { MigrateDataDirOptions } from './migrate-data-dir.ts'
export { exportDataDir } from './export-data-dir.ts'
export type { ExportDataDirOptions } from './export-data-dir.ts'
export type {
  Counts,
  TransferProblem,
  TransferProgress,
  TransferReport,
} from './transfer-report.ts'
