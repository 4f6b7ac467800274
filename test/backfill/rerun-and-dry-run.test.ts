import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eachDate } from '../../src/shared/iso-date.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, type Json } from '../helpers/jobs.ts'
import { datedRequests, runJob, startBackfillStack } from './backfill-harness.ts'

const DISTRICTS = ['02', '21', '61']
const DATES = eachDate('2026-09-20', '2026-09-24')
const REQUEST = { startDate: DATES[0], endDate: DATES.at(-1), targetDistricts: DISTRICTS }
const CELLS = DATES.length * DISTRICTS.length

let stack: Stack

beforeAll(async () => {
  stack = await startBackfillStack({ overrides: { memoryStorage: true } })
  await configureDistricts(stack, DISTRICTS)
}, 60_000)

afterAll(async () => {
  await stack.close()
})

async function dryRun(body: Json) {
  const r = await stack.api<Json>('POST', '/api/districts/backfill', { ...body, dryRun: true })
  expect(r.status).toBe(200)
  return r.body
}

async function jobCount(): Promise<number> {
  return (await stack.api<Json>('GET', '/api/districts/backfill')).body.total as number
}

describe('dry run, first run, second run', () => {
  it('plans with exact request counts and starts nothing', async () => {
    stack.sim.clearLog()
    const plan = await dryRun(REQUEST)
    expect(plan.dryRun).toBe(true)
    expect(plan.collectionStrategy.type).toBe('per-district')
    expect(plan.dates).toBe(DATES.length)
    expect(plan.counts).toEqual({
      total: CELLS,
      fetch: CELLS,
      skip: 0,
      unavailable: 0,
      notADistrict: 0,
    })
    expect(plan.requests).toEqual({
      summary: DATES.length,
      perDistrict: 3 * CELLS,
      total: DATES.length + 3 * CELLS,
      exact: true,
    })
    expect(plan.cells).toHaveLength(CELLS)
    expect(plan.cells.every((c: Json) => c.action === 'fetch' && c.stored === null)).toBe(true)
    expect(await jobCount()).toBe(0)
    expect(datedRequests(stack)).toEqual([])
  })

  it('makes exactly the planned number of upstream requests on the first run', async () => {
    const plan = await dryRun(REQUEST)
    stack.sim.clearLog()
    const job = await runJob(stack, REQUEST)
    expect(job.status).toBe('complete')
    expect(job.progress.completed).toBe(CELLS)
    expect(datedRequests(stack)).toHaveLength(plan.requests.total as number)
  })

  it('makes zero upstream requests on a second identical run, skipping every cell', async () => {
    stack.sim.clearLog()
    const job = await runJob(stack, REQUEST)
    expect(job.status).toBe('complete')
    expect(job.progress).toMatchObject({ total: CELLS, skipped: CELLS, completed: 0, failed: 0 })
    for (const id of DISTRICTS) {
      expect(job.progress.districtProgress[id]?.status).toBe('skipped')
      expect(job.progress.districtProgress[id]?.successfulDates).toEqual(DATES)
    }
    expect(job.snapshotIds).toEqual([])
    expect(datedRequests(stack)).toEqual([])
  })

  it('shows the stored cells as skip in a later dry run, costing no request', async () => {
    const plan = await dryRun(REQUEST)
    expect(plan.counts).toEqual({
      total: CELLS,
      fetch: 0,
      skip: CELLS,
      unavailable: 0,
      notADistrict: 0,
    })
    expect(plan.requests.total).toBe(0)
    expect(plan.cells.every((c: Json) => c.action === 'skip' && c.stored === 'full')).toBe(true)
    // Summary-level files are enough for a system-wide plan, but never for a per-district one.
    const wide = await dryRun({ ...REQUEST, collectionType: 'system-wide' })
    expect(wide.counts.skip).toBe(CELLS)
  })

  it('refetches everything when skipExisting is false', async () => {
    const plan = await dryRun({ ...REQUEST, skipExisting: false })
    expect(plan.counts.fetch).toBe(CELLS)
    expect(plan.requests.total).toBe(DATES.length + 3 * CELLS)
  })

  it('reruns an open-scope (every district) backfill without any upstream request', async () => {
    await configureDistricts(stack, [])
    const body = { startDate: '2026-11-20', endDate: '2026-11-22' }
    const first = await runJob(stack, body)
    expect(first.status).toBe('complete')
    stack.sim.clearLog()
    const second = await runJob(stack, body)
    expect(second.status).toBe('complete')
    expect(second.progress.skipped).toBe(first.progress.completed)
    expect(second.progress.completed).toBe(0)
    expect(datedRequests(stack)).toEqual([])
  })
})
