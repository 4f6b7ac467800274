/**
 * The JobQueue of one process (the file mode): jobs in a Map, every event folded by the job
 * reducer and appended to the job event log, so a restart replays them
 * (docs/architecture.md#the-job-model). Whoever claims a job gets its AbortController's signal;
 * cancel and shutdown abort it here.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Logger } from 'pino'
import { isTerminal } from '../../shared/backfill-api.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import type { JobEventLog } from '../jobs/index.ts'
import { BackfillError } from './errors.ts'
import type { JobEvent, JobSpec } from './job-events.ts'
import type { ClaimedJob, JobListener, JobListQuery, JobQueue, RunHints } from './job-queue.ts'
import { applyJobEvent, createJobState, replayJobEvents, type JobState } from './job-state.ts'

export interface InProcessJobQueueOptions {
  eventLog: JobEventLog<JobEvent>
  now: () => number
  logger: Logger
  /** Jobs running at once. @default 2 */
  maxRunningJobs?: number
  /** Jobs waiting beyond the running ones; more are refused with QUEUE_FULL. @default 20 */
  maxQueuedJobs?: number
}

interface Claim {
  controller: AbortController
  released: Promise<void>
}

interface Entry {
  state: JobState
  hints: RunHints
  claim: Claim | null
}

type Waiter = (job: ClaimedJob | null) => void

const NO_HINTS: RunHints = { latestPublishedAsOf: null }

export function createInProcessJobQueue(options: InProcessJobQueueOptions): JobQueue {
  const { eventLog, logger } = options
  const maxRunning = options.maxRunningJobs ?? 2
  const maxQueued = options.maxQueuedJobs ?? 20
  const jobs = new Map<string, Entry>()
  const waiters: Waiter[] = []
  const listeners = new Set<JobListener>()
  const at = () => new Date(options.now()).toISOString()
  let closed = false

  const emit = (entry: Entry, event: JobEvent): JobState => {
    const next = applyJobEvent(entry.state, event)
    if (next !== entry.state) {
      entry.state = next
      eventLog.append(next.backfillId, event)
      for (const l of listeners) l(next, event)
    }
    return entry.state
  }

  /** A cancelled or failed job still winding down no longer takes a slot. */
  const runningCount = () =>
    [...jobs.values()].filter((e) => e.claim !== null && !isTerminal(e.state.status)).length

  const nextRunnable = (): Entry | undefined =>
    [...jobs.values()]
      .filter(
        (e) => e.claim === null && (e.state.status === 'queued' || e.state.status === 'processing'),
      )
      .sort((a, b) => a.state.createdAt.localeCompare(b.state.createdAt))[0]

  const canStart = () => !closed && runningCount() < maxRunning

  /** Claiming starts the job at once, so it reads `processing` as soon as a slot takes it. */
  function take(entry: Entry): ClaimedJob {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const claim: Claim = { controller: new AbortController(), released }
    entry.claim = claim
    if (entry.state.status === 'queued') emit(entry, { type: 'job:started', at: at() })
    return {
      get state() {
        return entry.state
      },
      hints: entry.hints,
      signal: claim.controller.signal,
      emit: (event) => emit(entry, event),
      isCancelled: () => entry.state.status === 'cancelled',
      release: async () => {
        if (entry.claim !== claim) return
        entry.claim = null
        dispatch()
        await eventLog.flush()
        release()
      },
    }
  }

  function dispatch(): void {
    while (waiters.length > 0 && canStart()) {
      const entry = nextRunnable()
      if (!entry) return
      waiters.shift()?.(take(entry))
    }
  }

  /**
   * A job known here, or its record on disk (a CLI process has not loaded the server's jobs).
   * A record read this way is only looked at, never resumed.
   */
  async function find(backfillId: string): Promise<Entry | null> {
    const known = jobs.get(backfillId)
    if (known) return known
    let events: JobEvent[] = []
    try {
      events = await eventLog.load(backfillId)
    } catch (error) {
      if (!(error instanceof RangeError)) throw error
    }
    if (events.length === 0) return null
    const entry: Entry = { state: replayJobEvents(events), hints: NO_HINTS, claim: null }
    if (isTerminal(entry.state.status)) jobs.set(backfillId, entry)
    return entry
  }

  return {
    async enqueue(spec: JobSpec, hints: RunHints): Promise<JobState> {
      const waiting = [...jobs.values()].filter((e) => e.state.status === 'queued').length
      if (waiting >= maxQueued) {
        throw new BackfillError(
          ErrorCode.QUEUE_FULL,
          `${waiting} jobs are already waiting (limit ${maxQueued}); try again when some have finished`,
        )
      }
      const queued: JobEvent = { type: 'job:queued', at: at(), job: spec }
      const entry: Entry = { state: createJobState(queued), hints, claim: null }
      jobs.set(spec.backfillId, entry)
      try {
        // Accepted only once recorded: a job its log cannot hold would be forgotten at restart.
        await eventLog.persist(spec.backfillId, queued)
      } catch (error) {
        jobs.delete(spec.backfillId)
        throw error
      }
      dispatch()
      return entry.state
    },

    claim(signal?: AbortSignal): Promise<ClaimedJob | null> {
      if (closed || signal?.aborted) return Promise.resolve(null)
      const ready = canStart() ? nextRunnable() : undefined
      if (ready) return Promise.resolve(take(ready))
      return new Promise((resolve) => {
        const onAbort = () => {
          const i = waiters.indexOf(waiter)
          if (i >= 0) waiters.splice(i, 1)
          resolve(null)
        }
        const waiter: Waiter = (job) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(job)
        }
        waiters.push(waiter)
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    },

    async cancel(backfillId: string): Promise<JobState | null> {
      const entry = jobs.get(backfillId)
      if (!entry) return null
      emit(entry, { type: 'job:cancelled', at: at() })
      entry.claim?.controller.abort(new Error('cancelled'))
      await eventLog.flush()
      dispatch()
      return entry.state
    },

    async get(backfillId: string): Promise<JobState | null> {
      return (await find(backfillId))?.state ?? null
    },

    async events(backfillId: string, page: { offset: number; limit: number }) {
      if (!(await find(backfillId))) return null
      // Events still batched for the log are part of the record.
      await eventLog.flush()
      const events = await eventLog.load(backfillId)
      return { total: events.length, events: events.slice(page.offset, page.offset + page.limit) }
    },

    async list(query: JobListQuery) {
      const matching = [...jobs.values()]
        .map((e) => e.state)
        .filter((s) => !query.status || s.status === query.status)
        .filter((s) => !query.type || s.kind === query.type)
        .filter(
          (s) =>
            !query.districtId ||
            s.districtId === query.districtId ||
            s.scope.targetDistricts.includes(query.districtId),
        )
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      return {
        total: matching.length,
        jobs: matching.slice(query.offset, query.offset + query.limit),
      }
    },

    async restore(resumeHints: () => Promise<RunHints>) {
      const resumed: string[] = []
      for (const id of await eventLog.list()) {
        try {
          const events = await eventLog.load(id)
          if (events.length === 0) continue
          const state = replayJobEvents(events)
          jobs.set(id, { state, hints: NO_HINTS, claim: null })
          if (!isTerminal(state.status)) resumed.push(id)
        } catch (error) {
          logger.error(
            { err: error, backfillId: id },
            'could not load job record; left on disk untouched',
          )
        }
      }
      if (resumed.length > 0) {
        const hints = await resumeHints()
        for (const id of resumed) {
          const entry = jobs.get(id)
          if (entry) entry.hints = hints
        }
        logger.info({ resumed }, 'resuming interrupted backfill jobs')
      }
      dispatch()
      return { resumed, loaded: jobs.size }
    },

    async cleanup(endedBefore: number): Promise<string[]> {
      const removed: string[] = []
      for (const [id, entry] of jobs) {
        const ended = entry.state.completedAt ? Date.parse(entry.state.completedAt) : null
        if (isTerminal(entry.state.status) && ended !== null && ended < endedBefore) {
          jobs.delete(id)
          await eventLog.remove(id)
          removed.push(id)
        }
      }
      return removed
    },

    subscribe(listener: JobListener): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    async idle(): Promise<void> {
      for (;;) {
        const held = [...jobs.values()].flatMap((e) => (e.claim ? [e.claim.released] : []))
        if (held.length > 0) {
          await Promise.allSettled(held)
          continue
        }
        // A worker between two claims takes a job a release left runnable a moment later.
        await nextTurn()
        if ([...jobs.values()].every((e) => e.claim === null)) return
      }
    },

    async close(): Promise<void> {
      closed = true
      for (const waiter of waiters.splice(0)) waiter(null)
      const held: Promise<void>[] = []
      for (const entry of jobs.values()) {
        if (!entry.claim) continue
        entry.claim.controller.abort(new Error('shutting down'))
        held.push(entry.claim.released)
      }
      await Promise.allSettled(held)
      await eventLog.close()
    },
  }
}
