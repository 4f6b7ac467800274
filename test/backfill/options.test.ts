/**
 * The request options that change how cells are collected, each against its opposite:
 * enableCaching, skipExisting and retryFailures (the simulator's log counts the requests).
 */
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts } from '../helpers/jobs.ts'
import { datedRequests, runJob, startBackfillStack } from './backfill-harness.ts'

const REQUEST = {
  startDate: '2026-09-10',
  endDate: '2026-09-11',
  targetDistricts: ['61'],
  collectionType: 'per-district',
}

let stack: Stack
beforeAll(async () => {
  stack = await startBackfillStack()
  await configureDistricts(stack, ['61'])
}, 60_000)
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  stack.sim.clearFaults()
})

const dropSnapshots = () =>
  rm(path.join(stack.dataDir, 'snapshots'), { recursive: true, force: true })

async function requestsDuring(body: Record<string, unknown>) {
  stack.sim.clearLog()
  const job = await runJob(stack, body)
  return { job, requests: datedRequests(stack).length }
}

describe('backfill options', () => {
  it('enableCaching rebuilds lost snapshots from the raw CSV cache, and false refetches them', async () => {
    const first = await requestsDuring(REQUEST)
    expect(first.job.status).toBe('complete')
    expect(first.requests).toBe(2 * 4)

    await dropSnapshots()
    const cached = await requestsDuring(REQUEST)
    expect(cached.job.progress).toMatchObject({ completed: 2, skipped: 0 })
    expect(cached.requests).toBe(0)

    await dropSnapshots()
    const uncached = await requestsDuring({ ...REQUEST, enableCaching: false })
    expect(uncached.job.progress).toMatchObject({ completed: 2, skipped: 0 })
    expect(uncached.requests).toBe(2 * 4)
  })

  it('skipExisting: false collects stored cells again; the default skips them', async () => {
    const skipped = await requestsDuring(REQUEST)
    expect(skipped.job.progress).toMatchObject({ completed: 0, skipped: 2 })
    expect(skipped.requests).toBe(0)

    const again = await requestsDuring({ ...REQUEST, skipExisting: false, enableCaching: false })
    expect(again.job.progress).toMatchObject({ completed: 2, skipped: 0 })
    expect(again.requests).toBe(2 * 4)
  })

  it('retryFailures: false makes one attempt; the default retries a transient failure', async () => {
    const body = {
      ...REQUEST,
      startDate: '2026-09-12',
      endDate: '2026-09-12',
      enableCaching: false,
    }
    const fault = {
      kind: 'server-error' as const,
      status: 503,
      count: 1,
      match: { report: 'clubperformance' as const },
    }

    stack.sim.addFault(fault)
    const once = await requestsDuring({ ...body, retryFailures: false })
    expect(once.job.status).toBe('error')
    const failed = Object.values(once.job.progress.districtProgress)[0]
    expect(failed?.failedDates).toEqual(['2026-09-12'])
    expect(datedRequests(stack).filter((r) => r.report === 'clubperformance')).toHaveLength(1)

    stack.sim.clearFaults()
    stack.sim.addFault(fault)
    const retried = await requestsDuring(body)
    expect(retried.job.status).toBe('complete')
    expect(datedRequests(stack).filter((r) => r.report === 'clubperformance')).toHaveLength(2)
  })
})
