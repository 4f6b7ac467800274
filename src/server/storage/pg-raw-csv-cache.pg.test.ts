import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import { createPgPool, migrate } from '../pg/index.ts'
import type { PgPool } from '../pg/index.ts'
import { createPgRawCsvCache } from './pg-raw-csv-cache.ts'
import { RAW_BODY, RAW_META, runRawCsvCacheContract } from './raw-csv-cache.contract.ts'
import type { RawCsvProblem } from './raw-csv-cache.ts'

let db: TestDatabase
let pool: PgPool
beforeAll(async () => {
  db = await createTestDatabase('raw')
  pool = createPgPool({ databaseUrl: db.url })
  await migrate(pool)
})
afterAll(async () => {
  await pool?.end()
  await db?.drop()
})
const empty = () => pool.query('TRUNCATE raw_csv_bodies').then(() => undefined)

runRawCsvCacheContract('postgres', async () => {
  await empty()
  return {
    cache: createPgRawCsvCache({ pool }),
    reopen: () => createPgRawCsvCache({ pool }),
    cleanup: () => Promise.resolve(),
  }
})

describe('postgres raw CSV cache', () => {
  beforeEach(empty)

  it('treats a body altered in the database as a miss and reports it', async () => {
    const problems: RawCsvProblem[] = []
    const cache = createPgRawCsvCache({ pool, onCorrupt: (p) => problems.push(p) })
    const body = { asOf: '2026-02-20', report: 'districtsummary' as const, districtId: null }
    await cache.put({ ...body, body: RAW_BODY, meta: RAW_META })
    await pool.query(`UPDATE raw_csv_bodies SET body = convert_to('"District"\n"62"', 'UTF8')`)
    expect(await cache.get('2026-02-20', 'districtsummary', null)).toBeNull()
    expect(problems).toMatchObject([
      {
        code: 'RAW_SHA_MISMATCH',
        path: 'postgres:raw_csv_bodies/2026-02-20/districtsummary (data month 2026-02)',
      },
    ])
    expect(await cache.stats()).toMatchObject({ hits: 0, misses: 1, corrupt: 1 })
  })
})
