/**
 * An as-of holding two data months (docs/architecture.md#one-as-of-two-data-months) survives
 * `migrate --from-data-dir` into PostgreSQL and `export --to-data-dir` back: both months, one
 * date in the reports, verify clean, the same directories on the way back.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createPgPool, migrate } from '../../src/server/pg/index.ts'
import {
  createFileSnapshotStore,
  createPgRawCsvCache,
  createPgSnapshotStore,
  createRawCsvCache,
  verify,
} from '../../src/server/storage/index.ts'
import { districtFile, statisticsFor } from '../../src/server/storage/test-helpers.ts'
import { exportDataDir, migrateDataDir } from '../../src/server/transfer/index.ts'
import { createMemoryJobHistory } from '../helpers/memory-job-history.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/pg-database.ts'

const AS_OF = '2026-07-26'
const JUNE = { dataMonth: '2026-06', programYear: '2025-2026', closingPeriod: true }
const JULY = { dataMonth: '2026-07', programYear: '2026-2027', closingPeriod: false }

const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `tmb-rollover-${name}-`))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function database(): Promise<pg.Pool> {
  const db: TestDatabase = await createTestDatabase('roll')
  const pool = createPgPool({ databaseUrl: db.url, max: 3 })
  cleanups.push(() => db.drop())
  cleanups.push(() => pool.end())
  await migrate(pool)
  return pool
}

describe('transfer of an as-of with two data months', () => {
  it(
    'copies both months into PostgreSQL and back, byte-identical',
    { timeout: 60_000 },
    async () => {
      const source = await tempDir('source')
      const fileStore = createFileSnapshotStore({ dataDir: source, toolVersion: 't' })
      await fileStore.writeDistrict(districtFile('61', '2026-07-25', JUNE))
      await fileStore.writeDistrict(
        districtFile('61', AS_OF, {
          ...JUNE,
          statistics: statisticsFor('summary', { month: 'june' }),
        }),
      )
      await fileStore.writeDistrict(
        districtFile('61', AS_OF, {
          ...JULY,
          statistics: statisticsFor('summary', { month: 'july' }),
        }),
      )
      await fileStore.setCurrent(AS_OF)
      // Both months' bodies of the as-of, as an intraday rollover leaves them.
      const fileRaw = createRawCsvCache({ dataDir: source })
      const rawOf = (dataMonth: string, month: string) => ({
        asOf: AS_OF,
        report: 'clubperformance' as const,
        districtId: '61',
        body: `"Club"\r\n"${dataMonth}"\r\nMonth of ${month}, As of 07/26/2026`,
        meta: {
          url: 'https://dashboards.example/export.aspx',
          fetchedAt: '2026-07-26T09:00:00.000Z',
          status: 200,
          footer: { month, dataMonth, asOf: AS_OF },
          requestedAsOf: AS_OF,
        },
      })
      const juneRaw = await fileRaw.put(rawOf('2026-06', 'Jun'))
      const julyRaw = await fileRaw.put(rawOf('2026-07', 'Jul'))
      expect(await readdir(path.join(source, 'raw-csv'))).toEqual([AS_OF, `${AS_OF}_2026-07`])
      expect(await readdir(path.join(source, 'snapshots'))).toEqual([
        '2026-07-25',
        AS_OF,
        `${AS_OF}_2026-07`,
      ])

      const pool = await database()
      const history = createMemoryJobHistory()
      const migrated = await migrateDataDir({ sourceDir: source, pool, jobHistory: history })
      expect(migrated.problems).toEqual([])
      expect(migrated.dates).toMatchObject({ total: 2, copied: 2, failed: 0 })
      expect(migrated.current).toBe('moved')
      const pgStore = createPgSnapshotStore({ pool, toolVersion: 't' })
      expect(await pgStore.listSnapshots()).toEqual(await fileStore.listSnapshots())
      expect(await pgStore.getCurrent()).toEqual(await fileStore.getCurrent())
      for (const month of ['2026-06', '2026-07'])
        expect(await pgStore.readDistrict(AS_OF, '61', month)).toEqual(
          await fileStore.readDistrict(AS_OF, '61', month),
        )
      expect((await pgStore.readDistrict(AS_OF, '61'))?.dataMonth).toBe('2026-07')
      expect(migrated.rawBodies).toMatchObject({ copied: 2, failed: 0 })
      const pgRaw = createPgRawCsvCache({ pool })
      expect((await pgRaw.get(AS_OF, 'clubperformance', '61', '2026-06'))?.meta).toEqual(juneRaw)
      expect((await pgRaw.get(AS_OF, 'clubperformance', '61', '2026-07'))?.meta).toEqual(julyRaw)

      const again = await migrateDataDir({ sourceDir: source, pool, jobHistory: history })
      expect(again.dates).toMatchObject({ copied: 0, alreadyThere: 2 })

      const out = await tempDir('out')
      const exported = await exportDataDir({ targetDir: out, pool, jobHistory: history })
      expect(exported.problems).toEqual([])
      expect(exported.dates).toMatchObject({ total: 2, copied: 2 })
      expect(await readdir(path.join(out, 'snapshots'))).toEqual(
        await readdir(path.join(source, 'snapshots')),
      )
      expect(exported.rawBodies).toMatchObject({ copied: 2, failed: 0 })
      expect(await readdir(path.join(out, 'raw-csv'))).toEqual([AS_OF, `${AS_OF}_2026-07`])
      const backRaw = createRawCsvCache({ dataDir: out })
      for (const [month, meta] of [
        ['2026-06', juneRaw],
        ['2026-07', julyRaw],
      ] as const)
        expect(await backRaw.get(AS_OF, 'clubperformance', '61', month)).toEqual(
          await fileRaw.get(AS_OF, 'clubperformance', '61', meta.footer!.dataMonth),
        )
      const back = createFileSnapshotStore({ dataDir: out, toolVersion: 't' })
      expect(await back.listSnapshots()).toEqual(await fileStore.listSnapshots())
      expect(await back.readDistrict(AS_OF, '61', '2026-06')).toEqual(
        await fileStore.readDistrict(AS_OF, '61', '2026-06'),
      )
      const report = await verify({ dataDir: out })
      expect(report.problems).toEqual([])
      expect(report.checked.snapshots).toBe(3)
      expect(report.checked.rawBodies).toBe(2)
    },
  )
})
