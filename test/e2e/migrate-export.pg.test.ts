/**
 * `migrate` and `export` (README "Moving to PostgreSQL and back"): a DATA_DIR built by real
 * backfills against the simulator goes into a real PostgreSQL database and back out, checked
 * by `verify` and byte by byte; checksum failures, unfinished jobs, a held source and a SIGKILL
 * in the middle of a date's transaction.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildProgram } from '../../src/cli/program.ts'
import { createPgPool, migrate } from '../../src/server/pg/index.ts'
import {
  acquireDataDirLock,
  createFileSnapshotStore,
  createPgRawCsvCache,
  createPgSnapshotStore,
  verify,
} from '../../src/server/storage/index.ts'
import { canonicalJson } from '../../src/server/storage/sealed-snapshots.ts'
import {
  exportDataDir,
  migrateDataDir,
  UnfinishedJobsError,
} from '../../src/server/transfer/index.ts'
import type { TransferReport } from '../../src/server/transfer/index.ts'
import { runJob, startBackfillStack } from '../backfill/backfill-harness.ts'
import { cliArgv, runCli } from '../helpers/cli.ts'
import { configureDistricts, waitFor } from '../helpers/jobs.ts'
import { createMemoryJobHistory } from '../helpers/memory-job-history.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/pg-database.ts'
import { spawn } from 'node:child_process'

/** Not data: each DATA_DIR has its own identity, lock and start-up sweep stamp. */
const NOT_DATA = new Set(['.lock', 'lock-holder.json', 'data-dir-id', 'last-sweep.json'])
/**
 * Compared as JSON, not bytes: PostgreSQL keeps these as jsonb (manifest, current pointer) or
 * as events, which do not keep key order; every byte anything hashes is compared exactly.
 */
const CANONICAL = (rel: string) =>
  rel.endsWith('manifest.json') || rel === 'current.json' || rel.startsWith('jobs/')

let root: string
let source: string
const databases: TestDatabase[] = []
const pools: pg.Pool[] = []

async function files(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const name = rel ? `${rel}/${entry.name}` : entry.name
    if (NOT_DATA.has(entry.name)) continue
    // Derived, not data: the read indexes are rebuilt from the snapshots when missing.
    if (rel === '' && entry.name === 'index') continue
    if (entry.isDirectory()) out.push(...(await files(dir, name)))
    else out.push(name)
  }
  return out.sort()
}

function canonicalText(rel: string, bytes: Buffer): string {
  const text = bytes.toString('utf8')
  if (rel.endsWith('.jsonl'))
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => canonicalJson(JSON.parse(l)))
      .join('\n')
  return canonicalJson(JSON.parse(text))
}

async function expectSameDataDir(
  a: string,
  b: string,
  keep: (rel: string) => boolean = () => true,
): Promise<number> {
  const names = (await files(a)).filter(keep)
  expect(await files(b)).toEqual(names)
  for (const rel of names) {
    const [x, y] = [await readFile(path.join(a, rel)), await readFile(path.join(b, rel))]
    if (CANONICAL(rel)) expect(canonicalText(rel, y), rel).toBe(canonicalText(rel, x))
    else expect(y.equals(x), `${rel} differs`).toBe(true)
  }
  return names.length
}

async function freshDatabase(): Promise<{ db: TestDatabase; pool: pg.Pool }> {
  const db = await createTestDatabase('mig')
  databases.push(db)
  const pool = createPgPool({ databaseUrl: db.url, max: 3 })
  pools.push(pool)
  await migrate(pool)
  return { db, pool }
}

async function copyOf(dir: string, name: string): Promise<string> {
  const to = path.join(root, name)
  await cp(dir, to, { recursive: true })
  return to
}

async function count(pool: pg.Pool, sql: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql)).rows[0]?.n)
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tmb-migrate-'))
  const stack = await startBackfillStack()
  try {
    await configureDistricts(stack, ['61', '21'])
    const full = await runJob(stack, {
      startDate: '2026-11-20',
      endDate: '2026-11-23',
      collectionType: 'per-district',
    })
    const summary = await runJob(stack, {
      startDate: '2026-10-01',
      endDate: '2026-10-03',
      collectionType: 'system-wide',
    })
    expect([full.status, summary.status]).toEqual(['complete', 'complete'])
    await stack.server.close()
    source = await copyOf(stack.dataDir, 'source')
  } finally {
    await stack.close()
  }
}, 120_000)

afterAll(async () => {
  for (const p of pools) await p.end()
  for (const d of databases) await d.drop()
  await rm(root, { recursive: true, force: true })
})

describe('migrate, then export', () => {
  it(
    'gives back the same DATA_DIR: verify clean, every hashed file byte-identical; both reruns copy nothing',
    { timeout: 120_000 },
    async () => {
      const { pool } = await freshDatabase()
      const history = createMemoryJobHistory()
      const progress: number[] = []
      const first = await migrateDataDir({
        sourceDir: source,
        pool,
        jobHistory: history,
        onProgress: (p) => progress.push(p.done),
      })
      const snapshotDates = (await readdir(path.join(source, 'snapshots'))).length
      const rawBodies = (await files(source)).filter((f) => f.endsWith('.csv')).length
      expect(first.problems).toEqual([])
      expect(first).toMatchObject({
        ok: true,
        nothingToDo: false,
        config: 'copied',
        current: 'moved',
      })
      expect(first.dates).toMatchObject({ total: snapshotDates, copied: snapshotDates, failed: 0 })
      expect(first.rawBodies).toMatchObject({ copied: rawBodies, failed: 0 })
      expect(first.jobs).toMatchObject({ available: true, copied: 2 })
      expect(progress).toEqual([...Array(snapshotDates).keys()].map((i) => i + 1))

      // The PostgreSQL store serves what was copied, exactly as the file store does.
      const fileStore = createFileSnapshotStore({ dataDir: source, toolVersion: 't' })
      const pgStore = createPgSnapshotStore({ pool, toolVersion: 't' })
      expect(await pgStore.listSnapshots()).toEqual(await fileStore.listSnapshots())
      expect(await pgStore.getCurrent()).toEqual(await fileStore.getCurrent())
      expect(await pgStore.readDistrict('2026-11-21', '61')).toEqual(
        await fileStore.readDistrict('2026-11-21', '61'),
      )

      const second = await migrateDataDir({ sourceDir: source, pool, jobHistory: history })
      expect(second).toMatchObject({ ok: true, nothingToDo: true, config: 'identical' })
      expect(second.dates).toMatchObject({ copied: 0, alreadyThere: snapshotDates })
      expect(second.rawBodies).toMatchObject({ copied: 0, alreadyThere: rawBodies })
      expect(second.jobs).toMatchObject({ copied: 0, alreadyThere: 2 })
      expect(await count(pool, 'SELECT count(*) AS n FROM raw_csv_bodies')).toBe(rawBodies)

      const out = path.join(root, 'exported')
      const exported = await exportDataDir({ targetDir: out, pool, jobHistory: history })
      expect(exported.problems).toEqual([])
      expect(exported).toMatchObject({ ok: true, config: 'copied', current: 'moved' })
      expect(exported.dates.copied).toBe(snapshotDates)
      const report = await verify({ dataDir: out })
      expect(report.problems).toEqual([])
      expect(report.ok).toBe(true)
      expect(await expectSameDataDir(source, out)).toBeGreaterThan(snapshotDates * 3)

      const again = await exportDataDir({ targetDir: out, pool, jobHistory: history })
      expect(again).toMatchObject({ ok: true, nothingToDo: true, config: 'identical' })
      expect(again.dates).toMatchObject({ copied: 0, alreadyThere: snapshotDates })
      expect(again.rawBodies.copied).toBe(0)
      expect(again.jobs).toMatchObject({ copied: 0, alreadyThere: 2 })
    },
  )

  it(
    'migrate reports a date PostgreSQL holds otherwise and leaves it; export replaces it; a row failing its checksum is not exported',
    { timeout: 60_000 },
    async () => {
      const { pool } = await freshDatabase()
      expect((await migrateDataDir({ sourceDir: source, pool, jobHistory: null })).ok).toBe(true)
      const out = path.join(root, 'changed')
      expect((await exportDataDir({ targetDir: out, pool, jobHistory: null })).ok).toBe(true)
      const pgStore = createPgSnapshotStore({ pool, toolVersion: 't' })
      const failure = { districtId: '61', code: 'UPSTREAM_HTTP', message: 'changed in PostgreSQL' }
      await pgStore.recordFailures('2026-10-02', [failure])
      const rawCache = createPgRawCsvCache({ pool })
      const summary = (await rawCache.list('2026-10-03'))[0]!
      await rawCache.put({ ...summary, body: 'restated\r\n', meta: summary })

      const again = await migrateDataDir({ sourceDir: source, pool, jobHistory: null })
      expect(again.ok).toBe(false)
      expect(again.dates).toMatchObject({ copied: 0, differing: 1, differingDates: ['2026-10-02'] })
      expect(again.rawBodies).toMatchObject({ copied: 0, differing: 1 })
      expect(again.problems.map((p) => p.path)).toEqual([
        'postgres:snapshots/2026-10-02',
        `postgres:raw_csv_bodies/2026-10-03/${summary.report} (data month ${summary.footer?.dataMonth})`,
      ])
      expect((await pgStore.readMetadata('2026-10-02'))?.failedDistricts).toMatchObject([failure])

      const replaced = await exportDataDir({ targetDir: out, pool, jobHistory: null })
      expect(replaced).toMatchObject({ ok: true })
      expect(replaced.dates).toMatchObject({
        copied: 1,
        differing: 1,
        differingDates: ['2026-10-02'],
      })
      expect((await verify({ dataDir: out })).problems).toEqual([])
      const exported = createFileSnapshotStore({ dataDir: out, toolVersion: 't' })
      expect((await exported.readMetadata('2026-10-02'))?.failedDistricts).toMatchObject([failure])

      await pool.query(
        `UPDATE snapshot_files SET body = body || '\\x20'::bytea
         WHERE as_of = '2026-11-21' AND name = 'district_61.json'`,
      )
      const fresh = path.join(root, 'from-corrupt-row')
      const partial = await exportDataDir({ targetDir: fresh, pool, jobHistory: null })
      expect(partial.ok).toBe(false)
      expect(partial.dates.failedDates).toEqual(['2026-11-21'])
      expect(partial.problems).toMatchObject([
        { path: 'postgres:snapshots/2026-11-21/district_61.json' },
      ])
      expect(await readdir(path.join(fresh, 'snapshots'))).not.toContain('2026-11-21')
      expect((await verify({ dataDir: fresh })).problems).toEqual([])
    },
  )

  it('refuses a source with an unfinished job, naming it, and copies nothing', async () => {
    const dir = await copyOf(source, 'unfinished')
    const [log] = (await readdir(path.join(dir, 'jobs'))).sort()
    const queued = (await readFile(path.join(dir, 'jobs', log!), 'utf8')).split('\n')[0]!
    const id = 'bf_unfinished_1'
    const event = JSON.parse(queued) as { job: { backfillId: string } }
    event.job.backfillId = id
    await writeFile(path.join(dir, 'jobs', `${id}.jsonl`), `${JSON.stringify(event)}\n`)
    const { pool } = await freshDatabase()
    const run = migrateDataDir({ sourceDir: dir, pool, jobHistory: createMemoryJobHistory() })
    await expect(run).rejects.toThrow(UnfinishedJobsError)
    await expect(run).rejects.toThrow(id)
    expect(await count(pool, 'SELECT count(*) AS n FROM snapshots')).toBe(0)
  })
})

describe('tm-backfill migrate and export (CLI)', () => {
  it('lists the exit codes in --help of both commands', () => {
    for (const name of ['migrate', 'export']) {
      let out = ''
      const cmd = buildProgram(() => undefined).commands.find((c) => c.name() === name)!
      cmd.configureOutput({ writeOut: (s) => (out += s) })
      cmd.outputHelp()
      expect(out).toMatch(/Exit codes:[\s\S]*\n {2}2 +[\s\S]*\n {2}64 +usage error[\s\S]*\n {2}75 /)
    }
  })

  it('without DATABASE_URL: exit 64 naming the variable', { timeout: 60_000 }, async () => {
    const r = await runCli(['migrate', '--from-data-dir', source], { DATABASE_URL: '' })
    expect(r.code).toBe(64)
    expect(r.stderr).toMatch(/^tm-backfill: DATABASE_URL is not set/)
  })

  it(
    'a file failing its checksum is not copied and is reported: exit 2, the rest copied',
    { timeout: 60_000 },
    async () => {
      const dir = await copyOf(source, 'corrupt')
      const district = path.join(dir, 'snapshots', '2026-11-21', 'district_61.json')
      const bytes = await readFile(district)
      bytes[bytes.length - 3] = bytes[bytes.length - 3] === 0x20 ? 0x09 : 0x20
      await writeFile(district, bytes)
      const rawDir = path.join(dir, 'raw-csv', '2026-10-02')
      const raw = path.join(
        rawDir,
        (await readdir(rawDir)).find((n) => n.endsWith('.csv'))!,
      )
      await writeFile(raw, `${await readFile(raw, 'utf8')}x`)
      const { db, pool } = await freshDatabase()
      const r = await runCli(['migrate', '--from-data-dir', dir, '--json'], {
        DATABASE_URL: db.url,
      })
      expect(r.code, r.stderr).toBe(2)
      const report = JSON.parse(r.stdout) as TransferReport
      expect(report.problems.map((p) => p.path).sort()).toEqual([raw, district].sort())
      expect(report.dates.failedDates).toEqual(['2026-11-21'])
      expect(report.rawBodies.failed).toBe(1)
      const dates = (
        await pool.query<{ d: string }>(
          "SELECT to_char(as_of, 'YYYY-MM-DD') AS d FROM snapshots ORDER BY 1",
        )
      ).rows.map((x) => x.d)
      expect(dates).not.toContain('2026-11-21')
      expect(dates).toHaveLength((await readdir(path.join(dir, 'snapshots'))).length - 1)
    },
  )

  it(
    'refuses a source DATA_DIR a server holds: exit 75 naming the holder',
    { timeout: 60_000 },
    async () => {
      const dir = await copyOf(source, 'held')
      const lock = await acquireDataDirLock({ dataDir: dir, role: 'server', command: 'serve' })
      try {
        const { db } = await freshDatabase()
        const r = await runCli(['migrate', '--from-data-dir', dir], { DATABASE_URL: db.url })
        expect(r.code).toBe(75)
        expect(r.stderr).toContain(`a server holds DATA_DIR (pid ${process.pid}`)
      } finally {
        await lock.release()
      }
    },
  )

  it(
    "SIGKILLed inside a date's transaction, then run again: whole dates only, nothing twice; its export verifies clean",
    { timeout: 120_000 },
    async () => {
      const { db, pool } = await freshDatabase()
      const env = { DATABASE_URL: db.url }
      const dates = (await readdir(path.join(source, 'snapshots'))).sort()
      const rawOf = async (d: string) =>
        (await readdir(path.join(source, 'raw-csv', d))).filter((n) => n.endsWith('.csv')).length
      const blocked = dates[2]!
      // An uncommitted row on the third date: the child's insert of that date waits on it.
      const blocker = await pool.connect()
      await blocker.query('BEGIN')
      await blocker.query(
        "INSERT INTO snapshots (as_of, manifest, metadata_text) VALUES ($1, '{}', '')",
        [blocked],
      )
      const child = spawn(process.execPath, cliArgv(['migrate', '--from-data-dir', source]), {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'ignore'],
      })
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      )
      const migrating = (extra = '') =>
        count(
          pool,
          `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'tm-backfill migrate' ${extra}`,
        )
      try {
        await waitFor(
          'migrate waiting inside the third date',
          async () => (await migrating("AND wait_event_type = 'Lock'")) > 0,
          60_000,
        )
      } finally {
        child.kill('SIGKILL')
      }
      expect(await exited).toBe('SIGKILL')
      await blocker.query('ROLLBACK')
      blocker.release()
      await waitFor(
        'the killed run has left the database',
        async () => (await migrating()) === 0,
        30_000,
      )

      // The two dates before were committed whole; the third's raw bodies went with its rollback.
      const stored = async (table: string) =>
        (
          await pool.query<{ d: string; n: string }>(
            `SELECT to_char(as_of, 'YYYY-MM-DD') AS d, count(*) AS n FROM ${table} GROUP BY 1 ORDER BY 1`,
          )
        ).rows.map((r) => [r.d, Number(r.n)])
      expect((await stored('snapshots')).map(([d]) => d)).toEqual(dates.slice(0, 2))
      expect(await stored('raw_csv_bodies')).toEqual([
        [dates[0], await rawOf(dates[0]!)],
        [dates[1], await rawOf(dates[1]!)],
      ])

      const r = await runCli(['migrate', '--from-data-dir', source, '--json'], env)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stderr).toContain(`migrate: ${dates.length}/${dates.length} dates`)
      const report = JSON.parse(r.stdout) as TransferReport
      const rawTotal = (await files(source)).filter((f) => f.endsWith('.csv')).length
      const rawFirstTwo = (await rawOf(dates[0]!)) + (await rawOf(dates[1]!))
      expect(report.dates).toMatchObject({ copied: dates.length - 2, alreadyThere: 2, failed: 0 })
      expect(report.rawBodies).toMatchObject({
        copied: rawTotal - rawFirstTwo,
        alreadyThere: rawFirstTwo,
      })
      expect(report.jobs).toMatchObject({ available: true, failed: 0 })
      expect(await count(pool, 'SELECT count(*) AS n FROM raw_csv_bodies')).toBe(rawTotal)
      expect(await count(pool, 'SELECT count(*) AS n FROM snapshots')).toBe(dates.length)

      const out = path.join(root, 'cli-export')
      const e = await runCli(['export', '--to-data-dir', out], env)
      expect(e.code, e.stderr).toBe(0)
      expect(e.stdout).toMatch(/\nOK\n$/)
      expect((await verify({ dataDir: out })).problems).toEqual([])
      await expectSameDataDir(source, out)
    },
  )
})
