/**
 * What every JobQueue implementation (job-queue.ts) must do, run against each of them: the
 * in-process one (in-process-job-queue.test.ts) and PostgreSQL's (pg-job-queue.pg.test.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { JobSpec } from './job-events.ts'
import type { ClaimedJob, JobQueue } from './job-queue.ts'
import { makeRequest, makeScope, makeStrategy } from './test-fixtures.ts'

export const CONTRACT_T0 = Date.parse('2026-03-10T00:00:00.000Z')
const HINTS = { latestPublishedAsOf: '2026-03-08' }

export interface QueueUnderTest {
  queue: JobQueue
  /** Moves the queue's clock on. */
  tick(ms?: number): void
  close(): Promise<void>
}

export type MakeQueue = (limits: {
  maxRunningJobs: number
  maxQueuedJobs: number
}) => Promise<QueueUnderTest>

export function contractSpec(n: number, targets = ['61']): JobSpec {
  const scope = makeScope(targets, [])
  return {
    backfillId: `bf_test_${String(n).padStart(4, '0')}`,
    kind: 'global',
    districtId: null,
    request: makeRequest(),
    scope,
    strategy: makeStrategy('system-wide', scope),
    cells: targets.map((districtId) => ({ date: '2026-03-01', districtId })),
  }
}

/** Finishes a claimed job the way the worker does. */
export async function finishClaimed(job: ClaimedJob): Promise<void> {
  const at = new Date(CONTRACT_T0).toISOString()
  for (const districtId of job.state.scope.targetDistricts)
    job.emit({ type: 'cell:skipped', at, date: '2026-03-01', districtId })
  job.emit({ type: 'job:finished', at })
  await job.release()
}

export function runJobQueueContract(name: string, make: MakeQueue): void {
  describe(`JobQueue contract: ${name}`, () => {
    const open: QueueUnderTest[] = []
    afterEach(async () => {
      for (const q of open.splice(0)) await q.close()
    })
    const setup = async (maxRunningJobs = 2, maxQueuedJobs = 10) => {
      const q = await make({ maxRunningJobs, maxQueuedJobs })
      open.push(q)
      return q
    }

    it('hands out the oldest runnable jobs, at most the running limit, each already processing', async () => {
      const { queue, tick } = await setup()
      for (const n of [1, 2, 3]) {
        await queue.enqueue(contractSpec(n), HINTS)
        tick()
      }
      const first = await queue.claim()
      const second = await queue.claim()
      expect([first?.state.backfillId, second?.state.backfillId]).toEqual([
        contractSpec(1).backfillId,
        contractSpec(2).backfillId,
      ])
      expect(first?.state.status).toBe('processing')
      expect(first?.hints).toEqual(HINTS)
      const third = queue.claim()
      expect((await queue.get(contractSpec(3).backfillId))?.status).toBe('queued')
      if (!first || !second) throw new Error('no job claimed')
      await finishClaimed(first)
      const claimedThird = await third
      expect(claimedThird?.state.backfillId).toBe(contractSpec(3).backfillId)
      expect((await queue.get(contractSpec(1).backfillId))?.status).toBe('complete')
      await finishClaimed(second)
      if (claimedThird) await finishClaimed(claimedThird)
    })

    it('refuses a job beyond the queued limit, naming the limit', async () => {
      const { queue } = await setup(1, 1)
      await queue.enqueue(contractSpec(1), HINTS)
      // A running job takes no waiting place.
      const running = await queue.claim()
      await queue.enqueue(contractSpec(2), HINTS)
      await expect(queue.enqueue(contractSpec(3), HINTS)).rejects.toMatchObject({
        code: 'QUEUE_FULL',
        message: expect.stringMatching(/limit 1/),
      })
      expect(await queue.get(contractSpec(3).backfillId)).toBeNull()
      if (running) await finishClaimed(running)
    })

    it('cancel aborts the claimed run, a waiting job is never claimed, and a cancelled job stays cancelled', async () => {
      const { queue } = await setup(1)
      for (const n of [1, 2, 3]) await queue.enqueue(contractSpec(n), HINTS)
      const running = await queue.claim()
      if (!running) throw new Error('no job claimed')
      expect((await queue.cancel(contractSpec(2).backfillId))?.status).toBe('cancelled')
      const next = queue.claim()
      expect((await queue.cancel(contractSpec(1).backfillId))?.status).toBe('cancelled')
      await vi.waitFor(() => expect(running.signal.aborted).toBe(true), { timeout: 5000 })
      expect(running.isCancelled()).toBe(true)
      // What the run still emits while winding down changes nothing.
      await finishClaimed(running)
      expect((await queue.get(contractSpec(1).backfillId))?.status).toBe('cancelled')
      const third = await next
      expect(third?.state.backfillId).toBe(contractSpec(3).backfillId)
      expect(await queue.cancel('bf_test_9999')).toBeNull()
      if (third) await finishClaimed(third)
    })

    it('tells subscribers every change until they unsubscribe', async () => {
      const { queue } = await setup()
      const seen: string[] = []
      const stop = queue.subscribe((state, event) => seen.push(`${state.status}:${event.type}`))
      await queue.enqueue(contractSpec(1), HINTS)
      const job = await queue.claim()
      await vi.waitFor(() => expect(seen).toContain('processing:job:started'), { timeout: 5000 })
      stop()
      if (job) await finishClaimed(job)
      await queue.idle()
      expect(seen.filter((s) => s.includes('job:finished'))).toEqual([])
    })

    it('lists newest first with the status, type and district filters and paging', async () => {
      const { queue, tick } = await setup(1)
      await queue.enqueue(contractSpec(1, ['61']), HINTS)
      tick()
      await queue.enqueue(contractSpec(2, ['21', '61']), HINTS)
      tick()
      await queue.enqueue(contractSpec(3, ['21']), HINTS)
      const ids = (r: { jobs: { backfillId: string }[] }) =>
        r.jobs.map((j) => j.backfillId.slice(-1))
      expect(ids(await queue.list({ limit: 10, offset: 0 }))).toEqual(['3', '2', '1'])
      const d61 = await queue.list({ districtId: '61', limit: 1, offset: 1 })
      expect([d61.total, ids(d61)]).toEqual([2, ['1']])
      const job = await queue.claim()
      const processing = await queue.list({ status: 'processing', limit: 10, offset: 0 })
      expect(ids(processing)).toEqual(['1'])
      expect((await queue.list({ type: 'district', limit: 10, offset: 0 })).total).toBe(0)
      if (job) await finishClaimed(job)
    })

    it('idle waits for every job, and cleanup removes finished jobs once they ended long enough ago', async () => {
      const { queue } = await setup(1)
      await queue.enqueue(contractSpec(1), HINTS)
      await queue.enqueue(contractSpec(2), HINTS)
      const worker = (async () => {
        for (let i = 0; i < 2; i++) {
          const job = await queue.claim()
          if (!job) return
          await new Promise((resolve) => setTimeout(resolve, 10))
          await finishClaimed(job)
        }
      })()
      await queue.idle()
      const statuses = (await queue.list({ limit: 10, offset: 0 })).jobs.map((j) => j.status)
      expect(statuses).toEqual(['complete', 'complete'])
      await worker
      expect(await queue.get('bf_test_9999')).toBeNull()
      expect(await queue.cleanup(CONTRACT_T0)).toEqual([])
      expect(await queue.cleanup(CONTRACT_T0 + 1)).toEqual([
        contractSpec(1).backfillId,
        contractSpec(2).backfillId,
      ])
      expect(await queue.get(contractSpec(1).backfillId)).toBeNull()
    })
  })
}
