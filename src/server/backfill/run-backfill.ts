/**
 * Executes a claimed job: walks its pending cells date by date through the RefreshService
 * collection methods, at most `concurrency` districts in flight, writing through the snapshot
 * store and reporting every outcome as a job event. Each date's cells are classified by the
 * planner's own `planDateCells`, fed what the store holds when the date is reached. One cell
 * failing never stops the others; only a cancel or a fatal error (circuit open too long,
 * storage gone) ends the walk early.
 */
import pLimit from 'p-limit'
import { ErrorCode, FATAL_CODES } from '../../shared/error-codes.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import { normalizeDistrictId } from '../../shared/district-id.ts'
import type { DetailLevel, SnapshotManifest } from '../../shared/snapshot-types.ts'
import {
  NOT_COLLECTED,
  storeDate,
  toCellError,
  type Collector,
  type DistrictOutcome,
  type SummaryData,
} from '../collect/index.ts'
import type { SnapshotStore } from '../storage/index.ts'
import { WHOLE_DATE } from './cell-ref.ts'
import type { JobEvent } from './job-events.ts'
import { getCell, listDateCells, pendingDates, type JobState } from './job-state.ts'
import {
  isRecordedFailure,
  isUnpublished,
  planDateCells,
  planOpenDate,
  satisfiesDetail,
  type PlannedCell,
  type StoredCell,
} from './plan-backfill.ts'

export interface RunDeps {
  collector: Collector
  store: SnapshotStore
  now: () => number
}

export interface RunContext {
  signal: AbortSignal
  /** Applies the event to the job (and persists it); returns the state after it. */
  emit: (event: JobEvent) => JobState
  latestPublishedAsOf: IsoDate | null
  /** True once the job was cancelled (an abort without it is a shutdown: the job resumes). */
  isCancelled?: () => boolean
}

export class FatalJobError extends Error {
  override name = 'FatalJobError'
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
  }
}

/** A date made ready for its district cells: the summary they need and the cells to fetch. */
export interface PreparedDate {
  date: IsoDate
  summary: SummaryData
  /** Districts to collect, each listed in the summary and classified `fetch`. */
  districtIds: string[]
}

/**
 * Runs a job's whole walk in this process (the file mode): each date prepared, then its
 * districts collected at most `concurrency` at once.
 */
export async function runBackfill(
  initial: JobState,
  deps: RunDeps,
  ctx: RunContext,
): Promise<void> {
  const ex = createJobExecutor(initial, deps, ctx)
  const dates = pendingDates(initial)
  let fatal: unknown = null
  try {
    for (const date of dates) {
      if (ctx.signal.aborted) break
      const prepared = await ex.prepareDate(date)
      if (prepared) await ex.runDistricts(prepared)
      if (ctx.signal.aborted) break
      await ex.moveCurrent(date)
    }
  } catch (error) {
    if (!ctx.signal.aborted) fatal = error
  }
  await ex.end(fatal)
}

/**
 * The per-date and per-cell steps of a job, shared by the file mode's walk (runBackfill) and
 * PostgreSQL mode's slices (src/server/pg/slice-worker.ts), so both decide with the same
 * function (`classifyDate` over the planner's `planDateCells`) and record the same events.
 */
export function createJobExecutor(initial: JobState, deps: RunDeps, ctx: RunContext) {
  const at = () => new Date(deps.now()).toISOString()
  let state = initial
  const emit = (event: JobEvent) => (state = ctx.emit(event))
  // A fatal error stops the districts still in flight too: nothing runs after the job ended.
  const stop = new AbortController()
  const signal = AbortSignal.any([ctx.signal, stop.signal])
  /** Per as-of, districts recorded as "not stored yet" whose outcome has not landed. */
  const collecting = new Map<IsoDate, Set<string>>()

  /** Ends the run: `fatal` is what stopped it (null: it was not stopped by an error). */
  async function end(fatal: unknown): Promise<void> {
    if (fatal !== null) {
      const e = toCellError(fatal, deps.now())
      await settleCollecting(e.code, `stopped before this district was stored: ${e.message}`)
      emit({ type: 'job:failed', at: at(), message: e.message })
    } else if (ctx.isCancelled?.()) {
      await settleCollecting(ErrorCode.CANCELLED, 'was cancelled before this district was stored')
    } else if (!ctx.signal.aborted) {
      await settleCollecting(NOT_COLLECTED, 'ended without storing this district')
      emit({ type: 'job:finished', at: at() })
    }
  }

  /**
   * The districts this job announced and never stored get the reason the job ended. Best effort:
   * when the disk is what failed, the "not stored yet" reason stays, which is still true.
   */
  async function settleCollecting(code: ErrorCode, why: string): Promise<void> {
    for (const [asOf, ids] of collecting) {
      if (ids.size === 0) continue
      const message = `job ${state.backfillId} ${why}`
      const failures = [...ids].map((districtId) => ({ districtId, code, message }))
      await deps.store.recordFailures(asOf, failures).catch(() => undefined)
    }
    collecting.clear()
  }

  /**
   * `current.json` names the newest complete snapshot whoever wrote it; the store only moves it
   * forward and only onto a complete snapshot, so older or partial dates leave it alone.
   */
  async function moveCurrent(date: IsoDate): Promise<void> {
    const written = listDateCells(state, date).some((c) => c.state === 'completed')
    if (written) await deps.store.setCurrent(date).catch(() => undefined)
  }

  /**
   * Everything a date needs before its district cells: the whole-date cell expanded from the
   * summary, the pending cells classified against the store, the settled ones reported, the
   * summary-level files or the all-districts file written. Null when no cell is left to fetch.
   */
  async function prepareDate(date: IsoDate): Promise<PreparedDate | null> {
    const detail: DetailLevel = state.strategy.detail
    // Only the date's own cells: the work per date does not grow with the job (docs/performance.md#ledger).
    const pending = () => listDateCells(state, date).filter((c) => c.state === 'pending')
    let summary: SummaryData | null = null
    const whole = pending().find((c) => c.districtId === WHOLE_DATE)
    if (whole) {
      if (planOpenDate(date, ctx.latestPublishedAsOf).action === 'unavailable') {
        // Nothing is published after the newest as-of: settle the date without asking.
        emit({ type: 'date:expanded', at: at(), date, districtIds: [] })
        return null
      }
      const s = await fetchSummary(date, [WHOLE_DATE])
      if (s === 'stop') return null
      emit({ type: 'date:expanded', at: at(), date, districtIds: s === null ? [] : s.districtIds })
      summary = s?.summary ?? null
      if (s === null) return null
    }
    const manifest = await deps.store.readManifest(date)
    const toFetch: string[] = []
    const ids = pending().map((c) => c.districtId)
    const absentHere: string[] = []
    for (const cell of await classifyDate(date, ids, detail, manifest)) {
      if (cell.action === 'fetch') toFetch.push(cell.districtId)
      else settle(cell, manifest)
      if (cell.action === 'not-a-district') absentHere.push(cell.districtId)
    }
    // A failure an earlier run recorded for a district the date's summary does not list is moot.
    if (manifest && absentHere.length > 0) await clearMootFailures(manifest.asOf, absentHere)
    if (toFetch.length === 0) return null
    if (!summary) {
      const s = await fetchSummary(date, toFetch)
      if (s === 'stop' || s === null) return null
      summary = s.summary
    }
    if (detail === 'summary') {
      await writeSummaryLevel(date, summary, toFetch)
      return null
    }
    // The date's summary names the districts that exist on it (docs/upstream.md#client-recipe, step 6); asking the
    // per-district reports of another could only find another month's data.
    const listed = toFetch.filter((id) => listsDistrict(summary, id))
    const absent = toFetch.filter((id) => !listsDistrict(summary, id))
    if (absent.length > 0) await record(date, summary, absent.map(notOnDate(summary)), false)
    if (listed.length === 0) return null
    const unstored = listed.filter((id) => {
      const stored = manifest?.districts[id]?.detail
      return stored === undefined || !satisfiesDetail(stored, detail)
    })
    await writeAllDistricts(date, summary, unstored)
    return { date, summary, districtIds: listed }
  }

  /** The prepared date's districts, at most `concurrency` at once; a fatal error stops all. */
  async function runDistricts({ date, summary, districtIds }: PreparedDate): Promise<void> {
    const limit = pLimit(state.request.concurrency)
    const settled = await Promise.allSettled(
      districtIds.map((id) =>
        limit(() =>
          runDistrict(date, id, summary).catch((error: unknown) => {
            stop.abort(error)
            throw error
          }),
        ),
      ),
    )
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
  }

  /**
   * One district cell of a prepared date, classified again against the store first (another
   * job, or this one before a restart, may have stored it since): fetched only if the decision
   * still says so, otherwise reported as the decision says. Throws a fatal error.
   */
  async function runCell(date: IsoDate, districtId: string, summary: SummaryData): Promise<void> {
    const cell = getCell(state, date, districtId)
    if (cell?.state !== 'pending') return
    const manifest = await deps.store.readManifest(date)
    const [decided] = await classifyDate(date, [districtId], state.strategy.detail, manifest)
    if (!decided) return
    if (decided.action === 'fetch') await runDistrict(date, districtId, summary)
    else settle(decided, manifest)
  }

  /**
   * The districts whose stored file is valid (one store call for the date); with caching on,
   * also whose raw bodies it is built from are still cached (one quarantined by
   * `verify --repair` is fetched again, so `rebuild` can re-derive the file later).
   */
  async function storedOf(
    date: IsoDate,
    districtIds: string[],
    detail: DetailLevel,
  ): Promise<Set<string>> {
    if (districtIds.length === 0) return new Set()
    const valid = await deps.store.validDistricts(date, districtIds, detail)
    if (!state.request.enableCaching) return valid
    // A summary-level file is built from the date's summary alone: one look serves every district.
    if (detail === 'summary') {
      const first = districtIds.find((id) => valid.has(id))
      const cached =
        first !== undefined && (await deps.collector.hasCachedBodies(first, date, detail))
      return cached ? valid : new Set()
    }
    const stored = new Set<string>()
    for (const id of districtIds)
      if (valid.has(id) && (await deps.collector.hasCachedBodies(id, date, detail))) stored.add(id)
    return stored
  }

  /**
   * The pending cells of `date`, classified as the plan classifies them, against the store as it
   * is now: a file another job stored meanwhile is skipped, one that fails its checks or whose
   * raw bodies are gone is fetched, one this job stored before a restart is not fetched again.
   */
  async function classifyDate(
    date: IsoDate,
    districtIds: string[],
    detail: DetailLevel,
    manifest: SnapshotManifest | null,
  ) {
    const found = new Map<string, StoredCell>()
    // Read only when a cell is not stored: a failure is recorded only for districts without a file.
    const unstored = districtIds.some((id) => manifest?.districts[id] === undefined)
    const metadata = unstored ? await deps.store.readMetadata(date) : null
    const failed = new Set(
      (metadata?.failedDistricts ?? []).filter(isRecordedFailure).map((f) => f.districtId),
    )
    const listed = isUnpublished(date, ctx.latestPublishedAsOf)
      ? []
      : districtIds.filter((id) => manifest?.districts[id] !== undefined)
    // Only a file that could be skipped is worth opening.
    const stored = await storedOf(
      date,
      listed.filter((id) => satisfiesDetail(manifest!.districts[id]!.detail, detail)),
      detail,
    )
    for (const districtId of listed) {
      const entry = manifest!.districts[districtId]!
      found.set(districtId, {
        detail: entry.detail,
        jobId: entry.jobId,
        intact: stored.has(districtId),
      })
    }
    return planDateCells({
      date,
      districtIds,
      request: state.request,
      strategy: state.strategy,
      latestPublishedAsOf: ctx.latestPublishedAsOf,
      existing: (_date, districtId) => found.get(districtId) ?? null,
      notListed: (_date, districtId) => notListedIn(manifest, districtId),
      recordedFailure: (_date, districtId) => failed.has(districtId),
      jobId: state.backfillId,
    })
  }

  /** The date's summary does not list the district: its own state, and nothing is asked. */
  async function clearMootFailures(asOf: IsoDate, districtIds: string[]): Promise<void> {
    const failed = new Set(
      (await deps.store.readMetadata(asOf))?.failedDistricts.map((f) => f.districtId),
    )
    const moot = districtIds.filter((id) => failed.has(id))
    if (moot.length > 0) await deps.store.clearFailures(asOf, moot)
  }

  function notADistrict(date: IsoDate, districtId: string, summaryAsOf: IsoDate): void {
    const reason = `district ${districtId} is not in the summary of ${summaryAsOf}`
    emit({ type: 'cell:not-a-district', at: at(), date, districtId, summaryAsOf, reason })
  }

  /** Reports a cell the decision leaves unfetched, as it decided. */
  function settle(cell: PlannedCell, manifest: SnapshotManifest | null): void {
    const { date, districtId } = cell
    if (cell.action === 'not-a-district') {
      notADistrict(date, districtId, manifest?.asOf ?? date)
      return
    }
    if (cell.action === 'unavailable') {
      const reason = `nothing published after ${ctx.latestPublishedAsOf}`
      emit({ type: 'cell:unavailable', at: at(), date, districtId, reason })
      return
    }
    if (cell.why === 'recorded-failure') {
      // Reprocess `missing`: the failure recorded earlier stays, nothing is asked.
      emit({ type: 'cell:skipped', at: at(), date, districtId })
      return
    }
    const entry = manifest?.districts[districtId]
    if (!entry) return
    if (cell.why === 'stored-by-this-job') {
      // Written by this job before a restart, its event lost: do not fetch it twice.
      const done = { asOf: date, snapshotId: date, bytes: entry.sizeBytes, detail: entry.detail }
      emit({ type: 'cell:completed', at: at(), date, districtId, ...done })
    } else emit({ type: 'cell:skipped', at: at(), date, districtId, detail: entry.detail })
  }

  /** The date's summary; null = nothing published (cells made unavailable); 'stop' = failed. */
  async function fetchSummary(date: IsoDate, cells: string[]) {
    try {
      const s = await deps.collector.getAllDistricts(date, fetchContext(date))
      if (s.kind === 'unavailable') {
        for (const districtId of cells) {
          if (districtId !== WHOLE_DATE)
            emit({ type: 'cell:unavailable', at: at(), date, districtId, reason: s.reason })
        }
        return null
      }
      return s
    } catch (error) {
      if (signal.aborted) return 'stop' as const
      const e = toCellError(error, deps.now())
      if (FATAL_CODES.has(e.code)) throw error
      for (const districtId of cells)
        emit({ type: 'cell:failed', at: at(), date, districtId, error: e })
      return 'stop' as const
    }
  }

  async function writeSummaryLevel(
    date: IsoDate,
    summary: SummaryData,
    ids: string[],
  ): Promise<void> {
    for (const districtId of ids) emit({ type: 'cell:started', at: at(), date, districtId })
    const outcomes = ids.map((id) =>
      deps.collector.summaryFile(summary, id, { jobId: state.backfillId }),
    )
    await record(date, summary, outcomes, true)
  }

  /** The summary, and the districts about to be collected announced as not stored yet. */
  async function writeAllDistricts(
    date: IsoDate,
    summary: SummaryData,
    announce: string[],
  ): Promise<void> {
    try {
      await storeDate(deps.store, {
        requestedDate: date,
        summary,
        outcomes: [],
        jobId: state.backfillId,
        writeSummary: true,
        collecting: announce,
      })
      if (announce.length > 0) collecting.set(summary.asOf, new Set(announce))
    } catch (error) {
      // Only a disk failure is fatal; a rejected summary file leaves the district cells to decide.
      if (FATAL_CODES.has(toCellError(error, deps.now()).code)) throw error
    }
  }

  async function runDistrict(
    date: IsoDate,
    districtId: string,
    summary: SummaryData,
  ): Promise<void> {
    if (signal.aborted) return
    emit({ type: 'cell:started', at: at(), date, districtId })
    const outcome = await deps.collector.getDistrictPerformance(
      districtId,
      date,
      summary,
      fetchContext(date),
    )
    if (signal.aborted) return
    if (outcome.kind === 'failed' && FATAL_CODES.has(outcome.error.code))
      throw new FatalJobError(outcome.error.message)
    // The summary anchors the snapshot, so a failure is recorded even when nothing was collected.
    await record(date, summary, [outcome], false)
  }

  async function record(
    date: IsoDate,
    summary: SummaryData | null,
    outcomes: DistrictOutcome[],
    writeSummary: boolean,
  ) {
    let stored: Awaited<ReturnType<typeof storeDate>> = null
    try {
      stored = await storeDate(deps.store, {
        requestedDate: date,
        summary,
        outcomes,
        jobId: state.backfillId,
        writeSummary,
      })
    } catch (error) {
      const e = toCellError(error, deps.now())
      // A full or read-only disk stops the job; a rejected file fails only its cells.
      if (FATAL_CODES.has(e.code)) throw error
      outcomes = outcomes.map((o) => ({
        kind: 'failed',
        districtId: o.districtId,
        error: { ...e, code: ErrorCode.STORAGE },
      }))
    }
    const announced = stored ? collecting.get(stored.asOf) : undefined
    for (const o of outcomes) announced?.delete(o.districtId)
    for (const o of outcomes) {
      if (o.kind === 'collected') {
        const asOf = stored?.asOf ?? o.file.asOf
        emit({
          type: 'cell:completed',
          at: at(),
          date,
          districtId: o.districtId,
          asOf,
          snapshotId: asOf,
          bytes: o.bytes,
          detail: o.file.detail,
        })
      } else if (o.kind === 'unavailable') {
        if (o.notADistrict) {
          notADistrict(date, o.districtId, summary?.asOf ?? date)
          continue
        }
        emit({
          type: 'cell:unavailable',
          at: at(),
          date,
          districtId: o.districtId,
          reason: o.reason,
        })
      } else {
        emit({ type: 'cell:failed', at: at(), date, districtId: o.districtId, error: o.error })
      }
    }
  }

  /** Requests for `date`: retries of a district's reports are reported on its cell. */
  function fetchContext(date: IsoDate) {
    return {
      signal,
      useCache: state.request.enableCaching,
      retry: state.request.retryFailures,
      jobId: state.backfillId,
      lane: { lane: state.backfillId, minGapMs: state.request.rateLimitDelayMs },
      onRetry: (info: { districtId: string | null; attempt: number; error: unknown }) => {
        if (info.districtId === null) return
        emit({
          type: 'cell:retrying',
          at: at(),
          date,
          districtId: info.districtId,
          attempt: info.attempt,
          error: toCellError(info.error, deps.now()),
        })
      },
    }
  }

  return {
    get state() {
      return state
    },
    signal,
    prepareDate,
    runDistricts,
    runCell,
    moveCurrent,
    end,
  }
}

function notOnDate(summary: SummaryData) {
  return (districtId: string): DistrictOutcome => ({
    kind: 'unavailable',
    districtId,
    reason: `district ${districtId} is not in the summary of ${summary.asOf}`,
    attempts: 0,
    notADistrict: true,
  })
}

/** The stored summary of the date does not list the district (unknown for older snapshots). */
function notListedIn(manifest: SnapshotManifest | null, districtId: string): boolean {
  const listed = manifest?.allDistricts?.districtIds
  return listed !== undefined && !listed.includes(districtId)
}

function listsDistrict(summary: SummaryData, districtId: string): boolean {
  return summary.parsed.rows.some((row) => normalizeDistrictId(row.district) === districtId)
}
