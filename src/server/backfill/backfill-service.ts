/**
 * The unified BackfillService (docs/architecture.md#the-job-model): one job queue for global, targeted and
 * single-district jobs; validation, scope and strategy up front; execution through the
 * RefreshService collection methods; durable job records that resume after a restart.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import {
  isTerminal,
  type BackfillResponse,
  type DryRunPlan,
  type JobStatus,
  type PerformanceStatus,
  type ResolvedBackfillRequest,
} from '../../shared/backfill-api.ts'
import { todayUtc, type IsoDate } from '../../shared/iso-date.ts'
import type { DetailLevel } from '../../shared/snapshot-types.ts'
import type { JobEventLog } from '../jobs/index.ts'
import type { Collector } from '../collect/index.ts'
import type { DistrictConfigStore, SnapshotStore } from '../storage/index.ts'
import { cellKey } from './cell-ref.ts'
import { BackfillError } from './errors.ts'
import type { JobEvent } from './job-events.ts'
import {
  applyJobEvent,
  createJobState,
  listCells,
  replayJobEvents,
  type JobState,
} from './job-state.ts'
import { toBackfillResponse } from './job-view.ts'
import { planBackfill, planCellRefs, planRetry, type BackfillPlan } from './plan-backfill.ts'
import { resolveScope, toWireScope, type JobKind } from './scope-manager.ts'
import { selectCollectionStrategy } from './data-source-selector.ts'
import { parseBackfillRequest } from './resolve-request.ts'
import { runBackfill } from './run-backfill.ts'
import { ErrorCode } from '../../shared/error-codes.ts'

export interface BackfillServiceDeps {
  collector: Collector
  store: SnapshotStore
  districtConfig: DistrictConfigStore
  eventLog: JobEventLog<JobEvent>
  /** Newest published as-of (null when it cannot be learned now). */
  latestPublishedAsOf: () => Promise<IsoDate | null>
  performanceStatus: () => Promise<PerformanceStatus>
  /** Why requests are waiting right now (circuit open), if they are. */
  upstreamPause: () => { reason: string; until: string | null } | null
  now: () => number
  logger: Logger
  /** Jobs running at once. @default 2 */
  maxRunningJobs?: number
  /** Jobs waiting beyond the running ones; more answer 429. @default 20 */
  maxQueuedJobs?: number
  /** Finished jobs older than this are removed. @default 7 days */
  jobRetentionMs?: number
}

export interface InitiateOptions {
  kind: JobKind
  districtId?: string
}

export type InitiateResult =
  { kind: 'started'; job: BackfillResponse } | { kind: 'plan'; plan: DryRunPlan }

export interface ListQuery {
  status?: JobStatus
  districtId?: string
  type?: 'global' | 'district'
  limit: number
  offset: number
}

interface Job {
  state: JobState
  controller: AbortController | null
  latestPublishedAsOf: IsoDate | null
}

const LATEST_LOOKUP_TIMEOUT_MS = 5000

export function createBackfillService(deps: BackfillServiceDeps) {
  const maxRunning = deps.maxRunningJobs ?? 2
  const maxQueued = deps.maxQueuedJobs ?? 20
  const retentionMs = deps.jobRetentionMs ?? 7 * 86_400_000
  const jobs = new Map<string, Job>()
  const running = new Set<Promise<void>>()
  const listeners = new Set<(state: JobState, event: JobEvent) => void>()
  const at = () => new Date(deps.now()).toISOString()
  let closed = false

  const emit = (job: Job, event: JobEvent): JobState => {
    const next = applyJobEvent(job.state, event)
    if (next !== job.state) {
      job.state = next
      deps.eventLog.append(next.backfillId, event)
      for (const l of listeners) l(next, event)
    }
    return job.state
  }

  /**
   * The newest published as-of, or null when it cannot be learned quickly (upstream down, circuit
   * open): a request must not hang on it; unpublished dates then end `unavailable` at run time.
   */
  const latestOrNull = (): Promise<IsoDate | null> =>
    Promise.race([
      deps.latestPublishedAsOf().catch(() => null),
      new Promise<null>((resolve) => setTimeout(resolve, LATEST_LOOKUP_TIMEOUT_MS, null).unref()),
    ])

  const newId = () => `bf_${deps.now().toString(36)}_${randomBytes(4).toString('hex')}`

  async function prepare(
    body: unknown,
    options: InitiateOptions,
    only?: Parameters<typeof planBackfill>[0]['only'],
  ) {
    const request = parseBackfillRequest(body, { today: todayUtc(deps.now()) })
    const configuredDistricts = await deps.districtConfig.get()
    const scoped = resolveScope({
      request,
      configuredDistricts,
      kind: options.kind,
      districtId: options.districtId,
    })
    if (!scoped.ok)
      throw new BackfillError(ErrorCode.SCOPE_EMPTY, scoped.message, {
        scope: toWireScope(scoped.scope),
      })
    const scope = scoped.scope
    const strategy = selectCollectionStrategy({
      collectionType: request.collectionType,
      scopeSize: scope.targetDistricts.length,
      openScope: scope.openScope,
      targetDistricts: scope.openScope ? undefined : scope.targetDistricts,
    })
    const coverage = scope.openScope
      ? null
      : await deps.store.coverage({
          from: request.startDate,
          to: request.endDate,
          districtIds: scope.targetDistricts,
        })
    const stored = new Map<string, DetailLevel>()
    for (const d of coverage?.dates ?? []) {
      for (const [id, cell] of Object.entries(d.districts))
        if (cell.status === 'ok' && cell.detail) stored.set(cellKey(d.asOf, id), cell.detail)
    }
    const latestPublishedAsOf = await latestOrNull()
    const plan = planBackfill({
      request,
      scope,
      strategy,
      existing: (date, id) => stored.get(cellKey(date, id)) ?? null,
      latestPublishedAsOf,
      only,
    })
    return { request, scope, strategy, plan, latestPublishedAsOf }
  }

  async function enqueue(
    prepared: Awaited<ReturnType<typeof prepare>>,
    options: InitiateOptions,
    retryOf: string | null = null,
  ): Promise<Job> {
    const waiting = [...jobs.values()].filter((j) => j.state.status === 'queued').length
    if (waiting >= maxQueued) {
      throw new BackfillError(
        ErrorCode.QUEUE_FULL,
        `${waiting} jobs are already waiting (limit ${maxQueued}); try again when some have finished`,
      )
    }
    const backfillId = newId()
    const queued: JobEvent = {
      type: 'job:queued',
      at: at(),
      job: {
        backfillId,
        kind: options.kind,
        districtId:
          options.kind === 'district' ? (prepared.scope.targetDistricts[0] ?? null) : null,
        request: prepared.request,
        scope: prepared.scope,
        strategy: prepared.strategy,
        cells: planCellRefs(prepared.plan),
        ...(retryOf === null ? {} : { retryOf }),
      },
    }
    const job: Job = {
      state: createJobState(queued),
      controller: null,
      latestPublishedAsOf: prepared.latestPublishedAsOf,
    }
    jobs.set(backfillId, job)
    try {
      // Accepted only once recorded: a job its log cannot hold would be forgotten at restart.
      await deps.eventLog.persist(backfillId, queued)
    } catch (error) {
      jobs.delete(backfillId)
      throw error
    }
    deps.logger.info(
      { backfillId, cells: prepared.plan.counts.total, strategy: prepared.strategy.type },
      'backfill queued',
    )
    pump()
    return job
  }

  function pump(): void {
    if (closed) return
    const active = [...jobs.values()].filter(
      (j) => j.state.status === 'processing' && j.controller,
    ).length
    const next = [...jobs.values()]
      .filter(
        (j) => j.state.status === 'queued' || (j.state.status === 'processing' && !j.controller),
      )
      .sort((a, b) => a.state.createdAt.localeCompare(b.state.createdAt))
    for (const job of next.slice(0, Math.max(0, maxRunning - active))) start(job)
  }

  function start(job: Job): void {
    job.controller = new AbortController()
    const signal = job.controller.signal
    const run = runBackfill(
      job.state,
      { collector: deps.collector, store: deps.store, now: deps.now },
      {
        signal,
        emit: (event) => emit(job, event),
        latestPublishedAsOf: job.latestPublishedAsOf,
        isCancelled: () => job.state.status === 'cancelled',
      },
    )
      .catch((error: unknown) => {
        deps.logger.error({ err: error, backfillId: job.state.backfillId }, 'backfill crashed')
        emit(job, {
          type: 'job:failed',
          at: at(),
          message: error instanceof Error ? error.message : String(error),
        })
      })
      .finally(() => {
        job.controller = null
        running.delete(run)
        deps.logger.info(
          { backfillId: job.state.backfillId, status: job.state.status },
          'backfill ended',
        )
        void deps.eventLog.flush()
        pump()
      })
    running.add(run)
  }

  function getJob(backfillId: string): Job {
    const job = jobs.get(backfillId)
    if (!job) throw new BackfillError(ErrorCode.JOB_NOT_FOUND, `no backfill job ${backfillId}`)
    return job
  }

  /**
   * A job in memory, or its record on disk (a CLI process has not loaded the server's jobs).
   * A record read this way is only looked at, never resumed.
   */
  async function findJob(backfillId: string): Promise<Job> {
    const known = jobs.get(backfillId)
    if (known) return known
    let events: JobEvent[] = []
    try {
      events = await deps.eventLog.load(backfillId)
    } catch (error) {
      if (!(error instanceof RangeError)) throw error
    }
    if (events.length === 0)
      throw new BackfillError(ErrorCode.JOB_NOT_FOUND, `no backfill job ${backfillId}`)
    const job: Job = { state: replayJobEvents(events), controller: null, latestPublishedAsOf: null }
    if (isTerminal(job.state.status)) jobs.set(backfillId, job)
    return job
  }

  async function view(job: Job): Promise<BackfillResponse> {
    const response = toBackfillResponse(job.state, {
      nowMs: deps.now(),
      performanceStatus: await deps.performanceStatus(),
    })
    const pause = job.state.status === 'processing' ? deps.upstreamPause() : null
    return pause ? { ...response, pausedReason: pause.reason, pausedUntil: pause.until } : response
  }

  return {
    async initiate(body: unknown, options: InitiateOptions): Promise<InitiateResult> {
      const prepared = await prepare(body, options)
      if (prepared.request.dryRun) return { kind: 'plan', plan: toDryRun(prepared) }
      return { kind: 'started', job: await view(await enqueue(prepared, options)) }
    },

    async get(backfillId: string, districtId?: string): Promise<BackfillResponse> {
      const job = getJob(backfillId)
      if (
        districtId !== undefined &&
        !job.state.scope.targetDistricts.includes(districtId) &&
        job.state.districtId !== districtId
      ) {
        throw new BackfillError(
          ErrorCode.JOB_NOT_FOUND,
          `backfill job ${backfillId} does not cover district ${districtId}`,
        )
      }
      return view(job)
    },

    async list(query: ListQuery): Promise<{ total: number; jobs: BackfillResponse[] }> {
      const matching = [...jobs.values()]
        .filter((j) => !query.status || j.state.status === query.status)
        .filter((j) => !query.type || j.state.kind === query.type)
        .filter(
          (j) =>
            !query.districtId ||
            j.state.districtId === query.districtId ||
            j.state.scope.targetDistricts.includes(query.districtId),
        )
        .sort((a, b) => b.state.createdAt.localeCompare(a.state.createdAt))
      const page = matching.slice(query.offset, query.offset + query.limit)
      return { total: matching.length, jobs: await Promise.all(page.map(view)) }
    },

    async cancel(backfillId: string, districtId?: string): Promise<BackfillResponse> {
      const job = getJob(backfillId)
      if (
        districtId !== undefined &&
        job.state.districtId !== districtId &&
        !job.state.scope.targetDistricts.includes(districtId)
      ) {
        throw new BackfillError(
          ErrorCode.JOB_NOT_FOUND,
          `backfill job ${backfillId} does not cover district ${districtId}`,
        )
      }
      if (isTerminal(job.state.status))
        throw new BackfillError(
          ErrorCode.JOB_FINISHED,
          `backfill job ${backfillId} already ended ${job.state.status}`,
        )
      emit(job, { type: 'job:cancelled', at: at() })
      job.controller?.abort(new Error('cancelled'))
      await deps.eventLog.flush()
      pump()
      return view(job)
    },

    /**
     * A new job over every cell a finished job did not settle: failed, never run, in flight
     * when it ended by error or cancel. It also finishes a cancelled job's remaining cells.
     */
    async retry(backfillId: string): Promise<BackfillResponse> {
      const old = await findJob(backfillId)
      if (!isTerminal(old.state.status))
        throw new BackfillError(
          ErrorCode.JOB_NOT_FINISHED,
          `backfill job ${backfillId} is still ${old.state.status}`,
        )
      const only = planRetry(listCells(old.state))
      if (only.length === 0)
        throw new BackfillError(
          ErrorCode.NOTHING_TO_RETRY,
          `backfill job ${backfillId} has no unfinished cells (it ended ${old.state.status})`,
        )
      const body = {
        ...old.state.request,
        dryRun: false,
        targetDistricts:
          old.state.kind === 'district'
            ? undefined
            : (old.state.request.targetDistricts ?? undefined),
      }
      const options: InitiateOptions = {
        kind: old.state.kind,
        districtId: old.state.districtId ?? undefined,
      }
      const prepared = await prepare(body, options, only)
      return view(await enqueue(prepared, options, backfillId))
    },

    /** Loads job records from disk; unfinished jobs resume without refetching finished cells. */
    async restore(): Promise<{ resumed: string[]; loaded: number }> {
      const resumed: string[] = []
      for (const id of await deps.eventLog.list()) {
        try {
          const events = await deps.eventLog.load(id)
          if (events.length === 0) continue
          const state = replayJobEvents(events)
          jobs.set(id, { state, controller: null, latestPublishedAsOf: null })
          if (!isTerminal(state.status)) resumed.push(id)
        } catch (error) {
          deps.logger.error(
            { err: error, backfillId: id },
            'could not load job record; left on disk untouched',
          )
        }
      }
      const latest = resumed.length > 0 ? await latestOrNull() : null
      for (const id of resumed) {
        const job = jobs.get(id)
        if (job) job.latestPublishedAsOf = latest
      }
      if (resumed.length > 0) deps.logger.info({ resumed }, 'resuming interrupted backfill jobs')
      pump()
      return { resumed, loaded: jobs.size }
    },

    async cleanupOldJobs(): Promise<string[]> {
      const cutoff = deps.now() - retentionMs
      const removed: string[] = []
      for (const [id, job] of jobs) {
        const ended = job.state.completedAt ? Date.parse(job.state.completedAt) : null
        if (isTerminal(job.state.status) && ended !== null && ended < cutoff) {
          jobs.delete(id)
          await deps.eventLog.remove(id)
          removed.push(id)
        }
      }
      return removed
    },

    /** Resolves when every running job has ended (tests, shutdown). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running])
    },

    subscribe(listener: (state: JobState, event: JobEvent) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    /** Stops the executors without cancelling: the jobs stay resumable. */
    async close(): Promise<void> {
      closed = true
      for (const job of jobs.values()) job.controller?.abort(new Error('shutting down'))
      await Promise.allSettled([...running])
      await deps.eventLog.close()
    },
  }
}

export type BackfillService = ReturnType<typeof createBackfillService>

function toDryRun(p: {
  request: ResolvedBackfillRequest
  scope: JobState['scope']
  strategy: JobState['strategy']
  plan: BackfillPlan
}): DryRunPlan {
  return {
    dryRun: true,
    request: p.request,
    scope: toWireScope(p.scope),
    collectionStrategy: p.strategy,
    dates: p.plan.dates.length,
    counts: p.plan.counts,
    requests: p.plan.requests,
    cells: p.plan.cells,
    openDates: p.plan.openDates,
  }
}
