/**
 * docs/architecture.md#errors-and-retries: a flaky upstream (30 % of answers are 5xx, seeded) still yields every cell,
 * stored in full and equal to what the upstream publishes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitForJob, type Json } from '../helpers/jobs.ts'
import { requestLog } from '../helpers/request-log.ts'
import { startResilienceStack } from './resilience-harness.ts'

const DATES = ['2026-11-03', '2026-11-04', '2026-11-05']
const DISTRICTS = ['09', '21', '61']

let stack: Stack
beforeAll(async () => {
  stack = await startResilienceStack({
    env: { UPSTREAM_MAX_REQUESTS: '0', CIRCUIT_FAILURE_THRESHOLD: '1000' },
    overrides: { retryPolicy: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 40 } },
  })
  await configureDistricts(stack, DISTRICTS)
})
afterAll(() => stack.close())

describe('a 30 % server-error rate', () => {
  it('completes with every cell stored, retrying the failed requests', async () => {
    stack.sim.addFault({ kind: 'server-error', status: 503, probability: 0.3 })
    const job = await startJob(stack, {
      startDate: DATES[0],
      endDate: DATES.at(-1),
      collectionType: 'per-district',
    })
    const done = await waitForJob(stack, job.backfillId)
    expect(done.status).toBe('complete')
    expect(done.progress).toMatchObject({ total: 9, completed: 9, failed: 0 })

    const log = requestLog(stack)
    const errors = log.filter((r) => r.status === 503).length
    // The fault really fired, about as often as asked.
    expect(errors / log.length).toBeGreaterThan(0.1)
    expect(errors / log.length).toBeLessThan(0.5)
    const retries = Object.values(done.progress.districtProgress).reduce(
      (n, d) => n + d.retryCount,
      0,
    )
    expect(retries).toBeGreaterThan(0)

    for (const date of DATES) {
      expect((await stack.api('GET', `/api/snapshots/${date}/all-districts`)).status).toBe(200)
      for (const id of DISTRICTS) {
        const file = await stack.api<Json>('GET', `/api/snapshots/${date}/districts/${id}`)
        expect(file.status, `${date} ${id}`).toBe(200)
        expect(file.body).toMatchObject({ districtId: id, asOf: date, detail: 'full' })
        expect(file.body.statistics.clubs).toHaveLength(
          stack.sim.truth.clubs(id, date)?.length ?? -1,
        )
      }
    }
  })
})
