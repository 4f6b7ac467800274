/**
 * The reprocess choice over real HTTP and the simulator: a date whose snapshot records a failure
 * for one district (a 500 with retries off), then each choice's dry run and run. The dry run
 * states what the run does, and the run asks the simulator for exactly the cells it says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eachDate } from '../../src/shared/iso-date.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, type Json } from '../helpers/jobs.ts'
import { exportRequests, runJob, startBackfillStack } from './backfill-harness.ts'
import { waitForJobEnd } from '../helpers/jobs.ts'

const DISTRICTS = ['02', '61']
const DATES = eachDate('2026-09-20', '2026-09-21')
const FAILED = { date: '2026-09-21', districtId: '61' }
const REQUEST = {
  startDate: DATES[0],
  endDate: DATES.at(-1),
  targetDistricts: DISTRICTS,
  collectionType: 'per-district',
  enableCaching: false,
}

let stack: Stack

beforeAll(async () => {
  stack = await startBackfillStack({ overrides: { memoryStorage: true } })
  await configureDistricts(stack, DISTRICTS)
  stack.sim.addFault({
    kind: 'server-error',
    status: 500,
    match: { districtId: FAILED.districtId, asOf: FAILED.date },
  })
  try {
    const first = await runJob(stack, { ...REQUEST, retryFailures: false })
    expect(first.status).toBe('partial_success')
  } finally {
    stack.sim.clearFaults()
  }
}, 60_000)

afterAll(async () => {
  await stack.close()
})

async function dryRun(body: Json) {
  const r = await stack.api<Json>('POST', '/api/districts/backfill', { ...body, dryRun: true })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return r.body
}

/** `date|district` of every district cell the simulator was asked for. */
function fetchedCells(): string[] {
  const cells = exportRequests(stack)
    .filter((r) => r.districtId !== null)
    .map((r) => `${r.asOf}|${r.districtId}`)
  return [...new Set(cells)].sort()
}

const cellsOf = (plan: Json) =>
  (plan.cells as Json[]).map(
    (c) => `${c.date}|${c.districtId}|${c.action}${c.why ? `|${c.why}` : ''}`,
  )

describe('reprocess: missing, missing and failed, everything again', () => {
  it('records the failed cell in the coverage report', async () => {
    const r = await stack.api<Json>('GET', `/api/coverage?from=${DATES[0]}&to=${DATES.at(-1)}`)
    expect(r.status).toBe(200)
    const day = (r.body.dates as Json[]).find((d) => d.asOf === FAILED.date)
    expect(day?.districts[FAILED.districtId]?.status).toBe('failed')
  })

  it('missing only: skips the recorded failure in the dry run and in the run', async () => {
    const plan = await dryRun({ ...REQUEST, reprocess: 'missing' })
    expect(cellsOf(plan)).toEqual([
      '2026-09-20|02|skip',
      '2026-09-20|61|skip',
      '2026-09-21|02|skip',
      '2026-09-21|61|skip|recorded-failure',
    ])
    expect(plan.counts).toMatchObject({ fetch: 0, skip: 4 })
    expect(plan.requests.total).toBe(0)
    stack.sim.clearLog()
    const job = await runJob(stack, { ...REQUEST, reprocess: 'missing' })
    expect(job.status).toBe('complete')
    expect(job.progress).toMatchObject({ skipped: 4, completed: 0, failed: 0 })
    expect(fetchedCells()).toEqual([])
  })

  it('missing and failed (the default): fetches the recorded failure, and only it', async () => {
    const plan = await dryRun(REQUEST)
    expect(plan.request.reprocess).toBe('missing-and-failed')
    expect(cellsOf(plan).filter((c) => !c.endsWith('|skip'))).toEqual([
      '2026-09-21|61|fetch|recorded-failure',
    ])
    expect(plan.counts).toMatchObject({ fetch: 1, skip: 3 })
    stack.sim.clearLog()
    const job = await runJob(stack, { ...REQUEST, reprocess: 'missing-and-failed' })
    expect(job.status).toBe('complete')
    expect(job.progress).toMatchObject({ skipped: 3, completed: 1, failed: 0 })
    expect(fetchedCells()).toEqual(['2026-09-21|61'])
    // Stored now: missing-and-failed has nothing left to do.
    expect((await dryRun(REQUEST)).counts).toMatchObject({ fetch: 0, skip: 4 })
  })

  it('everything again: fetches every cell, as skipExisting false does', async () => {
    const plan = await dryRun({ ...REQUEST, reprocess: 'all' })
    expect(plan.counts).toMatchObject({ fetch: 4, skip: 0 })
    expect((await dryRun({ ...REQUEST, skipExisting: false })).cells).toEqual(plan.cells)
    stack.sim.clearLog()
    const job = await runJob(stack, { ...REQUEST, reprocess: 'all' })
    expect(job.progress).toMatchObject({ completed: 4, skipped: 0 })
    expect(fetchedCells()).toEqual(DATES.flatMap((d) => DISTRICTS.map((id) => `${d}|${id}`)))
  })

  it('rejects reprocess against a contradicting skipExisting, naming the field', async () => {
    const r = await stack.api<Json>('POST', '/api/districts/backfill', {
      ...REQUEST,
      reprocess: 'missing',
      skipExisting: false,
      dryRun: true,
    })
    expect(r.status).toBe(400)
    expect(JSON.stringify(r.body)).toContain('reprocess missing contradicts skipExisting false')
  })

  it('a retry of a missing-only job fetches the cells that failed in it', async () => {
    const date = '2026-09-22'
    const body = { ...REQUEST, startDate: date, endDate: date, reprocess: 'missing' }
    stack.sim.addFault({
      kind: 'server-error',
      status: 500,
      match: { districtId: '61', asOf: date },
    })
    let failed
    try {
      failed = await runJob(stack, { ...body, retryFailures: false })
    } finally {
      stack.sim.clearFaults()
    }
    expect(failed.status).toBe('partial_success')
    stack.sim.clearLog()
    const r = await stack.api<Json>('POST', `/api/districts/backfill/${failed.backfillId}/retry`)
    expect(r.status).toBe(202)
    const retried = await waitForJobEnd(stack, r.body.backfillId as string)
    expect(retried.status).toBe('complete')
    expect(retried.progress).toMatchObject({ completed: 1, skipped: 0 })
    expect(fetchedCells()).toEqual([`${date}|61`])
  })
})
