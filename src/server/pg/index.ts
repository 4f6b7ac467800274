/**
 * PostgreSQL mode's building blocks: pool, schema migrations, the job queue and its history,
 * the slice queue and worker, runs scheduled once across processes. Import from here.
 */
export { createPgPool, redactDatabaseUrl } from './pool.ts'
export type { PgPool, PgPoolOptions } from './pool.ts'
export { migrate, MIGRATION_LOCK_KEY, PgSchemaTooNewError } from './migrate.ts'
export type { MigrateOptions, MigrateResult } from './migrate.ts'
export { MIGRATIONS } from './migrations.ts'
export type { Migration } from './migrations.ts'
export {
  cancelSlicesVia,
  connectedWorkers,
  createSliceQueue,
  exhaustedQueueOf,
  SLICE_QUEUE_APPLICATION_NAME,
} from './slice-queue.ts'
export type {
  ClaimedSlice,
  ExhaustedSlice,
  Slice,
  SliceDb,
  SliceQueue,
  SliceQueueOptions,
} from './slice-queue.ts'
export { createPgJobQueue, CANCEL_CHANNEL, EVENT_CHANNEL } from './pg-job-queue.ts'
export type { PgJobQueue, PgJobQueueOptions } from './pg-job-queue.ts'
export { createPgJobHistory } from './pg-job-history.ts'
export type { JobHistoryStore } from './pg-job-history.ts'
export { enqueueDateSlices, sliceKey, startSliceWorker } from './slice-worker.ts'
export type { BackfillSliceQueue, SliceData, SliceWorker } from './slice-worker.ts'
export { claimScheduledRun } from './scheduled-run.ts'
