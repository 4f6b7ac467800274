/**
 * The worker loop: claim a job from the queue, run it (run-backfill.ts), append its events
 * through the claim, release it, and claim the next. It knows the queue only through its port,
 * so the same loop can run beside the API or in a process of its own.
 */
import type { Logger } from 'pino'
import type { ClaimedJob, JobQueue } from './job-queue.ts'
import { runBackfill, type RunDeps } from './run-backfill.ts'

export interface JobWorkerDeps extends RunDeps {
  queue: JobQueue
  logger: Logger
}

export interface JobWorker {
  /** Stops claiming and waits for the runs in progress (the queue's close aborts them). */
  stop(): Promise<void>
}

export function startJobWorker(deps: JobWorkerDeps): JobWorker {
  const { queue, logger } = deps
  const stopping = new AbortController()
  const runs = new Set<Promise<void>>()

  async function execute(job: ClaimedJob): Promise<void> {
    const backfillId = job.state.backfillId
    try {
      await runBackfill(
        job.state,
        { collector: deps.collector, store: deps.store, now: deps.now },
        {
          signal: job.signal,
          emit: job.emit,
          latestPublishedAsOf: job.hints.latestPublishedAsOf,
          isCancelled: job.isCancelled,
        },
      )
    } catch (error) {
      logger.error({ err: error, backfillId }, 'backfill crashed')
      job.emit({
        type: 'job:failed',
        at: new Date(deps.now()).toISOString(),
        message: error instanceof Error ? error.message : String(error),
      })
    } finally {
      logger.info({ backfillId, status: job.state.status }, 'backfill ended')
      await job.release()
    }
  }

  const loop = (async () => {
    for (;;) {
      const job = await queue.claim(stopping.signal)
      if (!job) return
      const run = execute(job).finally(() => runs.delete(run))
      runs.add(run)
    }
  })()

  return {
    async stop() {
      stopping.abort()
      await loop
      await Promise.allSettled([...runs])
    },
  }
}
