import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, type Json } from '../helpers/jobs.ts'
import { nextEvent, startBackfillStack, trackJobs } from './backfill-harness.ts'

const DISTRICTS = ['02', '21', '61']

let stack: Stack
let tracker: ReturnType<typeof trackJobs>

beforeAll(async () => {
  stack = await startBackfillStack({ overrides: { memoryStorage: true } })
  tracker = trackJobs(stack)
  await configureDistricts(stack, DISTRICTS)
}, 60_000)

afterAll(async () => {
  tracker.stop()
  await stack.close()
})

describe('cancelling a running backfill', () => {
  let job: BackfillResponse
  let cancelled: { status: number; body: BackfillResponse }

  beforeAll(async () => {
    stack.sim.addFault({ id: 'slow', kind: 'latency', ms: 200 })
    job = await startJob(stack, { startDate: '2026-08-01', endDate: '2026-08-20' })
    await nextEvent(
      stack,
      (state, event) => state.backfillId === job.backfillId && event.type === 'cell:completed',
    )
    cancelled = await stack.api<BackfillResponse>(
      'DELETE',
      `/api/districts/backfill/${job.backfillId}`,
    )
    await stack.server.services.backfills.idle()
    stack.sim.clearFaults()
  }, 60_000)

  it('answers with the cancelled job, which stays cancelled after the executor stops', async () => {
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.status).toBe('cancelled')
    const after = await stack.api<BackfillResponse>(
      'GET',
      `/api/districts/backfill/${job.backfillId}`,
    )
    expect(after.body.status).toBe('cancelled')
    expect(after.body.completedAt).not.toBeNull()
    const p = after.body.progress
    expect(p.completed).toBeGreaterThan(0)
    expect(p.completed).toBeLessThan(p.total)
    expect(p.etaSeconds).toBeNull()
  })

  it('keeps every finished cell in the store, and writes no cell that had not started', async () => {
    const state = tracker.states.get(job.backfillId)
    const cells = state?.ledger.days.flatMap((d) => d.cells) ?? []
    const unstarted = cells.filter((c) => c.state === 'cancelled' && c.startedAt === null)
    expect(unstarted.length).toBeGreaterThan(0)
    const store = stack.server.services.store
    for (const cell of cells.filter((c) => c.state === 'completed'))
      expect(await store.hasValidDistrict(cell.date, cell.districtId, 'full')).toBe(true)
    // A cell in flight when the cancel landed may still finish its write; one never started must not.
    for (const cell of unstarted)
      expect(await store.readDistrict(cell.date, cell.districtId), cell.date).toBeNull()
  })

  it('answers 409 to a second cancel and 404 to an unknown job', async () => {
    const again = await stack.api<Json>('DELETE', `/api/districts/backfill/${job.backfillId}`)
    expect([again.status, again.body.error.code]).toEqual([409, 'JOB_FINISHED'])
    const unknown = await stack.api<Json>('DELETE', '/api/districts/backfill/bf_unknown_1')
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'JOB_NOT_FOUND'])
  })
})
