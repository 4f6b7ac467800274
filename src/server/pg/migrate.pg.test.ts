import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { compiledChild } from '../../../test/helpers/compiled-child.ts'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import { MIGRATIONS, PgSchemaTooNewError, createPgPool, migrate } from './index.ts'
import type { Migration, PgPool } from './index.ts'

const CHILD = fileURLToPath(new URL('../../../test/helpers/pg-migrate-child.ts', import.meta.url))

// v2 sleeps so that concurrent callers overlap inside the apply step.
const PROBE: Migration[] = [
  { version: 1, name: 'probe table', sql: 'CREATE TABLE probe (version integer NOT NULL)' },
  {
    version: 2,
    name: 'slow insert',
    sql: 'SELECT pg_sleep(0.3); INSERT INTO probe VALUES (2)',
  },
  { version: 3, name: 'insert', sql: 'INSERT INTO probe VALUES (3)' },
]

describe('migrate', () => {
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })
  async function freshDb(): Promise<TestDatabase> {
    const db = await createTestDatabase('mig')
    cleanups.push(() => db.drop())
    return db
  }
  function pool(db: TestDatabase): PgPool {
    const p = createPgPool({ databaseUrl: db.url, max: 2 })
    cleanups.push(() => p.end())
    return p
  }

  it('applies every migration exactly once when five pools migrate at the same time', async () => {
    const db = await freshDb()
    const pools = Array.from({ length: 5 }, () => pool(db))
    const results = await Promise.all(pools.map((p) => migrate(p, { migrations: PROBE })))
    expect(results.map((r) => r.applied).sort((a, b) => b.length - a.length)).toEqual([
      [1, 2, 3],
      [],
      [],
      [],
      [],
    ])
    expect(results.every((r) => r.version === 3)).toBe(true)
    const probe = await pools[0]!.query('SELECT version FROM probe ORDER BY version')
    expect(probe.rows).toEqual([{ version: 2 }, { version: 3 }])
    const recorded = await pools[0]!.query('SELECT version, name FROM schema_migrations ORDER BY 1')
    expect(recorded.rows).toEqual(PROBE.map(({ version, name }) => ({ version, name })))
  })

  it('applies the real schema once when separate processes migrate at the same instant', async () => {
    const db = await freshDb()
    const script = await compiledChild(CHILD)
    const children = Array.from({ length: 3 }, () => startChild(db.url, script))
    await Promise.all(children.map((c) => c.ready))
    for (const c of children) c.go()
    const results = await Promise.all(children.map((c) => c.result))
    const latest = MIGRATIONS.at(-1)!.version
    expect(results.filter((r) => r.applied.length > 0)).toEqual([
      { applied: MIGRATIONS.map((m) => m.version), version: latest },
    ])
    expect(results.filter((r) => r.applied.length === 0)).toHaveLength(2)
    const { rows } = await pool(db).query('SELECT count(*)::int AS n FROM schema_migrations')
    expect(rows[0].n).toBe(MIGRATIONS.length)
  })

  it('applies only the migrations a database does not have yet', async () => {
    const p = pool(await freshDb())
    expect(await migrate(p, { migrations: PROBE.slice(0, 2) })).toEqual({
      applied: [1, 2],
      version: 2,
    })
    expect(await migrate(p, { migrations: PROBE })).toEqual({ applied: [3], version: 3 })
    expect(await migrate(p, { migrations: PROBE })).toEqual({ applied: [], version: 3 })
  })

  it('refuses a database whose schema is newer than the code knows, changing nothing', async () => {
    const p = pool(await freshDb())
    await migrate(p, { migrations: PROBE })
    const error = await migrate(p, { migrations: PROBE.slice(0, 1) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PgSchemaTooNewError)
    expect(error).toMatchObject({ code: 'PG_SCHEMA_TOO_NEW', databaseVersion: 3, knownVersion: 1 })
    expect((error as Error).message).toMatch(/schema version 3, newer than this build knows \(1\)/)
    // The lock was released: a current build still migrates.
    expect(await migrate(p, { migrations: PROBE })).toEqual({ applied: [], version: 3 })
  })

  it('rolls back a failing migration and names it, keeping the ones before', async () => {
    const p = pool(await freshDb())
    const broken = [
      ...PROBE.slice(0, 1),
      { version: 2, name: 'typo', sql: 'INSERT INTO nope VALUES (1)' },
    ]
    await expect(migrate(p, { migrations: broken })).rejects.toThrow(
      /migration 2 \(typo\) failed: .*nope/,
    )
    const { rows } = await p.query('SELECT version FROM schema_migrations')
    expect(rows).toEqual([{ version: 1 }])
  })
})

function startChild(databaseUrl: string, script: string) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.startsWith('ready\n')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`child exited ${code} before ready: ${err}`)))
  })
  const result = new Promise<{ applied: number[]; version: number }>((resolve, reject) => {
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err}`))
      resolve(JSON.parse(out.slice('ready\n'.length)) as { applied: number[]; version: number })
    })
  })
  return { ready, result, go: () => child.stdin.end('go\n') }
}
