/**
 * The unified BackfillService (docs/architecture.md#the-job-model): global, targeted and
 * single-district jobs, validated, scoped and planned up front (or answered as a dry run),
 * then handed to the JobQueue port (job-queue.ts), which keeps their history and whose worker
 * (job-worker.ts) runs them; a retry is planned here over the unfinished cells of a job.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import {
  isTerminal,
  type BackfillResponse,
  type DryRunPlan,
  type PerformanceStatus,
  type ResolvedBackfillRequest,
} from '../../shared/backfill-api.ts'
import { todayUtc, type IsoDate } from '../../shared/iso-date.ts'
import type { DetailLevel } from '../../shared/snapshot-types.ts'
import type { DistrictConfigStore, SnapshotReader } from '../storage/index.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { cellKey } from './cell-ref.ts'
import { BackfillError } from './errors.ts'
import type { JobListener, JobListQuery, JobQueue } from './job-queue.ts'
import { listCells, type JobState } from './job-state.ts'
import { toBackfillResponse } from './job-view.ts'
import {
  isRecordedFailure,
  planBackfill,
  planCellRefs,
  planRetry,
  reprocessOf,
  type BackfillPlan,
} from './plan-backfill.ts'
import { resolveScope, toWireScope, type JobKind } from './scope-manager.ts'
import { selectCollectionStrategy } from './data-source-selector.ts'
import { parseBackfillRequest } from './resolve-request.ts'

export interface BackfillServiceDeps {
  queue: JobQueue
  store: SnapshotReader
  districtConfig: DistrictConfigStore
  /** Newest published as-of (null when it cannot be learned now). */
  latestPublishedAsOf: () => Promise<IsoDate | null>
  performanceStatus: () => Promise<PerformanceStatus>
  /** Why requests are waiting right now (circuit open), if they are. */
  upstreamPause: () => { reason: string; until: string | null } | null
  /**
   * PostgreSQL mode: why no job runs right now (no worker process connected), if so. A running
   * job's view then shows it as its pause and claims no rate or ETA.
   */
  workPause?: () => Promise<{ reason: string } | null>
  now: () => number
  logger: Logger
  /** Finished jobs older than this are removed. @default 7 days */
  jobRetentionMs?: number
}

export interface InitiateOptions {
  kind: JobKind
  districtId?: string
}

export type InitiateResult =
  | { kind: 'started'; job: BackfillResponse }
  | { kind: 'plan'; plan: DryRunPlan }

export type ListQuery = JobListQuery

type Prepared = Awaited<ReturnType<ReturnType<typeof createPreparer>>>

const LATEST_LOOKUP_TIMEOUT_MS = 5000
/** Job views kept (one per job); a page lists at most 200 jobs. */
const MAX_KEPT_VIEWS = 256

/** Validation, scope, strategy and plan of a request, against the stored coverage. */
function createPreparer(deps: BackfillServiceDeps, latestOrNull: () => Promise<IsoDate | null>) {
  return async function prepare(
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
    const notListed = new Set<string>()
    const failedOn = new Set<IsoDate>()
    for (const d of coverage?.dates ?? []) {
      for (const [id, cell] of Object.entries(d.districts)) {
        if (cell.status === 'ok' && cell.detail) stored.set(cellKey(d.asOf, id), cell.detail)
        if (cell.status === 'not-a-district') notListed.add(cellKey(d.asOf, id))
        if (cell.status === 'failed') failedOn.add(d.asOf)
      }
    }
    // The coverage report says "failed" without the code; only dates that have one are read.
    const recordedFailures = new Set<string>()
    for (const date of failedOn) {
      const metadata = await deps.store.readMetadata(date)
      for (const f of metadata?.failedDistricts ?? [])
        if (isRecordedFailure(f)) recordedFailures.add(cellKey(date, f.districtId))
    }
    const latestPublishedAsOf = await latestOrNull()
    const plan = planBackfill({
      request,
      scope,
      strategy,
      existing: (date, id) => {
        const detail = stored.get(cellKey(date, id))
        return detail ? { detail } : null
      },
      notListed: (date, id) => notListed.has(cellKey(date, id)),
      recordedFailure: (date, id) => recordedFailures.has(cellKey(date, id)),
      latestPublishedAsOf,
      only,
    })
    return { request, scope, strategy, plan, latestPublishedAsOf }
  }
}

export function createBackfillService(deps: BackfillServiceDeps) {
  const { queue } = deps
  const retentionMs = deps.jobRetentionMs ?? 7 * 86_400_000

  /**
   * The newest published as-of, or null when it cannot be learned quickly (upstream down, circuit
   * open): a request must not hang on it; unpublished dates then end `unavailable` at run time.
   */
  const latestOrNull = (): Promise<IsoDate | null> =>
    Promise.race([
      deps.latestPublishedAsOf().catch(() => null),
      new Promise<null>((resolve) => setTimeout(resolve, LATEST_LOOKUP_TIMEOUT_MS, null).unref()),
    ])
  const prepare = createPreparer(deps, latestOrNull)

  const newId = () => `bf_${deps.now().toString(36)}_${randomBytes(4).toString('hex')}`

  async function enqueue(
    prepared: Prepared,
    options: InitiateOptions,
    retryOf: string | null = null,
  ): Promise<JobState> {
    const state = await queue.enqueue(
      {
        backfillId: newId(),
        kind: options.kind,
        districtId:
          options.kind === 'district' ? (prepared.scope.targetDistricts[0] ?? null) : null,
        request: prepared.request,
        scope: prepared.scope,
        strategy: prepared.strategy,
        cells: planCellRefs(prepared.plan),
        ...(retryOf === null ? {} : { retryOf }),
      },
      { latestPublishedAsOf: prepared.latestPublishedAsOf },
    )
    deps.logger.info(
      {
        backfillId: state.backfillId,
        cells: prepared.plan.counts.total,
        strategy: prepared.strategy.type,
      },
      'backfill queued',
    )
    return state
  }

  /** The job, if it exists and (for a district route) covers the district. */
  async function getJob(backfillId: string, districtId?: string): Promise<JobState> {
    const state = await queue.get(backfillId)
    if (!state) throw new BackfillError(ErrorCode.JOB_NOT_FOUND, `no backfill job ${backfillId}`)
    if (
      districtId !== undefined &&
      state.districtId !== districtId &&
      !state.scope.targetDistricts.includes(districtId)
    ) {
      throw new BackfillError(
        ErrorCode.JOB_NOT_FOUND,
        `backfill job ${backfillId} does not cover district ${districtId}`,
      )
    }
    return state
  }

  /**
   * The last view of each job with what it was made from. The same state (the reducer makes a
   * new one per event), second, performance status and pause give the same view object, so
   * pollers asking within one second share one view and the HTTP layer its bytes
   * (docs/performance.md#kept-answers).
   */
  const views = new Map<string, { inputs: string; state: JobState; view: BackfillResponse }>()

  async function view(state: JobState): Promise<BackfillResponse> {
    // The ETA and rate move with the clock in whole seconds, what the page shows.
    const nowMs = Math.floor(deps.now() / 1000) * 1000
    const performanceStatus = await deps.performanceStatus()
    const unfinished = state.status === 'processing' || state.status === 'queued'
    const idle = unfinished && deps.workPause ? await deps.workPause() : null
    const pause = !idle && state.status === 'processing' ? deps.upstreamPause() : null
    const inputs = JSON.stringify([nowMs, performanceStatus, idle, pause])
    const kept = views.get(state.backfillId)
    if (kept && kept.state === state && kept.inputs === inputs) return kept.view
    const response = toBackfillResponse(state, { nowMs, performanceStatus })
    let made = response
    if (idle) {
      const progress = { ...response.progress, etaSeconds: null, cellsPerMinute: null }
      made = { ...response, progress, pausedReason: idle.reason, pausedUntil: null }
    } else if (pause) {
      made = { ...response, pausedReason: pause.reason, pausedUntil: pause.until }
    }
    if (!views.has(state.backfillId) && views.size >= MAX_KEPT_VIEWS) views.clear()
    views.set(state.backfillId, { inputs, state, view: made })
    return made
  }

  return {
    async initiate(body: unknown, options: InitiateOptions): Promise<InitiateResult> {
      const prepared = await prepare(body, options)
      if (prepared.request.dryRun) return { kind: 'plan', plan: toDryRun(prepared) }
      return { kind: 'started', job: await view(await enqueue(prepared, options)) }
    },

    async get(backfillId: string, districtId?: string): Promise<BackfillResponse> {
      return view(await getJob(backfillId, districtId))
    },

    /** A page of the job's recorded events, oldest first (`JOB_NOT_FOUND` for an unknown id). */
    async events(backfillId: string, page: { offset: number; limit: number }) {
      const found = await queue.events(backfillId, page)
      if (!found) throw new BackfillError(ErrorCode.JOB_NOT_FOUND, `no backfill job ${backfillId}`)
      return { backfillId, total: found.total, offset: page.offset, events: found.events }
    },

    async list(query: ListQuery): Promise<{ total: number; jobs: BackfillResponse[] }> {
      const { total, jobs } = await queue.list(query)
      return { total, jobs: await Promise.all(jobs.map(view)) }
    },

    async cancel(backfillId: string, districtId?: string): Promise<BackfillResponse> {
      const state = await getJob(backfillId, districtId)
      if (isTerminal(state.status))
        throw new BackfillError(
          ErrorCode.JOB_FINISHED,
          `backfill job ${backfillId} already ended ${state.status}`,
        )
      const after = await queue.cancel(backfillId)
      if (!after) throw new BackfillError(ErrorCode.JOB_NOT_FOUND, `no backfill job ${backfillId}`)
      return view(after)
    },

    /**
     * A new job over every cell a finished job did not settle: failed, never run, in flight
     * when it ended by error or cancel. It also finishes a cancelled job's remaining cells.
     */
    async retry(backfillId: string): Promise<BackfillResponse> {
      const old = await getJob(backfillId)
      if (!isTerminal(old.status))
        throw new BackfillError(
          ErrorCode.JOB_NOT_FINISHED,
          `backfill job ${backfillId} is still ${old.status}`,
        )
      const only = planRetry(listCells(old))
      if (only.length === 0)
        throw new BackfillError(
          ErrorCode.NOTHING_TO_RETRY,
          `backfill job ${backfillId} has no unfinished cells (it ended ${old.status})`,
        )
      const { skipExisting: _skip, ...request } = old.request
      const body = {
        ...request,
        // A retry is for the failed cells: reprocess `missing` would skip them.
        reprocess: reprocessOf(old.request) === 'all' ? 'all' : 'missing-and-failed',
        dryRun: false,
        targetDistricts:
          old.kind === 'district' ? undefined : (old.request.targetDistricts ?? undefined),
      }
      const options: InitiateOptions = { kind: old.kind, districtId: old.districtId ?? undefined }
      const prepared = await prepare(body, options, only)
      return view(await enqueue(prepared, options, backfillId))
    },

    /** Loads job records from disk; unfinished jobs resume without refetching finished cells. */
    restore(): Promise<{ resumed: string[]; loaded: number }> {
      return queue.restore(async () => ({ latestPublishedAsOf: await latestOrNull() }))
    },

    cleanupOldJobs(): Promise<string[]> {
      return queue.cleanup(deps.now() - retentionMs)
    },

    /** Resolves when every running job has ended (tests, shutdown). */
    idle(): Promise<void> {
      return queue.idle()
    },

    subscribe(listener: JobListener): () => void {
      return queue.subscribe(listener)
    },

    /** Stops the executors without cancelling: the jobs stay resumable. */
    close(): Promise<void> {
      return queue.close()
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
    chosenDates: p.plan.dates,
    counts: p.plan.counts,
    requests: p.plan.requests,
    // Of `why` only a recorded failure goes out: it is what the reprocess choice turns on.
    cells: p.plan.cells.map(({ date, districtId, action, stored, why }) => ({
      date,
      districtId,
      action,
      stored,
      ...(why === 'recorded-failure' ? { why } : {}),
    })),
    openDates: p.plan.openDates,
  }
}
