/**
 * PostgreSQL mode's executor: a job's work as keyed slices on pg-boss (slice-queue.ts), run
 * by any number of worker processes (docs/architecture.md#postgresql-mode).
 *
 * - Starting a job (claiming it from the PgJobQueue, within MAX_RUNNING_JOBS across every
 *   process) queues one *date slice* per date with pending cells, `jobId:date`, in the same
 *   transaction as its `job:started`.
 * - A date slice does what the file mode does first for a date (run-backfill.ts `prepareDate`):
 *   expand the whole-date cell, classify the cells, write summary-level files or the
 *   all-districts file. It stores the date's summary for its cells and queues one *cell slice*
 *   per district to fetch, `jobId:date:district`.
 * - A cell slice takes the advisory lock of `date:district` (so jobs over the same cell take
 *   turns), classifies the cell again against the store (`runCell`), and fetches it only if
 *   that still says so: a cell another job stored meanwhile is skipped, one this job stored
 *   before its worker died is recorded as completed and never fetched again.
 * - After every slice, the job ends (`job:finished`) once no cell is pending, decided under the
 *   job row's lock, once. A fatal error ends it `error`.
 * - Cancel (any process) takes the job's slices off pg-boss in the cancelling transaction
 *   (compose-pg.ts `onStopped`) and aborts the signal of its slices running here; a slice
 *   claimed just before still ends without work, since the job is no longer `processing`.
 * - A slice that fails or is lost on every retry (WORKER_SLICE_RETRIES) comes back once as
 *   exhausted: its date's (or its cell's) pending cells are recorded failed `SLICE_EXHAUSTED`
 *   and the job ends like any other once nothing is pending; `retry` runs those cells again.
 * - A worker that dies mid-slice loses it after `expireInSeconds`; the next maintenance run
 *   puts it back and another worker's next poll takes it (the takeover bound, README).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import type { Logger } from 'pino'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { SummaryData } from '../collect/index.ts'
import type { JobEvent } from '../backfill/job-events.ts'
import { createJobExecutor, type RunDeps } from '../backfill/run-backfill.ts'
import { applyJobEvent, listCells, type JobState } from '../backfill/job-state.ts'
import type { PgJobQueue } from './pg-job-queue.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import type { ClaimedSlice, ExhaustedSlice, SliceQueue } from './slice-queue.ts'

export type SliceData =
  | { kind: 'date'; backfillId: string; date: IsoDate }
  | { kind: 'cell'; backfillId: string; date: IsoDate; districtId: string }

export type BackfillSliceQueue = SliceQueue<SliceData>

export function sliceKey(data: SliceData): string {
  return data.kind === 'date'
    ? `${data.backfillId}:${data.date}`
    : `${data.backfillId}:${data.date}:${data.districtId}`
}

/** Queues the date slices of a job just started, through the transaction that started it. */
export async function enqueueDateSlices(
  slices: BackfillSliceQueue,
  state: JobState,
  client?: pg.PoolClient,
): Promise<void> {
  const dates = [
    ...new Set(
      listCells(state)
        .filter((c) => c.state === 'pending')
        .map((c) => c.date),
    ),
  ].sort()
  const db = client
    ? { executeSql: (text: string, values: unknown[]) => client.query(text, values) }
    : undefined
  for (const date of dates) {
    const data: SliceData = { kind: 'date', backfillId: state.backfillId, date }
    await slices.enqueue({ key: sliceKey(data), data }, { db })
  }
}

export interface SliceWorkerDeps extends RunDeps {
  pool: pg.Pool
  queue: PgJobQueue
  slices: BackfillSliceQueue
  logger: Logger
  /** Slices run at once in this process. @default 4 */
  concurrency?: number
}

export interface SliceWorker {
  stop(): Promise<void>
}

/** Thrown so pg-boss retries a slice stopped by shutdown (not by cancel). */
class SliceInterrupted extends Error {
  override name = 'SliceInterrupted'
}

export async function startSliceWorker(deps: SliceWorkerDeps): Promise<SliceWorker> {
  const { queue, logger, pool } = deps
  const stopping = new AbortController()

  // Jobs are started (and their date slices queued) by whichever worker claims them.
  const starter = (async () => {
    for (;;) {
      const job = await queue.claim(stopping.signal)
      if (!job) return
      logger.info({ backfillId: job.state.backfillId }, 'backfill started')
      await job.release()
    }
  })().catch((error: unknown) => logger.error({ err: error }, 'job starter stopped'))

  /** Emits applied here at once and recorded in order; `flush` throws the first failure. */
  function recorder(backfillId: string, initial: JobState) {
    let state = initial
    let chain: Promise<void> = Promise.resolve()
    let failure: unknown = null
    return {
      emit(event: JobEvent): JobState {
        state = applyJobEvent(state, event)
        chain = chain.then(async () => {
          if (failure !== null) return
          await queue.append(backfillId, [event]).then(
            () => undefined,
            (error: unknown) => void (failure = error),
          )
        })
        return state
      },
      async flush(): Promise<void> {
        await chain
        if (failure !== null) throw failure
      },
    }
  }

  async function withCellLock<T>(
    key: string,
    signal: AbortSignal,
    fn: () => Promise<T>,
  ): Promise<T | undefined> {
    const client = await pool.connect()
    let broken = false
    try {
      for (;;) {
        const { rows } = await client.query<{ ok: boolean }>(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
          [key],
        )
        if (rows[0]?.ok) break
        if (signal.aborted) return undefined
        await sleep(100, undefined, { signal }).catch(() => undefined)
      }
      try {
        return await fn()
      } finally {
        await client
          .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
          .catch(() => (broken = true))
      }
    } finally {
      client.release(broken)
    }
  }

  /**
   * Stores the date's summary and queues its cells' slices in one transaction that holds the
   * job row `FOR SHARE`: a cancel (which takes it `FOR UPDATE` and takes the job's slices off the
   * queue) either sees these slices or comes first, and then none is queued.
   */
  async function queueCells(
    backfillId: string,
    date: IsoDate,
    summary: SummaryData,
    districtIds: readonly string[],
  ): Promise<void> {
    const client = await pool.connect()
    let broken = false
    try {
      await client.query('BEGIN')
      const { rows } = await client.query<{ status: string }>(
        'SELECT status FROM backfill_jobs WHERE backfill_id = $1 FOR SHARE',
        [backfillId],
      )
      if (rows[0]?.status === 'processing') {
        await client.query(
          `INSERT INTO backfill_date_summaries (backfill_id, date, summary) VALUES ($1, $2, $3)
           ON CONFLICT (backfill_id, date) DO UPDATE SET summary = EXCLUDED.summary`,
          [backfillId, date, JSON.stringify(summary)],
        )
        const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) }
        for (const districtId of districtIds) {
          const cell: SliceData = { kind: 'cell', backfillId, date, districtId }
          await deps.slices.enqueue({ key: sliceKey(cell), data: cell }, { db })
        }
      }
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true))
      throw error
    } finally {
      client.release(broken)
    }
  }

  async function handle(slice: ClaimedSlice<SliceData>): Promise<void> {
    const data = slice.data
    const { backfillId, date } = data
    // Watched before the job is read: a cancel committed in between still aborts this slice.
    const guard = queue.watch(backfillId)
    const loaded = await queue.load(backfillId).catch((error: unknown) => {
      guard.done()
      throw error
    })
    // A cancelled, failed or removed job: its waiting slices end here, without a request.
    if (!loaded || loaded.state.status !== 'processing') return guard.done()
    logger.debug({ backfillId, slice: slice.key }, 'slice started')
    const signal = AbortSignal.any([guard.signal, stopping.signal, slice.signal])
    const rec = recorder(backfillId, loaded.state)
    const ex = createJobExecutor(
      loaded.state,
      { collector: deps.collector, store: deps.store, now: deps.now },
      { signal, emit: rec.emit, latestPublishedAsOf: loaded.hints.latestPublishedAsOf },
    )
    let fatal: unknown = null
    try {
      if (data.kind === 'date') {
        const prepared = await ex.prepareDate(date)
        // The cells' slices read the ledger this slice changed: record it first.
        await rec.flush()
        if (prepared && !signal.aborted) {
          await queueCells(backfillId, date, prepared.summary, prepared.districtIds)
        } else await ex.moveCurrent(date)
      } else {
        const { rows } = await pool.query<{ summary: SummaryData }>(
          'SELECT summary FROM backfill_date_summaries WHERE backfill_id = $1 AND date = $2',
          [backfillId, date],
        )
        const summary = rows[0]?.summary
        if (!summary) throw new Error(`no summary stored for ${backfillId} ${date}`)
        await withCellLock(`tm-backfill:cell:${date}:${data.districtId}`, signal, () =>
          ex.runCell(date, data.districtId, summary),
        )
        await ex.moveCurrent(date)
      }
    } catch (error) {
      if (!signal.aborted) fatal = error
    } finally {
      guard.done()
    }
    await rec.flush()
    if (fatal !== null) {
      const message = fatal instanceof Error ? fatal.message : String(fatal)
      logger.error({ err: fatal, backfillId, slice: slice.key }, 'backfill slice failed the job')
      await queue.fail(backfillId, message)
      return
    }
    if (stopping.signal.aborted) throw new SliceInterrupted(`slice ${slice.key} interrupted`)
    // pg-boss has failed this run already (it outlived expireInSeconds) and runs it again.
    if (slice.signal.aborted) throw new SliceInterrupted(`slice ${slice.key} timed out`)
    await queue.finishIfSettled(backfillId)
    logger.debug({ backfillId, slice: slice.key }, 'slice ended')
  }

  /** A slice given up after its last retry: its cells end failed, so the job can end. */
  async function settleExhausted(slice: ExhaustedSlice<SliceData>): Promise<void> {
    const { backfillId, date } = slice.data
    const districtId = slice.data.kind === 'cell' ? slice.data.districtId : null
    const state = await queue.failPending(
      backfillId,
      { date, districtId },
      {
        code: ErrorCode.SLICE_EXHAUSTED,
        message: `gave up after ${slice.attempts} attempts (slice ${slice.key}): ${slice.reason}`,
        retryable: true,
        attempts: slice.attempts,
      },
    )
    logger.warn(
      { backfillId, slice: slice.key, attempts: slice.attempts, reason: slice.reason },
      `slice given up; job ${state?.status ?? 'gone'}`,
    )
  }

  await deps.slices.work(handle, {
    concurrency: deps.concurrency ?? 4,
    onExhausted: settleExhausted,
  })

  return {
    async stop() {
      stopping.abort()
      await starter
      await deps.slices.stop()
    },
  }
}
