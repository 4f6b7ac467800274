/**
 * Wrong-date answers heal: around publication the dashboard serves the previous day's or the
 * current body for a while. A footer naming another as-of (or a stale body) is retried with
 * backoff up to UPSTREAM_WRONG_AS_OF_RETRIES times, apart from the attempt limit of the other
 * failures, and is never stored as data. Counted in the simulator's own log.
 */
import { access } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitForJob, type Json } from '../helpers/jobs.ts'
import { requestLog, type LoggedRequest } from '../helpers/request-log.ts'
import { trackJobs } from '../backfill/backfill-harness.ts'
import { FAST_RETRY, startResilienceStack } from './resilience-harness.ts'

const DATE = '2026-11-03'
/** Deliberately not FAST_RETRY.maxAttempts, so the count below proves which limit applied. */
const WRONG_AS_OF_RETRIES = 4

let stack: Stack
let job: BackfillResponse
let tracked: ReturnType<typeof trackJobs>
beforeAll(async () => {
  expect(WRONG_AS_OF_RETRIES + 1).not.toBe(FAST_RETRY.maxAttempts)
  stack = await startResilienceStack({
    env: { UPSTREAM_WRONG_AS_OF_RETRIES: String(WRONG_AS_OF_RETRIES) },
  })
  await configureDistricts(stack, ['21', '61'])
  stack.sim.setFaults([
    // Heals: the first answer names the day before, the next one is right.
    {
      kind: 'wrong-as-of',
      shiftDays: -1,
      count: 1,
      match: { report: 'clubperformance', districtId: '61', asOf: DATE },
    },
    // Heals: one stale copy of another day's body, footer included.
    {
      kind: 'stale',
      asOf: '2026-11-02',
      count: 1,
      match: { report: 'divisionperformance', districtId: '61', asOf: DATE },
    },
    // Never heals.
    {
      kind: 'wrong-as-of',
      shiftDays: -1,
      match: { report: 'clubperformance', districtId: '21', asOf: DATE },
    },
  ])
  tracked = trackJobs(stack)
  const started = await startJob(stack, { startDate: DATE, collectionType: 'per-district' })
  job = await waitForJob(stack, started.backfillId)
}, 60_000)
afterAll(async () => {
  tracked.stop()
  await stack.close()
})

const requestsOf = (report: string, districtId: string): LoggedRequest[] =>
  requestLog(stack).filter(
    (r) => r.report === report && r.districtId === districtId && r.asOf === DATE,
  )

describe('a wrong-date answer', () => {
  it('that heals is retried and the right body is stored', async () => {
    expect(job.progress.districtProgress['61']?.successfulDates).toEqual([DATE])
    expect(requestsOf('clubperformance', '61').map((r) => r.fault)).toEqual(['wrong-as-of', null])
    expect(requestsOf('divisionperformance', '61').map((r) => r.fault)).toEqual(['stale', null])
    const file = await stack.api<Json>('GET', `/api/snapshots/${DATE}/districts/61`)
    expect(file.status).toBe(200)
    for (const s of file.body.provenance.sources as Json[]) expect(s.footer.asOf).toBe(DATE)
  })

  it('that persists fails with its code after exactly the limit plus one requests', async () => {
    expect(job.status).toBe('partial_success')
    expect(job.progress.districtProgress['21']?.failedDates).toEqual([DATE])
    expect(job.progress.districtProgress['21']?.retryCount).toBe(WRONG_AS_OF_RETRIES)
    const failed = tracked.events.flatMap(({ event }) =>
      event.type === 'cell:failed' && event.districtId === '21' ? [event.error] : [],
    )
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({
      code: 'UPSTREAM_WRONG_AS_OF',
      retryable: true,
      attempts: WRONG_AS_OF_RETRIES + 1,
    })
    const sent = requestsOf('clubperformance', '21')
    expect(sent).toHaveLength(WRONG_AS_OF_RETRIES + 1)
    expect(sent.every((r) => r.fault === 'wrong-as-of')).toBe(true)
    // Backoff: the retries did not go out back to back.
    expect((sent.at(-1)?.at ?? 0) - (sent[0]?.at ?? 0)).toBeGreaterThanOrEqual(
      (FAST_RETRY.baseDelayMs / 2) * WRONG_AS_OF_RETRIES,
    )
  })

  it('is never stored, neither as a district file nor as a raw body', async () => {
    const file = await stack.api('GET', `/api/snapshots/${DATE}/districts/21`)
    expect(file.status).toBe(404)
    for (const dir of [DATE, '2026-11-02']) {
      const raw = path.join(stack.dataDir, 'raw-csv', dir, 'clubperformance_21.csv')
      await expect(access(raw), raw).rejects.toThrow()
    }
  })
})
