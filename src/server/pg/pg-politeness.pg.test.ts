/**
 * The politeness parts work without `start()` (CLI commands build services and never start
 * them): their first query applies the migrations, once, even when several ask at once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/pg-database.ts'
import { createSilentLogger } from '../logger.ts'
import { createPgPoliteness, type PgPoliteness } from './pg-politeness.ts'

let db: TestDatabase
let p: PgPoliteness | undefined

beforeAll(async () => {
  db = await createTestDatabase('polite')
})

afterAll(async () => {
  await p?.close()
  await db?.drop()
})

it('migrates on first use: a budget grant and an alert on a fresh database, no start()', async () => {
  p = createPgPoliteness({ databaseUrl: db.url, logger: createSilentLogger() })
  const request = { maxRequests: 5, windowMs: 1000, priority: false, lane: 'cli' }
  // One start now, the next one told to wait for the rest of one step (210 ms).
  const first = await p.budget.acquire('up.example', request)
  const second = await p.budget.acquire('up.example', request)
  expect(first).toMatchObject({ granted: true })
  expect(second).toMatchObject({ granted: false })
  expect(second.granted ? 0 : second.retryInMs).toBeGreaterThan(0)
  expect(second.granted ? 0 : second.retryInMs).toBeLessThanOrEqual(210)
  const { rows } = await p.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM schema_migrations',
  )
  expect(rows[0]?.n).toBeGreaterThan(0)
  expect(p.health.status()).toMatchObject({ reachable: true, paused: false })
})
