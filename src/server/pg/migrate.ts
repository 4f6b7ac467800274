/**
 * Applies the schema migrations at start-up. Safe from several processes at once: the apply
 * step runs under a session advisory lock, so one process applies and the others then find
 * nothing left to do. A database with a schema newer than this build is refused.
 */
import type pg from 'pg'
import { MIGRATIONS } from './migrations.ts'
import type { Migration } from './migrations.ts'

/** Arbitrary, fixed: the key every tm-backfill process locks while migrating. */
export const MIGRATION_LOCK_KEY = 7_114_201_101

export class PgSchemaTooNewError extends Error {
  override name = 'PgSchemaTooNewError'
  readonly code = 'PG_SCHEMA_TOO_NEW'
  readonly databaseVersion: number
  readonly knownVersion: number
  constructor(databaseVersion: number, knownVersion: number) {
    super(
      `The database has schema version ${databaseVersion}, newer than this build knows ` +
        `(${knownVersion}): run a tm-backfill at least as new as the one that migrated it`,
    )
    this.databaseVersion = databaseVersion
    this.knownVersion = knownVersion
  }
}

export interface MigrateResult {
  /** Versions this call applied (empty when the schema was already current). */
  applied: number[]
  version: number
}

export interface MigrateOptions {
  /** @default MIGRATIONS */
  migrations?: readonly Migration[]
}

export async function migrate(pool: pg.Pool, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version)
  const known = migrations.at(-1)?.version ?? 0
  const client = await pool.connect()
  let healthy = true
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`)
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      )
      const done = new Set(rows.map((r) => r.version))
      const newest = rows.at(-1)?.version ?? 0
      if (newest > known) throw new PgSchemaTooNewError(newest, known)
      const applied: number[] = []
      for (const m of migrations.filter((x) => !done.has(x.version))) {
        await applyOne(client, m)
        applied.push(m.version)
      }
      return { applied, version: Math.max(newest, known) }
    } finally {
      // A broken connection has lost its lock with its session; throw the first error, not this.
      await client
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
        .catch(() => (healthy = false))
    }
  } finally {
    client.release(!healthy)
  }
}

async function applyOne(client: pg.PoolClient, m: Migration): Promise<void> {
  await client.query('BEGIN')
  try {
    await client.query(m.sql)
    await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
      m.version,
      m.name,
    ])
    await client.query('COMMIT')
  } catch (e) {
    await client.query('ROLLBACK')
    throw new Error(`migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, {
      cause: e,
    })
  }
}
