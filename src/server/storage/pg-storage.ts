/**
 * What the PostgreSQL stores share: queries whose failures become StorageIoError (with the
 * driver's code: ECONNREFUSED, or a SQLSTATE such as 57P01), and keyed write transactions.
 *
 * A keyed write is one transaction holding `pg_advisory_xact_lock` on its key, so writers of
 * the same key in any number of processes take turns, and a write is all-or-nothing. Inside
 * it, every query of the same async call chain runs on the transaction's connection (found
 * through AsyncLocalStorage), so code written against a plain backend needs no client passed.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type pg from 'pg'
import { StorageIoError } from './errors.ts'
import { createKeyedMutex } from './keyed-mutex.ts'

export interface PgTransactions {
  /** The transaction's connection inside `write`, the pool outside. */
  db(): pg.Pool | pg.PoolClient
  inWrite(): boolean
  /** Runs fn in one transaction, after every other writer of `key` (any process) finished. */
  write<T>(key: string, fn: () => Promise<T>): Promise<T>
}

export async function pgQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: pg.Pool | pg.PoolClient,
  where: string,
  sql: string,
  params: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  try {
    return await db.query<R>(sql, params)
  } catch (e) {
    throw new StorageIoError('query', `postgres:${where}`, e)
  }
}

export function createPgTransactions(pool: pg.Pool, namespace: string): PgTransactions {
  const current = new AsyncLocalStorage<pg.PoolClient>()
  // One connection per key per process: the others wait here, not holding a connection.
  const local = createKeyedMutex()
  return {
    db: () => current.getStore() ?? pool,
    inWrite: () => current.getStore() !== undefined,
    write<T>(key: string, fn: () => Promise<T>): Promise<T> {
      return local.run(key, async () => {
        const client = await pool.connect().catch((e: unknown) => {
          throw new StorageIoError('connect', `postgres:${namespace}`, e)
        })
        let broken = false
        try {
          await pgQuery(client, namespace, 'BEGIN')
          await pgQuery(
            client,
            namespace,
            'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
            [`tm-backfill:${namespace}:${key}`],
          )
          const result = await current.run(client, fn)
          await pgQuery(client, namespace, 'COMMIT')
          return result
        } catch (e) {
          await client.query('ROLLBACK').catch(() => (broken = true))
          throw e
        } finally {
          client.release(broken)
        }
      })
    },
  }
}
