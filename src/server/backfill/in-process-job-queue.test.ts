import { describe, expect, it } from 'vitest'
import { createMemoryJobEventLog, type JobEventLog } from '../jobs/index.ts'
import { createSilentLogger } from '../logger.ts'
import { createInProcessJobQueue, type InProcessJobQueueOptions } from './in-process-job-queue.ts'
import type { JobEvent, JobSpec } from './job-events.ts'
import type { ClaimedJob } from './job-queue.ts'
import { makeRequest, makeScope, makeStrategy } from './test-fixtures.ts'
import { runJobQueueContract } from './job-queue.contract.ts'

const T0 = Date.parse('2026-03-10T00:00:00.000Z')
const HINTS = { latestPublishedAsOf: '2026-03-08' }

function spec(n: number): JobSpec {
  const scope = makeScope(['61'], [])
  return {
    backfillId: `bf_test_${String(n).padStart(4, '0')}`,
    kind: 'global',
    districtId: null,
    request: makeRequest(),
    scope,
    strategy: makeStrategy('system-wide', scope),
    cells: [{ date: '2026-03-01', districtId: '61' }],
  }
}

function setup(over: Partial<InProcessJobQueueOptions> = {}) {
  let nowMs = T0
  const eventLog: JobEventLog<JobEvent> = over.eventLog ?? createMemoryJobEventLog<JobEvent>()
  const queue = createInProcessJobQueue({
    eventLog,
    now: () => nowMs,
    logger: createSilentLogger(),
    maxRunningJobs: 2,
    maxQueuedJobs: 10,
    ...over,
  })
  const tick = (ms = 1000) => (nowMs += ms)
  return { queue, eventLog, tick }
}

/** Finishes a claimed job the way the worker does. */
async function finish(job: ClaimedJob) {
  const at = new Date(T0).toISOString()
  job.emit({ type: 'cell:skipped', at, date: '2026-03-01', districtId: '61' })
  job.emit({ type: 'job:finished', at })
  await job.release()
}

describe('in-process job queue', () => {
  // Claim order, the limits and QUEUE_FULL are the contract's (runJobQueueContract below).
  it('keeps no job its log could not record', async () => {
    const log = createMemoryJobEventLog<JobEvent>()
    const failing: JobEventLog<JobEvent> = {
      ...log,
      persist: () => Promise.reject(new Error('ENOSPC: no space left')),
    }
    const { queue } = setup({ eventLog: failing })
    await expect(queue.enqueue(spec(1), HINTS)).rejects.toThrow(/ENOSPC/)
    expect(await queue.get(spec(1).backfillId)).toBeNull()
    expect((await queue.list({ limit: 10, offset: 0 })).total).toBe(0)
  })

  it('cancel aborts the claimed run, frees its slot at once, and a waiting job is never claimed', async () => {
    const { queue } = setup({ maxRunningJobs: 1 })
    await queue.enqueue(spec(1), HINTS)
    await queue.enqueue(spec(2), HINTS)
    await queue.enqueue(spec(3), HINTS)
    const running = await queue.claim()
    if (!running) throw new Error('no job claimed')
    expect((await queue.cancel(spec(2).backfillId))?.status).toBe('cancelled')
    const next = queue.claim()
    expect((await queue.cancel(spec(1).backfillId))?.status).toBe('cancelled')
    expect(running.signal.aborted).toBe(true)
    expect(running.isCancelled()).toBe(true)
    // The cancelled run still winds down, yet the next job has its slot.
    expect((await next)?.state.backfillId).toBe(spec(3).backfillId)
    expect(await queue.cancel('bf_test_9999')).toBeNull()
    await running.release()
  })

  it('tells subscribers every change until they unsubscribe', async () => {
    const { queue } = setup()
    const seen: string[] = []
    const stop = queue.subscribe((state, event) => seen.push(`${state.status}:${event.type}`))
    await queue.enqueue(spec(1), HINTS)
    const job = await queue.claim()
    stop()
    if (job) await finish(job)
    expect(seen).toEqual(['processing:job:started'])
  })

  it('idle waits for the job a release hands on, not only for the one running', async () => {
    const { queue } = setup({ maxRunningJobs: 1 })
    await queue.enqueue(spec(1), HINTS)
    await queue.enqueue(spec(2), HINTS)
    const worker = (async () => {
      for (let i = 0; i < 2; i++) {
        const job = await queue.claim()
        if (!job) return
        await new Promise((resolve) => setTimeout(resolve, 10))
        await finish(job)
      }
    })()
    await queue.idle()
    const statuses = (await queue.list({ limit: 10, offset: 0 })).jobs.map((j) => j.status)
    expect(statuses).toEqual(['complete', 'complete'])
    await worker
  })

  it('close aborts runs without cancelling them and ends a waiting claim; restore resumes them with fresh hints', async () => {
    const eventLog = createMemoryJobEventLog<JobEvent>()
    const first = setup({ eventLog: { ...eventLog, close: async () => undefined } })
    await first.queue.enqueue(spec(1), HINTS)
    const running = await first.queue.claim()
    const waiting = first.queue.claim()
    if (!running) throw new Error('no job claimed')
    const closed = first.queue.close()
    expect(running.signal.aborted).toBe(true)
    expect(running.isCancelled()).toBe(false)
    expect(await waiting).toBeNull()
    await running.release()
    await closed

    const again = setup({ eventLog })
    const fresh = { latestPublishedAsOf: '2026-03-09' }
    expect(await again.queue.restore(async () => fresh)).toEqual({
      resumed: [spec(1).backfillId],
      loaded: 1,
    })
    const resumed = await again.queue.claim()
    expect(resumed?.state.status).toBe('processing')
    expect(resumed?.hints).toEqual(fresh)
    if (resumed) await finish(resumed)
  })

  it('finds a finished job in its durable record, and cleanup removes it once it ended long enough ago', async () => {
    const eventLog = createMemoryJobEventLog<JobEvent>()
    const writer = setup({ eventLog })
    await writer.queue.enqueue(spec(1), HINTS)
    const job = await writer.queue.claim()
    if (job) await finish(job)

    const reader = setup({ eventLog })
    expect((await reader.queue.get(spec(1).backfillId))?.status).toBe('complete')
    expect(await reader.queue.get('bf_test_9999')).toBeNull()
    expect(await reader.queue.cleanup(T0)).toEqual([])
    expect(await reader.queue.cleanup(T0 + 1)).toEqual([spec(1).backfillId])
    expect(await eventLog.list()).toEqual([])
  })
})

runJobQueueContract('in-process', async (limits) => {
  const { queue, tick } = setup(limits)
  return { queue, tick, close: () => queue.close() }
})
