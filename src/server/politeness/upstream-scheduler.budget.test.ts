/**
 * The scheduler's seam to a shared budget (StartBudget): it asks after its own rules allow a
 * start, starts only when granted, waits as long as a denial says, starts nothing while the
 * budget fails, gives back a grant whose request was cancelled while the budget was deciding,
 * asks again for a request whose grant expired before its send, and shares what a 429 or a 5xx
 * means through the budget's `report`.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { BUDGET_RETRY_MS, createUpstreamScheduler } from './upstream-scheduler.ts'
import type { BudgetAnswer, BudgetState, StartBudget } from './upstream-scheduler.ts'
import type { SendPermit } from '../upstream/index.ts'

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-29T00:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

const HOST = 'dashboards.example'

/** A budget answered by the test: each acquire waits for `answer()`. */
function scriptedBudget(shared = false) {
  const asked: {
    at: number
    priority: boolean
    lane: string
    maxRequests: number
    windowMs: number
  }[] = []
  const pending: ((a: BudgetAnswer | Error) => void)[] = []
  const reports: { status?: number; retryAfterMs?: number | null }[] = []
  let reportAnswer: BudgetState = { pausedForMs: 0, slowdown: 1 }
  const budget: StartBudget = {
    shared,
    report: (_host, outcome) => {
      reports.push(outcome)
      return Promise.resolve(reportAnswer)
    },
    acquire: (_host, request) => {
      asked.push({ at: Date.now(), ...request })
      return new Promise((resolve, reject) =>
        pending.push((a) => (a instanceof Error ? reject(a) : resolve(a))),
      )
    },
  }
  const answer = async (a: BudgetAnswer | Error) => {
    const next = pending.shift()
    if (!next) throw new Error('no acquire pending')
    next(a)
    await vi.advanceTimersByTimeAsync(0)
  }
  return {
    budget,
    asked,
    answer,
    reports,
    pending: () => pending.length,
    setReportAnswer: (a: BudgetState) => void (reportAnswer = a),
  }
}

/** A scheduler at 5 per 1000 ms, 4 in flight, whose every start the scripted budget decides. */
function onScriptedBudget(shared = false) {
  const b = scriptedBudget(shared)
  const scheduler = createUpstreamScheduler({
    maxRequests: 5,
    windowMs: 1000,
    maxConcurrent: 4,
    budget: b.budget,
  })
  return { b, scheduler }
}

/** A permit the test controls: `valid` says whether a claim now is in time. */
function permit(valid: () => boolean) {
  const log: string[] = []
  const p: SendPermit = {
    claim: () => {
      const ok = valid()
      log.push(ok ? 'claimed' : 'expired')
      return ok
    },
    release: () => void log.push('released'),
  }
  return { permit: p, log }
}

it('starts only when granted, after the wait a denial names, and nothing while the budget fails', async () => {
  const { b, scheduler } = onScriptedBudget()
  const starts: number[] = []
  const done = scheduler.schedule(HOST, async () => void starts.push(Date.now()), { lane: 'j1' })
  await vi.advanceTimersByTimeAsync(0)
  expect(b.asked).toHaveLength(1)
  expect(b.asked[0]).toMatchObject({ priority: false, lane: 'j1', maxRequests: 5, windowMs: 1000 })
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

it('asks with priority for the refresh lane, and gives back a grant whose request was cancelled meanwhile', async () => {
  const { b, scheduler } = onScriptedBudget()
  const ac = new AbortController()
  const ran: string[] = []
  const job = scheduler
    .schedule(HOST, async () => void ran.push('job'), { lane: 'j1', signal: ac.signal })
    .catch((e: unknown) => e)
  await vi.advanceTimersByTimeAsync(0)
  ac.abort(new Error('cancelled'))
  const unused = permit(() => true)
  await b.answer({ granted: true, permit: unused.permit })
  expect(await job).toMatchObject({ message: 'cancelled' })
  expect(ran).toEqual([])
  expect(unused.log).toEqual(['released'])
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

it('a request whose grant expired before its send is not sent: it asks again and goes on the next grant', async () => {
  const { b, scheduler } = onScriptedBudget(true)
  const sent: number[] = []
  let attempts = 0
  const done = scheduler.schedule(
    HOST,
    async (_signal, p) => {
      attempts++
      if (!p.claim()) throw new Error('grant expired')
      sent.push(Date.now())
      return 'ok'
    },
    { lane: 'j1' },
  )
  await vi.advanceTimersByTimeAsync(0)
  const late = permit(() => false)
  await b.answer({ granted: true, permit: late.permit })
  expect(late.log).toEqual(['expired'])
  expect(sent).toEqual([])
  // Asked again for the same request, which is still waiting (not failed).
  expect(b.asked).toHaveLength(2)
  const inTime = permit(() => true)
  await b.answer({ granted: true, permit: inTime.permit })
  expect(await done).toBe('ok')
  expect(attempts).toBe(2)
  expect(sent).toHaveLength(1)
  expect(inTime.log).toEqual(['claimed'])
  scheduler.close()
})

it('with a shared budget: the budget decides the rate; a 429 and a 5xx are reported to it and its pause is kept', async () => {
  const { b, scheduler } = onScriptedBudget(true)
  const starts: number[] = []
  const first = scheduler.schedule(HOST, async () => void starts.push(Date.now()), { lane: 'j1' })
  const second = scheduler.schedule(HOST, async () => void starts.push(Date.now()), { lane: 'j1' })
  await vi.advanceTimersByTimeAsync(0)
  await b.answer({ granted: true })
  // No local spacing: the second is asked for at once, and starts when granted.
  expect(b.asked).toHaveLength(2)
  await b.answer({ granted: true })
  await Promise.all([first, second])
  expect(starts).toEqual([starts[0], starts[0]])

  // A 429 without Retry-After: shared with the window as its pause; the budget's answer (the
  // pause every process keeps, here longer) is what this process keeps too.
  b.setReportAnswer({ pausedForMs: 2000, slowdown: 2 })
  scheduler.reportOutcome(HOST, { status: 429, retryAfterMs: null })
  await vi.advanceTimersByTimeAsync(0)
  expect(b.reports).toEqual([{ status: 429, retryAfterMs: 1000 }])
  expect(scheduler.status(HOST).adaptive).toMatchObject({ effectiveMaxRequests: 2 })
  const pausedUntil = Date.parse(scheduler.status(HOST).adaptive.pausedUntil ?? '')
  expect(pausedUntil).toBe(Date.now() + 2000)
  const third = scheduler.schedule(HOST, async () => void starts.push(Date.now()), { lane: 'j1' })
  await vi.advanceTimersByTimeAsync(1999)
  expect(b.pending()).toBe(0)
  await vi.advanceTimersByTimeAsync(1)
  expect(b.pending()).toBe(1)
  // The budget's answers carry the shared state too: the slowdown another process caused.
  await b.answer({ granted: true, slowdown: 4, pausedForMs: 0 })
  await third
  expect(scheduler.status(HOST).adaptive.effectiveMaxRequests).toBe(1)
  // A 5xx is reported; a success only while slowed down (else nothing changes).
  b.setReportAnswer({ pausedForMs: 0, slowdown: 1.5 })
  scheduler.reportOutcome(HOST, { status: 503 })
  await vi.advanceTimersByTimeAsync(0)
  b.setReportAnswer({ pausedForMs: 0, slowdown: 1 })
  scheduler.reportOutcome(HOST, { status: 200 })
  await vi.advanceTimersByTimeAsync(0)
  scheduler.reportOutcome(HOST, { status: 200 })
  await vi.advanceTimersByTimeAsync(0)
  expect(b.reports.map((r) => r.status)).toEqual([429, 503, 200])
  scheduler.close()
})

it('a grant for a slot just ahead starts at that slot, not before', async () => {
  const { b, scheduler } = onScriptedBudget(true)
  const starts: number[] = []
  const done = scheduler.schedule(HOST, async () => void starts.push(Date.now()), { lane: 'j1' })
  await vi.advanceTimersByTimeAsync(0)
  const t = Date.now()
  await b.answer({ granted: true, startInMs: 120 })
  await vi.advanceTimersByTimeAsync(120)
  expect(starts).toEqual([])
  // No second question while the grant is held.
  expect(b.asked).toHaveLength(1)
  await vi.advanceTimersByTimeAsync(1)
  await done
  expect(starts).toEqual([t + 121])
  scheduler.close()
})
