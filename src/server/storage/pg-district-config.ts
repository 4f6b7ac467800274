/**
 * The configured districts in PostgreSQL (one row). Changes are read-modify-write transactions
 * under an advisory lock, so concurrent additions from several processes are all kept.
 */
import type pg from 'pg'
import type { DistrictId } from '../../shared/district-id.ts'
import { districtConfigOver, normalizeDistrictIds } from './district-config.ts'
import { StorageCorruptError } from './errors.ts'
import type { DistrictConfigStore } from './ports.ts'
import { createPgTransactions, pgQuery } from './pg-storage.ts'

export interface PgDistrictConfigStoreOptions {
  /** A pool on a database migrated by src/server/pg/migrate.ts. */
  pool: pg.Pool
  /** @default () => new Date() */
  now?: () => Date
}

const WHERE = 'postgres:district_config'

export function createPgDistrictConfigStore(
  options: PgDistrictConfigStoreOptions,
): DistrictConfigStore {
  const now = options.now ?? (() => new Date())
  const tx = createPgTransactions(options.pool, 'district_config')

  async function load(): Promise<DistrictId[]> {
    const { rows } = await pgQuery<{ districts: string[] }>(
      tx.db(),
      'district_config',
      'SELECT districts FROM district_config',
    )
    if (rows[0] === undefined) return []
    try {
      return normalizeDistrictIds(rows[0].districts, 'districts')
    } catch (e) {
      throw new StorageCorruptError(WHERE, (e as Error).message, { cause: e })
    }
  }

  return districtConfigOver({
    load,
    serialize: (write) => tx.write('config', write),
    async persist(next) {
      await pgQuery(
        tx.db(),
        'district_config',
        `INSERT INTO district_config (singleton, districts, updated_at) VALUES (true, $1, $2)
         ON CONFLICT (singleton) DO UPDATE
           SET districts = EXCLUDED.districts, updated_at = EXCLUDED.updated_at`,
        [next, now().toISOString()],
      )
    },
  })
}
