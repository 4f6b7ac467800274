/**
 * The queue of backfill jobs, as the backfill service and its worker need it
 * (docs/architecture.md#the-job-model): what a job is, who runs it, what happened to it. The
 * in-process implementation (in-process-job-queue.ts) keeps jobs in memory over the job event
 * log; another backing (a database) implements the same operations.
 */
import type { JobStatus } from '../../shared/backfill-api.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { JobEvent, JobSpec } from './job-events.ts'
import type { JobState } from './job-state.ts'

/**
 * Facts learned while planning that the executor may reuse instead of asking again. Not part
 * of the job's record: a job resumed after a restart gets them afresh.
 */
export interface RunHints {
  /** Newest published as-of when the job was planned (null: not known). */
  latestPublishedAsOf: IsoDate | null
}

export interface JobListQuery {
  status?: JobStatus
  districtId?: string
  type?: 'global' | 'district'
  limit: number
  offset: number
}

/** A job handed to one worker: it alone appends the job's events until it releases it. */
export interface ClaimedJob {
  /** The job as claimed (already `processing`). */
  readonly state: JobState
  readonly hints: RunHints
  /** Aborts on cancel and on shutdown. */
  readonly signal: AbortSignal
  /** Applies the event to the job and records it; returns the state after it. */
  emit(event: JobEvent): JobState
  /** True once the job was cancelled (an abort without it is a shutdown: the job resumes). */
  isCancelled(): boolean
  /** The run ended (whatever the status): its events are flushed and the slot is freed. */
  release(): Promise<void>
}

export type JobListener = (state: JobState, event: JobEvent) => void

export interface JobQueue {
  /**
   * Records a new job (its `job:queued` event durably) and makes it runnable; throws
   * `QUEUE_FULL` when too many wait, or the storage error when it cannot be recorded.
   */
  enqueue(spec: JobSpec, hints: RunHints): Promise<JobState>
  /**
   * The next runnable job, oldest first, once fewer than the running limit run; null when the
   * queue closes or `signal` aborts.
   */
  claim(signal?: AbortSignal): Promise<ClaimedJob | null>
  /** Cancels a job that has not ended, and signals whoever runs it; null if unknown. */
  cancel(backfillId: string): Promise<JobState | null>
  /** A job by id, from this queue or its durable record; null if there is none. */
  get(backfillId: string): Promise<JobState | null>
  /**
   * A page of the job's recorded events, oldest first, and how many it has; null if the job
   * is unknown.
   */
  events(
    backfillId: string,
    page: { offset: number; limit: number },
  ): Promise<{ total: number; events: JobEvent[] } | null>
  /** Jobs matching the query, newest first, and how many match. */
  list(query: JobListQuery): Promise<{ total: number; jobs: JobState[] }>
  /**
   * Loads the recorded jobs at start-up; unfinished ones become runnable again with the hints
   * `resumeHints` gives.
   */
  restore(resumeHints: () => Promise<RunHints>): Promise<{ resumed: string[]; loaded: number }>
  /** Removes finished jobs that ended before `endedBefore` (epoch ms); returns their ids. */
  cleanup(endedBefore: number): Promise<string[]>
  subscribe(listener: JobListener): () => void
  /** Resolves once no job runs and none is waiting for a free slot. */
  idle(): Promise<void>
  /** Aborts running jobs without cancelling them (they stay resumable) and closes the log. */
  close(): Promise<void>
}
