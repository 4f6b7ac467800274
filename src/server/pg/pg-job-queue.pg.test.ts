import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import { CONTRACT_T0, contractSpec, runJobQueueContract } from '../backfill/job-queue.contract.ts'
import { createSilentLogger } from '../logger.ts'
import { createPgJobHistory } from './pg-job-history.ts'
import { createPgJobQueue } from './pg-job-queue.ts'
import { createPgPool, migrate } from './index.ts'
import type { PgPool } from './index.ts'

let db: TestDatabase
let pool: PgPool
const pools: PgPool[] = []

beforeAll(async () => {
  db = await createTestDatabase('jobq')
  pool = createPgPool({ databaseUrl: db.url, max: 6 })
  pools.push(pool)
  await migrate(pool)
})
afterAll(async () => {
  for (const p of pools) await p.end()
  await db?.drop()
})

const clear = () => pool.query('TRUNCATE backfill_jobs CASCADE')

runJobQueueContract('PostgreSQL', async (limits) => {
  await clear()
  let nowMs = CONTRACT_T0
  const queue = createPgJobQueue({
    pool,
    now: () => nowMs,
    logger: createSilentLogger(),
    pollMs: 100,
    ...limits,
  })
  return { queue, tick: (ms = 1000) => void (nowMs += ms), close: () => queue.close() }
})

const HINTS = { latestPublishedAsOf: '2026-03-08' }

it('folds appends from two processes in one order, and a job cancelled in one never completes in the other', async () => {
  await clear()
  const other = createPgPool({ databaseUrl: db.url, max: 6 })
  pools.push(other)
  const opts = { now: () => CONTRACT_T0, logger: createSilentLogger(), pollMs: 100 }
  const a = createPgJobQueue({ pool, ...opts })
  const b = createPgJobQueue({ pool: other, ...opts })
  const targets = Array.from({ length: 30 }, (_, i) => String(i + 1).padStart(2, '0'))
  await a.enqueue(contractSpec(1, targets), HINTS)
  const claimed = await a.claim()
  if (!claimed) throw new Error('no job claimed')
  const at = new Date(CONTRACT_T0).toISOString()
  const id = contractSpec(1).backfillId
  // Half the cells from each process at once, each its own transaction.
  await Promise.all(
    targets.map((districtId, i) =>
      (i % 2 ? a : b).append(id, [{ type: 'cell:skipped', at, date: '2026-03-01', districtId }]),
    ),
  )
  const state = await b.get(id)
  expect(state?.progress.skipped).toBe(30)
  const history = createPgJobHistory(pool)
  const events = await history.readEvents(id)
  expect(events.map((e) => e.type)).toEqual([
    'job:queued',
    'job:started',
    ...targets.map(() => 'cell:skipped'),
  ])

  // Cancel in b aborts the signal a handed out; a's finish afterwards changes nothing.
  await a.enqueue(contractSpec(2, ['61']), HINTS)
  const second = await a.claim()
  if (!second) throw new Error('no job claimed')
  const watched = a.watch(second.state.backfillId)
  await b.cancel(second.state.backfillId)
  await vi.waitFor(() => expect(second.signal.aborted && watched.signal.aborted).toBe(true), {
    timeout: 2000,
  })
  watched.done()
  expect(second.isCancelled()).toBe(true)
  await a.append(second.state.backfillId, [{ type: 'job:finished', at }])
  expect((await a.get(second.state.backfillId))?.status).toBe('cancelled')
  await second.release()
  await claimed.release()
  await a.close()
  await b.close()
})

it('imports a recorded history once, folded as the queue folds it, and refuses a history not starting with job:queued', async () => {
  await clear()
  const source = createPgJobQueue({
    pool,
    now: () => CONTRACT_T0,
    logger: createSilentLogger(),
  })
  await source.enqueue(contractSpec(7), HINTS)
  const job = await source.claim()
  if (!job) throw new Error('no job claimed')
  const at = new Date(CONTRACT_T0).toISOString()
  await source.append(job.state.backfillId, [
    { type: 'cell:skipped', at, date: '2026-03-01', districtId: '61' },
    { type: 'job:finished', at },
  ])
  await job.release()
  const history = createPgJobHistory(pool)
  expect(await history.listJobIds()).toEqual([contractSpec(7).backfillId])
  const events = await history.readEvents(contractSpec(7).backfillId)
  const expected = await source.get(contractSpec(7).backfillId)
  await clear()
  expect(await history.importJob(contractSpec(7).backfillId, events)).toBe(true)
  expect(await history.importJob(contractSpec(7).backfillId, events)).toBe(false)
  expect(await history.readEvents(contractSpec(7).backfillId)).toEqual(events)
  expect(await source.get(contractSpec(7).backfillId)).toEqual(expected)
  await expect(history.importJob('bf_x', events.slice(1))).rejects.toThrow(/job:queued/)
  expect(await history.listJobIds()).toEqual([contractSpec(7).backfillId])
  await source.close()
})

it('reads a job polled with no new event from what it kept, and sees an event another process recorded', async () => {
  await clear()
  const other = createPgPool({ databaseUrl: db.url, max: 2 })
  pools.push(other)
  const opts = { now: () => CONTRACT_T0, logger: createSilentLogger(), pollMs: 100 }
  const reader = createPgJobQueue({ pool, ...opts })
  const writer = createPgJobQueue({ pool: other, ...opts })
  const spec = contractSpec(3, ['02', '61'])
  await writer.enqueue(spec, HINTS)
  await writer.claim()
  const id = spec.backfillId
  const first = await reader.get(id)
  // Same count: the very state read before (its view is then kept by identity too).
  expect(await reader.get(id)).toBe(first)
  expect((await reader.list({ limit: 10, offset: 0 })).jobs[0]).toBe(first)
  const at = new Date(CONTRACT_T0).toISOString()
  await writer.append(id, [{ type: 'cell:skipped', at, date: '2026-03-01', districtId: '61' }])
  const after = await reader.get(id)
  expect(after).not.toBe(first)
  expect(after?.progress.skipped).toBe(1)
  expect(after).toEqual(await writer.get(id))
  expect((await reader.list({ limit: 10, offset: 0 })).jobs[0]).toBe(after)
  // An event the job absorbs changes nothing, so the count and the state stay.
  await writer.append(id, [{ type: 'cell:skipped', at, date: '2026-03-01', districtId: '61' }])
  expect(await reader.get(id)).toBe(after)
  await clear()
  expect(await reader.get(id)).toBeNull()
  await reader.close()
  await writer.close()
})
