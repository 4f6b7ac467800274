/**
 * The coverage and series indexes across processes sharing one database: each store keeps its
 * own in-memory index, and the generation column (migration 5) tells it which dates changed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import { createPgPool, migrate } from '../pg/index.ts'
import type { PgPool } from '../pg/index.ts'
import { createPgSnapshotStore } from './pg-snapshot-store.ts'
import { FIXED_NOW, districtFile, metaFor } from './test-helpers.ts'

let db: TestDatabase
let pools: PgPool[]
beforeAll(async () => {
  db = await createTestDatabase('readidx')
  // Two pools: two processes, as far as the database can tell.
  pools = [createPgPool({ databaseUrl: db.url }), createPgPool({ databaseUrl: db.url })]
  await migrate(pools[0]!)
})
afterAll(async () => {
  for (const p of pools ?? []) await p.end()
  await db?.drop()
})
beforeEach(() =>
  pools[0]!.query('TRUNCATE snapshots, snapshot_files, current_snapshot').then(() => undefined),
)
const open = (i: number) =>
  createPgSnapshotStore({ pool: pools[i]!, toolVersion: 'test', now: () => FIXED_NOW })
const stats = (paid: number) => ({ summary: { clubs: { paid } } })

describe('indexes in PostgreSQL', () => {
  it("a reader's coverage and series follow another process's writes, one date at a time", async () => {
    const writer = open(0)
    const reader = open(1)
    for (const asOf of ['2026-02-20', '2026-02-21']) {
      await writer.writeDistricts(
        asOf,
        [districtFile('61', asOf, { statistics: stats(1) })],
        metaFor(asOf),
      )
    }
    const range = { from: '2026-02-20', to: '2026-02-21' }
    const before = await reader.coverage(range)
    expect(await reader.coverage(range)).toBe(before)
    const series = await reader.seriesIndex(range)
    expect(series.map((r) => r.districts['61']?.point.paidClubs)).toEqual([1, 1])

    const { rows: g0 } = await pools[0]!.query<{ generation: string }>(
      "SELECT generation::text FROM snapshots WHERE as_of = '2026-02-20'",
    )
    await writer.writeDistrict(districtFile('F', '2026-02-21', { statistics: stats(7) }))
    await writer.writeDistrict(districtFile('61', '2026-02-21', { statistics: stats(2) }))
    const { rows: g1 } = await pools[0]!.query<{ generation: string }>(
      "SELECT generation::text FROM snapshots WHERE as_of = '2026-02-20'",
    )
    expect(g1).toEqual(g0)

    const after = await reader.coverage(range)
    expect(after).not.toBe(before)
    expect(after.districtIds).toEqual(['61', 'F'])
    expect(after.dates[1]?.districts['F']).toEqual({ detail: 'summary', status: 'ok' })
    expect(after.dates[0]?.districts['F']).toEqual({ detail: null, status: 'missing' })
    const again = await reader.seriesIndex(range)
    expect(again.map((r) => r.districts['61']?.point.paidClubs)).toEqual([1, 2])
    expect(again[1]?.districts['F']?.point.paidClubs).toBe(7)
    // The record was written in the commit's transaction: the reader derived nothing itself.
    const { rows } = await pools[1]!.query<{ series_index: string }>(
      "SELECT series_index FROM snapshots WHERE as_of = '2026-02-21'",
    )
    expect(Object.keys(JSON.parse(rows[0]!.series_index).districts).sort()).toEqual(['61', 'F'])
  })

  it('a record missing from the row (written before migration 5) is derived and stored', async () => {
    const store = open(0)
    await store.writeDistrict(districtFile('61', '2026-02-20', { statistics: stats(4) }))
    await pools[0]!.query('UPDATE snapshots SET series_index = NULL')
    const [record] = await open(1).seriesIndex({ from: '2026-02-20', to: '2026-02-20' })
    expect(record?.districts['61']?.point.paidClubs).toBe(4)
    const { rows } = await pools[0]!.query<{ series_index: string | null }>(
      'SELECT series_index FROM snapshots',
    )
    expect(rows[0]?.series_index).not.toBeNull()
  })
})
