/** PostgreSQL mode's building blocks: pool, schema migrations. Import from here. */
export { createPgPool, redactDatabaseUrl } from './pool.ts'
export type { PgPool, PgPoolOptions } from './pool.ts'
export { migrate, MIGRATION_LOCK_KEY, PgSchemaTooNewError } from './migrate.ts'
export type { MigrateOptions, MigrateResult } from './migrate.ts'
export { MIGRATIONS } from './migrations.ts'
export type { Migration } from './migrations.ts'
export { createSliceQueue } from './slice-queue.ts'
export type { ClaimedSlice, Slice, SliceDb, SliceQueue, SliceQueueOptions } from './slice-queue.ts'
