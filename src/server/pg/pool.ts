/**
 * The PostgreSQL connection pool (driver: `pg`). One pool per process, made in the composition
 * root from `DATABASE_URL`, closed with `end()`.
 */
import pg from 'pg'

export interface PgPoolOptions {
  /** A `postgres://` or `postgresql://` URL (validated by loadConfig as DATABASE_URL). */
  databaseUrl: string
  /** Shown in `pg_stat_activity`. @default 'tm-backfill' */
  applicationName?: string
  /** @default 10 */
  max?: number
  /** An idle connection that breaks (server restart, network) is reported here. */
  onError?: (error: Error) => void
}

export type PgPool = pg.Pool

export function createPgPool(options: PgPoolOptions): PgPool {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    application_name: options.applicationName ?? 'tm-backfill',
    max: options.max ?? 10,
    connectionTimeoutMillis: 10_000,
  })
  // Without a listener, an idle client's error (the server went away) crashes the process.
  pool.on('error', (error) => options.onError?.(error))
  // A checked-out client (a transaction, a held advisory lock, a LISTEN) is not watched by the
  // pool: when the server goes away it emits 'error', which would crash the process. Its queries
  // reject with the same error, and whoever holds it sees that; the listener only keeps it quiet.
  pool.on('connect', (client) => client.on('error', () => undefined))
  return pool
}

/** The URL without its password, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(unparseable URL)'
  }
}
