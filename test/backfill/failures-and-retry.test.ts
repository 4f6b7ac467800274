import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import { eachDate } from '../../src/shared/iso-date.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, waitForJobEnd, type Json } from '../helpers/jobs.ts'
import {
  datedRequests,
  FAST_RETRY,
  runJob,
  startBackfillStack,
  trackJobs,
} from './backfill-harness.ts'

const DISTRICTS = ['02', '21', '61']
const BROKEN = '21'
const DATES = eachDate('2026-09-10', '2026-09-12')

let stack: Stack
let tracker: ReturnType<typeof trackJobs>
let job: BackfillResponse

beforeAll(async () => {
  stack = await startBackfillStack({ overrides: { memoryStorage: true } })
  tracker = trackJobs(stack)
  await configureDistricts(stack, DISTRICTS)
  stack.sim.addFault({
    id: 'broken-club-report',
    kind: 'server-error',
    status: 503,
    match: { report: 'clubperformance', districtId: BROKEN },
  })
  job = await runJob(stack, { startDate: DATES[0], endDate: DATES.at(-1) })
}, 60_000)

afterAll(async () => {
  tracker.stop()
  await stack.close()
})

describe('a district whose club report always fails', () => {
  it('ends partial_success with the other districts complete', () => {
    expect(job.status).toBe('partial_success')
    expect(job.errorSummary).toMatchObject({
      affectedDistricts: [BROKEN],
      totalErrors: DATES.length,
      retryableErrors: DATES.length,
      permanentErrors: 0,
      partialSnapshots: DATES.length,
    })
    expect([job.progress.completed, job.progress.failed]).toEqual([DATES.length * 2, DATES.length])
    for (const id of ['02', '61'])
      expect(job.progress.districtProgress[id]).toMatchObject({
        status: 'completed',
        successfulDates: DATES,
        failedDates: [],
      })
    expect(job.progress.districtProgress[BROKEN]).toMatchObject({
      status: 'failed',
      successfulDates: [],
      failedDates: DATES,
    })
    expect(job.progress.districtProgress[BROKEN]?.lastError).toContain('503')
  })

  it('records each failed cell as UPSTREAM_HTTP, retryable, after maxAttempts attempts', () => {
    const cells = tracker.states.get(job.backfillId)?.ledger.days.flatMap((d) => d.cells) ?? []
    const failed = cells.filter((c) => c.state === 'failed')
    expect(failed.map((c) => `${c.date}/${c.districtId}`)).toEqual(
      DATES.map((d) => `${d}/${BROKEN}`),
    )
    for (const cell of failed) {
      expect(cell.error).toMatchObject({ code: 'UPSTREAM_HTTP', retryable: true, httpStatus: 503 })
      expect(cell.error?.attempts).toBe(FAST_RETRY.maxAttempts)
      expect(cell.attempts).toBe(FAST_RETRY.maxAttempts)
    }
  })

  it('asks for the failing report exactly maxAttempts times per date and never for the rest of that district', () => {
    const mine = datedRequests(stack).filter((r) => r.districtId === BROKEN)
    expect(mine.every((r) => r.report === 'clubperformance' && r.status === 503)).toBe(true)
    for (const date of DATES)
      expect(mine.filter((r) => r.asOf === date)).toHaveLength(FAST_RETRY.maxAttempts)
  })

  it('lists partial snapshots and marks them partial on disk', async () => {
    expect(job.partialSnapshots).toEqual(
      DATES.map((snapshotId) => ({
        snapshotId,
        successfulDistricts: ['02', '61'],
        failedDistricts: [BROKEN],
        errors: [{ districtId: BROKEN, code: 'UPSTREAM_HTTP', message: expect.any(String) }],
      })),
    )
    for (const date of DATES) {
      const r = await stack.api<Json>('GET', `/api/snapshots/${date}`)
      expect(r.body.metadata.status).toBe('partial')
      expect(r.body.metadata.failedDistricts.map((f: Json) => f.districtId)).toEqual([BROKEN])
    }
  })

  it('retries only the failed cells in a new job once the upstream recovers', async () => {
    stack.sim.clearFaults()
    stack.sim.clearLog()
    const r = await stack.api<BackfillResponse>(
      'POST',
      `/api/districts/backfill/${job.backfillId}/retry`,
    )
    expect(r.status).toBe(202)
    expect(r.body.backfillId).not.toBe(job.backfillId)
    expect(r.body.progress.total).toBe(DATES.length)
    expect(Object.keys(r.body.progress.districtProgress)).toEqual([BROKEN])
    const retried = await waitForJobEnd(stack, r.body.backfillId)
    expect(retried.status).toBe('complete')
    expect(retried.progress.completed).toBe(DATES.length)
    expect(retried.snapshotIds).toEqual(DATES)
    const requests = datedRequests(stack)
    expect(requests.length).toBeGreaterThan(0)
    expect(requests.filter((q) => q.districtId !== BROKEN)).toEqual([])
    for (const date of DATES) {
      const file = await stack.api<Json>('GET', `/api/snapshots/${date}/districts/${BROKEN}`)
      expect(file.body.detail).toBe('full')
      const meta = await stack.api<Json>('GET', `/api/snapshots/${date}`)
      expect(meta.body.metadata).toMatchObject({ status: 'complete', failedDistricts: [] })
    }
    // The original job keeps its own outcome.
    const original = await stack.api<BackfillResponse>(
      'GET',
      `/api/districts/backfill/${job.backfillId}`,
    )
    expect(original.body.status).toBe('partial_success')
  })

  it('answers 409 to a retry of a job without failures and 404 to an unknown job', async () => {
    const clean = await runJob(stack, { startDate: '2026-09-01', targetDistricts: ['02'] })
    expect(clean.status).toBe('complete')
    const r = await stack.api<Json>('POST', `/api/districts/backfill/${clean.backfillId}/retry`)
    expect([r.status, r.body.error.code]).toEqual([409, 'NOTHING_TO_RETRY'])
    const unknown = await stack.api<Json>('POST', '/api/districts/backfill/bf_nope/retry')
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'JOB_NOT_FOUND'])
  })
})

describe('the job event log over HTTP', () => {
  interface EventPage {
    backfillId: string
    total: number
    offset: number
    events: { type: string; at: string; districtId?: string; error?: { code: string } }[]
  }

  it('pages through the recorded events, oldest first', async () => {
    const url = `/api/districts/backfill/${job.backfillId}/events`
    const all = await stack.api<EventPage>('GET', `${url}?limit=1000`)
    expect(all.status).toBe(200)
    expect(all.body.backfillId).toBe(job.backfillId)
    expect(all.body.events.length).toBe(all.body.total)
    expect(all.body.events[0]?.type).toBe('job:queued')
    expect(all.body.events.at(-1)?.type).toBe('job:finished')
    const failed = all.body.events.filter((e) => e.type === 'cell:failed')
    expect(failed.map((e) => e.districtId)).toEqual(DATES.map(() => BROKEN))
    expect(failed[0]?.error?.code).toBe('UPSTREAM_HTTP')

    const page = await stack.api<EventPage>('GET', `${url}?offset=2&limit=3`)
    expect(page.body).toMatchObject({ total: all.body.total, offset: 2 })
    expect(page.body.events).toEqual(all.body.events.slice(2, 5))
  })

  it('answers 404 for an unknown job and 400 naming a bad paging field', async () => {
    const unknown = await stack.api<Json>('GET', '/api/districts/backfill/bf_nope_000000/events')
    expect(unknown.status).toBe(404)
    expect(JSON.stringify(unknown.body)).toContain('JOB_NOT_FOUND')
    const bad = await stack.api<Json>(
      'GET',
      `/api/districts/backfill/${job.backfillId}/events?limit=0`,
    )
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toContain('limit')
  })
})
