import { createHash } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import { createPgPool, migrate } from '../pg/index.ts'
import type { PgPool } from '../pg/index.ts'
import { createPgSnapshotStore } from './pg-snapshot-store.ts'
import { serializeDistrictFile, upgradeDistrictFile } from './schema.ts'
import { runSnapshotStoreContract } from './snapshot-store.contract.ts'
import { FIXED_NOW, districtFile, metaFor } from './test-helpers.ts'

let db: TestDatabase
let pool: PgPool
beforeAll(async () => {
  db = await createTestDatabase('snap')
  pool = createPgPool({ databaseUrl: db.url })
  await migrate(pool)
})
afterAll(async () => {
  await pool?.end()
  await db?.drop()
})
const empty = () =>
  pool.query('TRUNCATE snapshots, snapshot_files, current_snapshot').then(() => undefined)
const open = (p: PgPool = pool) =>
  createPgSnapshotStore({ pool: p, toolVersion: 'test', now: () => FIXED_NOW })

runSnapshotStoreContract('postgres store', async () => {
  await empty()
  return {
    store: open(),
    cleanup: () => Promise.resolve(),
    async tamperDistrict(asOf, id, edit) {
      const where = `as_of = $1 AND other_month = '' AND name = $2`
      const name = `district_${id}.json`
      const { rows } = await pool.query(`SELECT body FROM snapshot_files WHERE ${where}`, [
        asOf,
        name,
      ])
      const body = Buffer.from(edit((rows[0].body as Buffer).toString('utf8')), 'utf8')
      await pool.query(`UPDATE snapshot_files SET body = $3 WHERE ${where}`, [asOf, name, body])
    },
  }
})

describe('postgres snapshot store', () => {
  beforeEach(empty)

  it('stores the district file as the bytes the manifest hashes', async () => {
    const file = districtFile('61', '2026-02-20')
    await open().writeDistrict(file)
    const { rows } = await pool.query(
      "SELECT body, sha256, size_bytes FROM snapshot_files WHERE name = 'district_61.json'",
    )
    const body = rows[0].body as Buffer
    // The text the file store writes too (version 2), so migrate and export copy it as it is.
    expect(body.toString('utf8')).toBe(serializeDistrictFile(file))
    expect(upgradeDistrictFile(JSON.parse(body.toString('utf8')))).toEqual(file)
    const entry = (await open().readManifest('2026-02-20'))?.districts['61']
    expect(entry?.sha256).toBe(createHash('sha256').update(body).digest('hex'))
    expect(rows[0]).toMatchObject({ sha256: entry?.sha256, size_bytes: entry?.sizeBytes })
  })

  it('does not count a district file altered in the database as valid, and refuses to read it', async () => {
    const store = open()
    await store.writeDistrict(districtFile('61', '2026-02-20', { detail: 'full' }))
    await pool.query(
      `UPDATE snapshot_files SET body = convert_to(replace(convert_from(body, 'UTF8'),
         '"paid":42', '"paid":24'), 'UTF8') WHERE name = 'district_61.json'`,
    )
    expect(await store.hasValidDistrict('2026-02-20', '61', 'summary')).toBe(false)
    await expect(store.readDistrict('2026-02-20', '61')).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
    })
  })

  it('refuses metadata that no longer matches its manifest', async () => {
    await open().writeDistrict(districtFile('61', '2026-02-20'))
    await pool.query(
      `UPDATE snapshots SET metadata_text = replace(metadata_text, 'complete', 'partial')`,
    )
    await expect(open().readMetadata('2026-02-20')).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
    })
    expect(await open().listSnapshots()).toEqual([])
  })

  it('writes a date in one transaction: a failure part-way leaves the previous state', async () => {
    const store = open()
    await store.writeDistrict(districtFile('61', '2026-02-20'))
    const before = await store.readManifest('2026-02-20')
    // Fails the second file of the batch, after the snapshot row was already updated.
    await pool.query(`CREATE FUNCTION refuse_f() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'district_F.json' THEN RAISE EXCEPTION 'injected failure'; END IF;
      RETURN NEW; END $$`)
    await pool.query(
      'CREATE TRIGGER refuse_f BEFORE INSERT OR UPDATE ON snapshot_files FOR EACH ROW EXECUTE FUNCTION refuse_f()',
    )
    try {
      const batch = (asOf: string) => [districtFile('9', asOf), districtFile('F', asOf)]
      await expect(
        store.writeDistricts('2026-02-20', batch('2026-02-20'), metaFor('2026-02-20')),
      ).rejects.toMatchObject({ code: 'STORAGE_IO', message: /injected failure/ })
      await expect(
        store.writeDistricts('2026-02-21', batch('2026-02-21'), metaFor('2026-02-21')),
      ).rejects.toMatchObject({ code: 'STORAGE_IO' })
    } finally {
      await pool.query('DROP TRIGGER refuse_f ON snapshot_files; DROP FUNCTION refuse_f()')
    }
    expect(await store.readManifest('2026-02-20')).toEqual(before)
    expect(await store.readMetadata('2026-02-21')).toBeNull()
    const files = await pool.query('SELECT name FROM snapshot_files ORDER BY name')
    expect(files.rows).toEqual([{ name: 'district_61.json' }])
  })

  it('keeps every district when two processes (separate pools) write one date at once', async () => {
    const other = createPgPool({ databaseUrl: db.url })
    try {
      const [a, b] = [open(), open(other)]
      const ids = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']
      await Promise.all(
        ids.map((id, i) => (i % 2 ? a : b).writeDistrict(districtFile(id, '2026-02-21'))),
      )
      expect(await a.listDistricts('2026-02-21')).toEqual(ids)
      expect((await b.readMetadata('2026-02-21'))?.status).toBe('complete')
    } finally {
      await other.end()
    }
  })

  it('reports an unreachable database as STORAGE_IO naming the table', async () => {
    const dead = createPgPool({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none' })
    try {
      const store = open(dead)
      await expect(store.listSnapshots()).rejects.toMatchObject({
        code: 'STORAGE_IO',
        errno: 'ECONNREFUSED',
        message: /postgres:snapshots/,
      })
      await expect(store.writeDistrict(districtFile('61', '2026-02-20'))).rejects.toMatchObject({
        code: 'STORAGE_IO',
      })
    } finally {
      await dead.end()
    }
  })
})
