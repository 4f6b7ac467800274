/**
 * A snapshot's status says what it holds: `complete` only when every district of the date's
 * scope is stored at the detail asked, and metadata and coverage follow the latest outcome of
 * each district whichever job produced it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import { configureDistricts, startJob, waitForJobEnd, type Json } from '../helpers/jobs.ts'
import type { Stack } from '../helpers/stack.ts'
import { nextEvent, runJob, startBackfillStack } from './backfill-harness.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startBackfillStack({ overrides: { memoryStorage: true } })
  await configureDistricts(stack, ['02', '21', '61'])
}, 30_000)
afterAll(() => stack.close())

async function snapshot(date: string): Promise<{ status: number; body: Json }> {
  return stack.api<Json>('GET', `/api/snapshots/${date}`)
}

async function current(): Promise<string | null> {
  return (await stack.api<Json>('GET', '/api/snapshots')).body.current ?? null
}

describe('a cancelled job', () => {
  const DATE = '2026-10-14'
  let cancelled: BackfillResponse

  beforeAll(async () => {
    // District 61 answers slowly, so it is still in flight when 02 is stored and the job is cancelled.
    stack.sim.addFault({ id: 'slow-61', kind: 'latency', ms: 5_000, match: { districtId: '61' } })
    const job = await startJob(stack, {
      startDate: DATE,
      targetDistricts: ['02', '61'],
      collectionType: 'per-district',
    })
    await nextEvent(
      stack,
      (s, e) =>
        s.backfillId === job.backfillId && e.type === 'cell:completed' && e.districtId === '02',
    )
    const r = await stack.api<BackfillResponse>(
      'DELETE',
      `/api/districts/backfill/${job.backfillId}`,
    )
    expect(r.status).toBe(200)
    cancelled = await waitForJobEnd(stack, job.backfillId)
    stack.sim.clearFaults()
  }, 30_000)

  it('leaves the date partial, naming the district it did not store and why', async () => {
    expect(cancelled.status).toBe('cancelled')
    const r = await snapshot(DATE)
    expect(r.status).toBe(200)
    expect(Object.keys(r.body.manifest.districts)).toEqual(['02'])
    expect(r.body.metadata.status).toBe('partial')
    expect(r.body.metadata.failedDistricts).toEqual([
      {
        districtId: '61',
        code: 'CANCELLED',
        message: expect.stringContaining(cancelled.backfillId),
      },
    ])
    const listing = await stack.api<Json>('GET', `/api/snapshots?from=${DATE}&to=${DATE}`)
    expect(listing.body.snapshots).toMatchObject([
      { asOf: DATE, status: 'partial', districtCount: 1, failedCount: 1 },
    ])
  })

  it('does not move current.json onto the date', async () => {
    expect(await current()).toBeNull()
  })

  it('finishes the remaining cells through retry, which says which job it continues', async () => {
    const r = await stack.api<BackfillResponse>(
      'POST',
      `/api/districts/backfill/${cancelled.backfillId}/retry`,
    )
    expect(r.status).toBe(202)
    expect(r.body.retryOf).toBe(cancelled.backfillId)
    expect(Object.keys(r.body.progress.districtProgress)).toEqual(['61'])
    const done = await waitForJobEnd(stack, r.body.backfillId)
    expect(done.status).toBe('complete')
    expect(done.retryOf).toBe(cancelled.backfillId)
    const after = await snapshot(DATE)
    expect(after.body.metadata).toMatchObject({ status: 'complete', failedDistricts: [] })
    expect(Object.keys(after.body.manifest.districts).sort()).toEqual(['02', '61'])
    expect(await current()).toBe(DATE)
  })
})

describe('a job cancelled before any district is stored', () => {
  const DATE = '2026-10-20'

  it('leaves no complete snapshot with zero districts', async () => {
    stack.sim.addFault({
      id: 'slow-all',
      kind: 'latency',
      ms: 5_000,
      match: { report: 'clubperformance' },
    })
    const job = await startJob(stack, { startDate: DATE, collectionType: 'per-district' })
    await nextEvent(stack, (s, e) => s.backfillId === job.backfillId && e.type === 'cell:started')
    await stack.api('DELETE', `/api/districts/backfill/${job.backfillId}`)
    await waitForJobEnd(stack, job.backfillId)
    stack.sim.clearFaults()
    const r = await snapshot(DATE)
    expect(r.status).toBe(200)
    expect(r.body.metadata.status).toBe('partial')
    expect(Object.keys(r.body.manifest.districts)).toEqual([])
    expect(r.body.metadata.failedDistricts.map((f: Json) => [f.districtId, f.code])).toEqual([
      ['02', 'CANCELLED'],
      ['21', 'CANCELLED'],
      ['61', 'CANCELLED'],
    ])
  }, 30_000)
})

describe('a district that failed, collected by a later job', () => {
  const DATE = '2026-10-22'

  it('drops the old failure from metadata and shows the district stored in coverage', async () => {
    stack.sim.addFault({
      id: 'wrong-21',
      kind: 'wrong-as-of',
      shiftDays: -1,
      match: { districtId: '21', asOf: DATE },
    })
    const first = await runJob(stack, { startDate: DATE, collectionType: 'per-district' })
    expect(first.status).toBe('partial_success')
    const before = await snapshot(DATE)
    expect(before.body.metadata).toMatchObject({
      status: 'partial',
      failedDistricts: [{ districtId: '21', code: 'UPSTREAM_WRONG_AS_OF' }],
    })
    stack.sim.clearFaults()

    const second = await runJob(stack, { startDate: DATE, collectionType: 'per-district' })
    expect(second.status).toBe('complete')
    expect(second.progress).toMatchObject({ completed: 1, skipped: 2 })
    const after = await snapshot(DATE)
    expect(after.body.metadata).toMatchObject({ status: 'complete', failedDistricts: [] })
    const coverage = await stack.api<Json>(
      'GET',
      `/api/coverage?from=${DATE}&to=${DATE}&districts=02,21,61`,
    )
    expect(coverage.body.dates).toEqual([
      {
        asOf: DATE,
        snapshot: 'complete',
        dataMonths: [DATE.slice(0, 7)],
        districts: {
          '02': { detail: 'full', status: 'ok' },
          '21': { detail: 'full', status: 'ok' },
          '61': { detail: 'full', status: 'ok' },
        },
      },
    ])
  }, 30_000)
})

describe('a district recorded failed that the date turns out not to have', () => {
  const DATE = '2026-10-27'

  it('drops the failure once a job finds the district absent from the summary', async () => {
    const first = await runJob(stack, {
      startDate: DATE,
      targetDistricts: ['02'],
      collectionType: 'per-district',
    })
    expect(first.status).toBe('complete')
    // What an earlier run left: a failure for a district the date's summary does not list.
    await stack.server.services.store.recordFailures(DATE, [
      { districtId: 'Z9', code: 'UPSTREAM_WRONG_MONTH', message: 'another month answered' },
    ])
    expect((await snapshot(DATE)).body.metadata.status).toBe('partial')
    const added = await stack.api('POST', '/api/districts', { districts: ['Z9'] })
    expect(added.status).toBe(200)
    try {
      const job = await runJob(stack, {
        startDate: DATE,
        targetDistricts: ['Z9'],
        collectionType: 'per-district',
      })
      // The only district asked is not on the date: the job says so (docs/upstream.md#the-district-set-of-a-date).
      expect(job.status).toBe('error')
      expect(job.progress).toMatchObject({ total: 1, notADistrict: 1 })
      expect((await snapshot(DATE)).body.metadata).toMatchObject({
        status: 'complete',
        failedDistricts: [],
      })
      const coverage = await stack.api<Json>(
        'GET',
        `/api/coverage?from=${DATE}&to=${DATE}&districts=02,Z9`,
      )
      expect(coverage.body.dates[0]).toMatchObject({
        snapshot: 'complete',
        districts: { '02': { status: 'ok' }, Z9: { status: 'not-a-district' } },
      })
    } finally {
      await stack.api('DELETE', '/api/districts/Z9')
    }
  }, 30_000)
})
