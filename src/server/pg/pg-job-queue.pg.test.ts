import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import { CONTRACT_T0, contractSpec, runJobQueueContract } from '../backfill/job-queue.contract.ts'
import { createSilentLogger } from '../logger.ts'
import { createPgJobHistory } from './pg-job-history.ts'
import { createPgJobQueue } from './pg-job-queue.ts'
import type { JobEvent, JobSpec } from '../backfill/job-events.ts'
import { replayJobEvents, type JobState } from '../backfill/job-state.ts'
import { addDays } from '../../shared/iso-date.ts'
import { MIGRATIONS, createPgPool, migrate } from './index.ts'
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

/** A second process's connections to the test database (ended after the file). */
function peerPool(max: number): PgPool {
  const other = createPgPool({ databaseUrl: db.url, max })
  pools.push(other)
  return other
}

const OPTS = { now: () => CONTRACT_T0, logger: createSilentLogger(), pollMs: 100 }

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
  const other = peerPool(6)
  const a = createPgJobQueue({ pool, ...OPTS })
  const b = createPgJobQueue({ pool: other, ...OPTS })
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
  const other = peerPool(2)
  const reader = createPgJobQueue({ pool, ...OPTS })
  const writer = createPgJobQueue({ pool: other, ...OPTS })
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

/** A job of `dates` × `districts` cells (per-district), ids from 1. */
function wideSpec(n: number, dates: number, districts: number): JobSpec {
  const ids = Array.from({ length: districts }, (_, i) => String(i + 1))
  const days = Array.from({ length: dates }, (_, i) => addDays('2026-03-01', i))
  const spec = contractSpec(n, ids)
  return { ...spec, cells: days.flatMap((date) => ids.map((districtId) => ({ date, districtId }))) }
}

const rowOf = async (id: string) =>
  (
    await pool.query<{ state: JobState; state_seq: number; event_count: number }>(
      'SELECT state, state_seq, event_count FROM backfill_jobs WHERE backfill_id = $1',
      [id],
    )
  ).rows[0]!

it('writes a long job whole only every half its cells of events, and a process with no fold of it reads the state its events fold to', async () => {
  await clear()
  const other = peerPool(6)
  const writer = createPgJobQueue({ pool, ...OPTS })
  const early = createPgJobQueue({ pool: other, ...OPTS })
  const spec = wideSpec(11, 30, 20) // 600 cells: a checkpoint every 300 events
  await writer.enqueue(spec, HINTS)
  const job = await writer.claim()
  if (!job) throw new Error('no job claimed')
  const id = spec.backfillId
  // A fold older than the checkpoint the writer is about to write.
  expect((await early.get(id))?.status).toBe('processing')
  const at = new Date(CONTRACT_T0).toISOString()
  const cellEvents = (c: { date: string; districtId: string }): JobEvent[] => [
    { type: 'cell:started', at, date: c.date, districtId: c.districtId },
    { type: 'cell:skipped', at, date: c.date, districtId: c.districtId, detail: 'full' },
  ]
  const cells = spec.cells
  for (const c of cells.slice(0, 200)) for (const e of cellEvents(c)) await writer.append(id, [e])

  const row = await rowOf(id)
  expect(row.event_count).toBe(402)
  // One checkpoint so far (at 301 = 1 + 300), not one per append.
  expect(row.state_seq).toBe(301)
  const history = createPgJobHistory(pool)
  const events = await history.readEvents(id)
  expect(row.state).toEqual(replayJobEvents(events.slice(0, row.state_seq)))
  const folded = replayJobEvents(events)
  expect(await writer.get(id)).toEqual(folded)
  // Brought forward past the checkpoint, and read fresh by a process that kept nothing.
  expect(await early.get(id)).toEqual(folded)
  const fresh = createPgJobQueue({ pool: other, ...OPTS })
  expect(await fresh.get(id)).toEqual(folded)
  expect((await fresh.load(id))?.state).toEqual(folded)
  expect((await fresh.list({ limit: 5, offset: 0 })).jobs).toEqual([folded])

  for (const c of cells.slice(200)) for (const e of cellEvents(c)) await early.append(id, [e])
  expect((await writer.finishIfSettled(id))?.status).toBe('complete')
  // An ended job's row holds its whole final state.
  const end = await rowOf(id)
  expect(end.state_seq).toBe(end.event_count)
  expect(end.state).toEqual(replayJobEvents(await history.readEvents(id)))
  expect(await fresh.get(id)).toEqual(end.state)
  expect(end.state.progress.skipped).toBe(600)
  await job.release()
  for (const q of [writer, early, fresh]) await q.close()
})

it('keeps no fold of a transaction that rolled back', async () => {
  await clear()
  const other = peerPool(4)
  const queue = createPgJobQueue({
    pool,
    ...OPTS,
    onStarted: () => Promise.reject(new Error('no slices today')),
  })
  const canceller = createPgJobQueue({ pool: other, ...OPTS })
  const spec = contractSpec(12, ['61'])
  await queue.enqueue(spec, HINTS)
  // The start (event 2) is rolled back; another process then records a cancel as event 2.
  await expect(queue.claim()).rejects.toThrow('no slices today')
  expect((await rowOf(spec.backfillId)).event_count).toBe(1)
  await canceller.cancel(spec.backfillId)
  // A fold of the rolled-back start, kept at the same count, would still say processing.
  expect((await queue.get(spec.backfillId))?.status).toBe('cancelled')
  await queue.close()
  await canceller.close()
})

it('reads and appends to a job recorded before its state became a checkpoint (schema 7)', async () => {
  const old = await createTestDatabase('jobq7')
  const p = createPgPool({ databaseUrl: old.url, max: 4 })
  try {
    await migrate(p, { migrations: MIGRATIONS.filter((m) => m.version < 8) })
    const at = new Date(CONTRACT_T0).toISOString()
    const spec = contractSpec(13, ['02', '61'])
    const events: JobEvent[] = [
      { type: 'job:queued', at, job: spec },
      { type: 'job:started', at },
      { type: 'cell:skipped', at, date: '2026-03-01', districtId: '61' },
    ]
    const state = replayJobEvents(events)
    // What schema 7's queue wrote: the whole fold with every append.
    await p.query(
      `INSERT INTO backfill_jobs (backfill_id, created_at, status, kind, district_id,
         target_districts, ended_at, state, hints, event_count)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, 3)`,
      [
        spec.backfillId,
        at,
        state.status,
        state.kind,
        null,
        ['02', '61'],
        JSON.stringify(state),
        '{}',
      ],
    )
    for (const [i, e] of events.entries())
      await p.query(
        'INSERT INTO backfill_job_events (backfill_id, seq, event) VALUES ($1, $2, $3)',
        [spec.backfillId, i + 1, JSON.stringify(e)],
      )
    await migrate(p)
    const queue = createPgJobQueue({
      pool: p,
      now: () => CONTRACT_T0,
      logger: createSilentLogger(),
    })
    expect(await queue.get(spec.backfillId)).toEqual(state)
    const next = await queue.append(spec.backfillId, [
      { type: 'cell:skipped', at, date: '2026-03-01', districtId: '02' },
    ])
    expect(next?.progress.skipped).toBe(2)
    expect(await queue.finishIfSettled(spec.backfillId)).toMatchObject({ status: 'complete' })
    await queue.close()
  } finally {
    await p.end()
    await old.drop()
  }
})

it('keeps folds up to a number of cells in all, and reads a job pushed out again from the database', async () => {
  await clear()
  const queue = createPgJobQueue({ pool, ...OPTS, keptCells: 50 })
  const a = wideSpec(14, 3, 10) // 30 cells
  const b = wideSpec(15, 3, 10)
  await queue.enqueue(a, HINTS)
  await queue.enqueue(b, HINTS)
  const first = await queue.get(a.backfillId)
  expect(await queue.get(a.backfillId)).toBe(first)
  // 60 cells would be over the 50: reading b pushes a out.
  await queue.get(b.backfillId)
  const again = await queue.get(a.backfillId)
  expect(again).not.toBe(first)
  expect(again).toEqual(first)
  await queue.close()
})

it('hands every event another process records to the listeners once each, in order, in a burst too', async () => {
  await clear()
  const other = peerPool(4)
  const writer = createPgJobQueue({ pool, ...OPTS })
  const reader = createPgJobQueue({ pool: other, ...OPTS })
  await reader.ready()
  const seen: string[] = []
  reader.subscribe((state, event) => {
    if (state.backfillId !== spec.backfillId) return
    seen.push(`${event.type}:${'districtId' in event ? event.districtId : ''}`)
  })
  const spec = wideSpec(16, 1, 40)
  await writer.enqueue(spec, HINTS)
  const job = await writer.claim()
  if (!job) throw new Error('no job claimed')
  const at = new Date(CONTRACT_T0).toISOString()
  // Not awaited one by one: the notifications arrive faster than they are read.
  await Promise.all(
    spec.cells.map((c) =>
      writer.append(spec.backfillId, [
        { type: 'cell:skipped', at, date: c.date, districtId: c.districtId },
      ]),
    ),
  )
  const recorded = (await createPgJobHistory(pool).readEvents(spec.backfillId)).map(
    (e) => `${e.type}:${'districtId' in e ? e.districtId : ''}`,
  )
  expect(recorded).toHaveLength(42)
  await vi.waitFor(() => expect(seen).toHaveLength(recorded.length), { timeout: 10_000 })
  // Once each, in the order recorded.
  expect(seen).toEqual(recorded)
  await job.release()
  await writer.close()
  await reader.close()
})
