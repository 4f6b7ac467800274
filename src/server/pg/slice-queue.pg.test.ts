import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import pg from 'pg'
import { QUEUE_SETUP_LOCK, createSliceQueue } from './slice-queue.ts'
import type { ClaimedSlice, ExhaustedSlice, SliceQueue } from './slice-queue.ts'
import { createPgPool } from './pool.ts'

let db: TestDatabase
const queues: SliceQueue<{ job: string }>[] = []
beforeAll(async () => {
  db = await createTestDatabase('queue')
})
afterAll(async () => {
  for (const q of queues) await q.stop()
  await db?.drop()
})

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

it('runs a second slice of a running key only after the first finished, on any worker', async () => {
  // Two queue instances are two worker processes' views of the same database.
  const [a, b] = [
    await createSliceQueue<{ job: string }>({ databaseUrl: db.url }),
    await createSliceQueue<{ job: string }>({ databaseUrl: db.url }),
  ]
  queues.push(a, b)
  const events: string[] = []
  const release = deferred()
  const started = new Map<string, ReturnType<typeof deferred>>(
    ['j1', 'j2', 'j3'].map((j) => [j, deferred()]),
  )
  const handler = async (slice: ClaimedSlice<{ job: string }>) => {
    events.push(`start ${slice.data.job} ${slice.key}`)
    started.get(slice.data.job)?.resolve()
    if (slice.data.job === 'j1') await release.promise
    events.push(`end ${slice.data.job}`)
  }
  await a.work(handler, { concurrency: 2 })
  await b.work(handler, { concurrency: 2 })

  expect(await a.enqueue({ key: '2026-02-20:61', data: { job: 'j1' } })).toEqual(expect.any(String))
  await started.get('j1')!.promise
  // Same cell from another job: waits. Another cell: runs beside it.
  expect(await b.enqueue({ key: '2026-02-20:61', data: { job: 'j2' } })).toEqual(expect.any(String))
  expect(await b.enqueue({ key: '2026-02-20:21', data: { job: 'j3' } })).toEqual(expect.any(String))
  // A third slice of the key while one already waits is the same work: dropped.
  expect(await a.enqueue({ key: '2026-02-20:61', data: { job: 'j4' } })).toBeNull()
  await started.get('j3')!.promise
  // Four idle slots poll every 0.5 s; 2 s without j2 starting is not a polling delay.
  await new Promise((r) => setTimeout(r, 2000))
  expect(events.filter((e) => e.startsWith('start j2'))).toEqual([])
  release.resolve()
  await started.get('j2')!.promise
  expect(events.indexOf('start j2 2026-02-20:61')).toBeGreaterThan(events.indexOf('end j1'))
  expect(events.filter((e) => e.includes('j4'))).toEqual([])
}, 60_000)

it('hands a slice that failed on every retry to onExhausted once, with its attempts and the last reason', async () => {
  const q = await createSliceQueue<{ job: string }>({
    databaseUrl: db.url,
    queue: 'exhaust',
    retryLimit: 1,
  })
  queues.push(q)
  const runs: string[] = []
  const given = deferred()
  const exhausted: ExhaustedSlice<{ job: string }>[] = []
  await q.work(
    async (slice) => {
      runs.push(slice.key)
      if (slice.data.job === 'bad') throw new Error(`cannot do ${slice.key}`)
    },
    {
      onExhausted: async (slice) => {
        exhausted.push(slice)
        given.resolve()
      },
    },
  )
  await q.enqueue({ key: 'j1:2026-02-20', data: { job: 'bad' } })
  await q.enqueue({ key: 'j1:2026-02-21', data: { job: 'good' } })
  await given.promise
  // The exhausted handler's own poll: a second hand-over would come within it.
  await new Promise((r) => setTimeout(r, 1500))
  expect(exhausted).toEqual([
    {
      id: expect.any(String),
      key: 'j1:2026-02-20',
      data: { job: 'bad' },
      attempts: 2,
      reason: 'cannot do j1:2026-02-20',
    },
  ])
  expect(runs.filter((k) => k === 'j1:2026-02-20')).toHaveLength(2)
  expect(runs.filter((k) => k === 'j1:2026-02-21')).toHaveLength(1)
}, 60_000)

it('aborts a run that outlives expireInSeconds, and gives the slice up after its last retry', async () => {
  const q = await createSliceQueue<{ job: string }>({
    databaseUrl: db.url,
    queue: 'expire',
    expireInSeconds: 1,
    retryLimit: 1,
  })
  queues.push(q)
  const aborted: number[] = []
  const given = deferred()
  let reason = ''
  await q.work(
    async (slice) => {
      // Never ends by itself: only the expiry signal stops it.
      await new Promise<void>((resolve) =>
        slice.signal.addEventListener('abort', () => resolve(), { once: true }),
      )
      aborted.push(Date.now())
    },
    {
      onExhausted: async (slice) => {
        reason = slice.reason
        given.resolve()
      },
    },
  )
  await q.enqueue({ key: 'j2:2026-02-20:61', data: { job: 'slow' } })
  await given.promise
  expect(aborted).toHaveLength(2)
  expect(reason).toEqual(expect.any(String))
}, 60_000)

it('cancel takes the waiting and running slices of a key prefix off the queue, and only those', async () => {
  const q = await createSliceQueue<{ job: string }>({ databaseUrl: db.url, queue: 'cancel' })
  queues.push(q)
  const running = deferred()
  const release = deferred()
  const runs: string[] = []
  await q.work(async (slice) => {
    runs.push(slice.key)
    if (slice.key === 'bf_a:2026-02-20') {
      running.resolve()
      await release.promise
    }
  })
  await q.enqueue({ key: 'bf_a:2026-02-20', data: { job: 'a' } })
  await running.promise
  // A one-slot worker is busy: these wait.
  await q.enqueue({ key: 'bf_a:2026-02-21', data: { job: 'a' } })
  await q.enqueue({ key: 'bf_a:2026-02-21:61', data: { job: 'a' } })
  await q.enqueue({ key: 'bf_ab:2026-02-21', data: { job: 'ab' } })
  expect(await q.cancel('bf_a:')).toBe(3)
  const pool = createPgPool({ databaseUrl: db.url, max: 1 })
  try {
    const states = async () =>
      (
        await pool.query<{ key: string; state: string }>(
          `SELECT singleton_key AS key, state::text FROM pgboss.job WHERE name = 'cancel'
            ORDER BY singleton_key`,
        )
      ).rows
    expect(await states()).toEqual([
      { key: 'bf_a:2026-02-20', state: 'cancelled' },
      { key: 'bf_a:2026-02-21', state: 'cancelled' },
      { key: 'bf_a:2026-02-21:61', state: 'cancelled' },
      { key: 'bf_ab:2026-02-21', state: 'created' },
    ])
    release.resolve()
    await vi.waitFor(() => expect(runs).toContain('bf_ab:2026-02-21'), { timeout: 20_000 })
    // The cancelled ones were never claimed, and the running one's end changed nothing.
    expect(runs).toEqual(['bf_a:2026-02-20', 'bf_ab:2026-02-21'])
    expect((await states()).filter((s) => s.key.startsWith('bf_a:'))).toEqual([
      { key: 'bf_a:2026-02-20', state: 'cancelled' },
      { key: 'bf_a:2026-02-21', state: 'cancelled' },
      { key: 'bf_a:2026-02-21:61', state: 'cancelled' },
    ])
  } finally {
    await pool.end()
  }
}, 60_000)

it('runs waiting slices back to back on one slot, not one per polling interval', async () => {
  const q = await createSliceQueue<{ job: string }>({
    databaseUrl: db.url,
    queue: 'back-to-back',
    pollingIntervalSeconds: 5,
  })
  queues.push(q)
  for (let i = 0; i < 8; i++) await q.enqueue({ key: `2026-03-0${i + 1}:61`, data: { job: 'b' } })
  const ran: string[] = []
  await q.work(async (slice) => void ran.push(slice.key), { concurrency: 1 })
  // One slice per 5 s interval would take 35 s and more for the eight.
  await vi.waitFor(() => expect(ran).toHaveLength(8), { timeout: 15_000, interval: 50 })
}, 60_000)

it('creates its queues only while it holds the setup lock, so processes starting together take turns', async () => {
  const fresh = await createTestDatabase('qsetup')
  const holder = new pg.Client({ connectionString: fresh.url })
  await holder.connect()
  const waiting = async () =>
    (
      await holder.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
      )
    ).rows[0]?.n ?? 0
  try {
    await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [QUEUE_SETUP_LOCK])
    let created = false
    const creating = createSliceQueue<{ job: string }>({ databaseUrl: fresh.url }).then((q) => {
      created = true
      return q
    })
    // Another process holds the lock: this one waits for it before creating anything.
    await vi.waitFor(async () => expect(await waiting()).toBe(1), { timeout: 20_000 })
    expect(created).toBe(false)
    await holder.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [QUEUE_SETUP_LOCK])
    const q = await creating
    await q.stop()
    expect(created).toBe(true)
  } finally {
    await holder.end()
    await fresh.drop()
  }
}, 60_000)
