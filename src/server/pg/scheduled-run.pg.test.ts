import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import { claimScheduledRun } from './scheduled-run.ts'
import { createPgPool, migrate } from './index.ts'
import type { PgPool } from './index.ts'

let db: TestDatabase
let pools: PgPool[] = []

beforeAll(async () => {
  db = await createTestDatabase('sched')
  pools = [0, 1, 2].map(() => createPgPool({ databaseUrl: db.url, max: 3 }))
  await migrate(pools[0]!)
})
afterAll(async () => {
  for (const p of pools) await p.end()
  await db?.drop()
})

it('lets exactly one of several processes run a period, and the next period again one', async () => {
  const everyMs = 400
  const round = () =>
    Promise.all(pools.flatMap((p) => [0, 1].map(() => claimScheduledRun(p, 'refresh', everyMs))))
  expect((await round()).filter((at) => at !== null)).toHaveLength(1)
  // Within the period nobody runs it again.
  expect((await round()).filter((at) => at !== null)).toHaveLength(0)
  await new Promise((r) => setTimeout(r, everyMs))
  expect((await round()).filter((at) => at !== null)).toHaveLength(1)
  // Another name is a schedule of its own.
  expect(await claimScheduledRun(pools[1]!, 'other', everyMs)).not.toBeNull()
})
