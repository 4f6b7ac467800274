import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/pg-database.ts'
import type { TestDatabase } from '../../../test/helpers/pg-database.ts'
import { createSliceQueue } from './slice-queue.ts'
import type { ClaimedSlice, SliceQueue } from './slice-queue.ts'

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
