import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import { createPgPool, migrate } from '../pg/index.ts'
import { MIGRATIONS } from '../pg/migrations.ts'
import type { PgPool } from '../pg/index.ts'
import { createPgRawCsvCache } from './pg-raw-csv-cache.ts'
import { RAW_BODY, RAW_META, runRawCsvCacheContract } from './raw-csv-cache.contract.ts'
import { buildRawMeta, resolveRawKey } from './raw-csv-cache.ts'
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

describe('postgres raw CSV cache: upgrade to the data-month key (migration 7)', () => {
  it('keeps the bodies of a database migrated before it, each under its footer month', async () => {
    const old = await createTestDatabase('rawold')
    const oldPool = createPgPool({ databaseUrl: old.url })
    try {
      await migrate(oldPool, { migrations: MIGRATIONS.filter((m) => m.version < 7) })
      // A row as the earlier cache wrote it: the key had no month.
      const meta = buildRawMeta(
        resolveRawKey('2026-02-20', 'districtsummary', null),
        RAW_BODY,
        RAW_META,
      )
      await oldPool.query(
        `INSERT INTO raw_csv_bodies (as_of, report, district_id, body, meta, size_bytes)
         VALUES ($1, 'districtsummary', '', $2, $3, $4)`,
        ['2026-02-20', Buffer.from(RAW_BODY, 'utf8'), JSON.stringify(meta), meta.sizeBytes],
      )
      expect((await migrate(oldPool)).applied).toEqual(
        MIGRATIONS.filter((m) => m.version >= 7).map((m) => m.version),
      )
      const cache = createPgRawCsvCache({ pool: oldPool })
      expect(await cache.get('2026-02-20', 'districtsummary', null, '2026-02')).toEqual({
        body: RAW_BODY,
        meta,
      })
      // The other month of the same as-of is now stored beside it, not over it.
      const other = {
        ...RAW_META,
        footer: { month: 'Jan', dataMonth: '2026-01', asOf: '2026-02-20' },
      }
      await cache.put({
        asOf: '2026-02-20',
        report: 'districtsummary',
        districtId: null,
        body: 'january',
        meta: other,
      })
      expect((await cache.get('2026-02-20', 'districtsummary', null, '2026-02'))?.body).toBe(
        RAW_BODY,
      )
      expect((await cache.get('2026-02-20', 'districtsummary', null, '2026-01'))?.body).toBe(
        'january',
      )
      expect(await cache.stats()).toMatchObject({ entryCount: 2 })
    } finally {
      await oldPool.end()
      await old.drop()
    }
  })
})
