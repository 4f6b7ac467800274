import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import { createPgPool, migrate } from '../pg/index.ts'
import type { PgPool } from '../pg/index.ts'
import { runDistrictConfigContract } from './district-config.contract.ts'
import { createPgDistrictConfigStore } from './pg-district-config.ts'

let db: TestDatabase
let pool: PgPool
beforeAll(async () => {
  db = await createTestDatabase('cfg')
  pool = createPgPool({ databaseUrl: db.url })
  await migrate(pool)
})
afterAll(async () => {
  await pool?.end()
  await db?.drop()
})

runDistrictConfigContract('postgres', async () => {
  await pool.query('TRUNCATE district_config')
  // Another pool is another process's view of the same database.
  const other = createPgPool({ databaseUrl: db.url, max: 2 })
  return {
    config: createPgDistrictConfigStore({ pool }),
    reopen: () => createPgDistrictConfigStore({ pool: other }),
    concurrentStores: true,
    cleanup: () => other.end(),
  }
})

it('reports a stored list it cannot trust instead of treating it as empty', async () => {
  await pool.query(
    `INSERT INTO district_config VALUES (true, '{61,"D-61"}', now())
     ON CONFLICT (singleton) DO UPDATE SET districts = EXCLUDED.districts`,
  )
  await expect(createPgDistrictConfigStore({ pool }).get()).rejects.toMatchObject({
    code: 'STORAGE_CORRUPT',
  })
})
