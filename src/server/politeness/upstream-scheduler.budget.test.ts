/**
 * The scheduler's seam to a shared budget (StartBudget): it asks after its own rules allow a
 * start, starts only when granted, waits as long as a denial says, starts nothing while the
 * budget fails, and drops a grant whose request was cancelled while the budget was deciding.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { BUDGET_RETRY_MS, createUpstreamScheduler } from './upstream-scheduler.ts'
import type { StartBudget } from './upstream-scheduler.ts'

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-29T00:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

const HOST = 'dashboards.example'

/** A budget answered by the test: each acquire waits for `answer()`. */
function scriptedBudget() {
  const asked: { at: number; priority: boolean; lane: string; spacingMs: number }[] = []
  const pending: ((a: Awaited<ReturnType<StartBudget['acquire']>> | Error) => void)[] = []
  const budget: StartBudget = {
    acquire: (_host, request) => {
      asked.push({ at: Date.now(), ...request })
      return new Promise((resolve, reject) =>
        pending.push((a) => (a instanceof Error ? reject(a) : resolve(a))),
      )
    },
  }
  const answer = async (a: Awaited<ReturnType<StartBudget['acquire']>> | Error) => {
    const next = pending.shift()
    if (!next) throw new Error('no acquire pending')
    next(a)
    await vi.advanceTimersByTimeAsync(0)
  }
  return { budget, asked, answer, pending: () => pending.length }
}

it('starts only when granted, after the wait a denial names, and nothing while the budget fails', async () => {
  const b = scriptedBudget()
  const scheduler = createUpstreamScheduler({
    maxRequests: 5,
    windowMs: 1000,
    maxConcurrent: 4,
    budget: b.budget,
  })
  const starts: number[] = []
  const done = scheduler.schedule(HOST, async () => void starts.push(Date.now()), { lane: 'j1' })
  await vi.advanceTimersByTimeAsync(0)
  expect(b.asked).toHaveLength(1)
  expect(b.asked[0]).toMatchObject({ priority: false, lane: 'j1', spacingMs: 200 })
  await b.answer({ granted: false, retryInMs: 150 })
  expect(starts).toEqual([])
  await vi.advanceTimersByTimeAsync(149)
  expect(b.asked).toHaveLength(1)
  await vi.advanceTimersByTimeAsync(1)
  expect(b.asked).toHaveLength(2)
  // The database is gone: no start, and the next question only after BUDGET_RETRY_MS.
  await b.answer(new Error('connect ECONNREFUSED'))
  await vi.advanceTimersByTimeAsync(BUDGET_RETRY_MS - 1)
  expect(starts).toEqual([])
  expect(b.asked).toHaveLength(2)
  await vi.advanceTimersByTimeAsync(1)
  expect(b.asked).toHaveLength(3)
  const t = Date.now()
  await b.answer({ granted: true })
  await done
  expect(starts).toEqual([t])
  scheduler.close()
})

it('asks with priority for the refresh lane, and drops a grant whose request was cancelled meanwhile', async () => {
  const b = scriptedBudget()
  const scheduler = createUpstreamScheduler({
    maxRequests: 5,
    windowMs: 1000,
    maxConcurrent: 4,
    budget: b.budget,
  })
  const ac = new AbortController()
  const ran: string[] = []
  const job = scheduler
    .schedule(HOST, async () => void ran.push('job'), { lane: 'j1', signal: ac.signal })
    .catch((e: unknown) => e)
  await vi.advanceTimersByTimeAsync(0)
  ac.abort(new Error('cancelled'))
  await b.answer({ granted: true })
  expect(await job).toMatchObject({ message: 'cancelled' })
  expect(ran).toEqual([])
  // The grant was not kept for a later request: the refresh asks again, with priority.
  const refresh = scheduler.schedule(HOST, async () => void ran.push('refresh'), {
    lane: 'refresh',
    priority: true,
  })
  await vi.advanceTimersByTimeAsync(0)
  expect(b.asked.map((a) => [a.lane, a.priority])).toEqual([
    ['j1', false],
    ['refresh', true],
  ])
  await b.answer({ granted: true })
  await refresh
  expect(ran).toEqual(['refresh'])
  scheduler.close()
})
