/**
 * The JobQueue port (docs/architecture.md#the-job-model) over PostgreSQL, shared by every
 * process of a PostgreSQL deployment. A job's events are rows of `backfill_job_events`: the
 * record. Its row of `backfill_jobs` holds the counters (`event_count`, `status`) and a
 * checkpoint: the job reducer's fold of its first `state_seq` events. The current state is that
 * checkpoint with the later events folded in, and each process keeps the fold it last read or
 * wrote, so an append reads and writes one event and the row's counters, not the whole state
 * (which grows with the job's cells: docs/performance.md#ledger-in-postgresql). Every append
 * locks the row `FOR UPDATE`, folds the events with `applyJobEvent`, inserts the ones that change
 * something and updates the row in one transaction, so appends from several processes fold in
 * one order and a terminal job never changes again (a cancelled job never turns complete).
 *
 * Across processes: every recorded event is announced with `NOTIFY tm_backfill_event`
 * (`backfillId:seq`, the listener reads the event) and a cancel with `NOTIFY
 * tm_backfill_cancel` (`backfillId`), which aborts the signals this process handed out for
 * that job (`watch`). MAX_RUNNING_JOBS and MAX_QUEUED_JOBS count rows in the database.
 */
import type pg from 'pg'
import type { Logger } from 'pino'
import { ErrorCode } from '../../shared/error-codes.ts'
import { BackfillError } from '../backfill/index.ts'
import type { JobEvent, JobSpec } from '../backfill/job-events.ts'
import type {
  ClaimedJob,
  JobListener,
  JobListQuery,
  JobQueue,
  RunHints,
} from '../backfill/job-queue.ts'
import {
  applyJobEvent,
  createJobState,
  listDateCells,
  pendingCellCount,
  type JobState,
} from '../backfill/job-state.ts'
import { isTerminal, type CellError } from '../../shared/backfill-api.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import { insertJobRecord } from './pg-job-history.ts'

export const EVENT_CHANNEL = 'tm_backfill_event'
export const CANCEL_CHANNEL = 'tm_backfill_cancel'
/** Held (transaction-scoped) while a job is queued or claimed, so the limits count exactly. */
const LIMITS_LOCK = 'tm-backfill:jobs:limits'

export interface PgJobQueueOptions {
  pool: pg.Pool
  now: () => number
  logger: Logger
  /** Jobs running at once across every process. @default 2 */
  maxRunningJobs?: number
  /** Jobs waiting; more are refused with QUEUE_FULL. @default 20 */
  maxQueuedJobs?: number
  /** How often a waiting claim or `idle` looks again without a notification. @default 1000 */
  pollMs?: number
  /** The most cells the folds kept in memory may count, in all (see KEPT_CELLS). @default 200000 */
  keptCells?: number
  /**
   * Called inside the transaction that starts a claimed job, with that transaction's
   * connection: work queued through it exists exactly when the job is started.
   */
  onStarted?: (state: JobState, client: pg.PoolClient) => Promise<void>
  /**
   * Called inside the transaction that cancels or fails a job: its queued work is taken off the
   * queue exactly when the job ends (any process may call it, API processes too).
   */
  onStopped?: (backfillId: string, client: pg.PoolClient) => Promise<void>
}

export interface PgJobQueue extends JobQueue {
  /**
   * Appends events to a job under its row lock; returns the state after them (null: no such
   * job). Events a terminal job absorbs are not recorded.
   */
  append(backfillId: string, events: JobEvent[]): Promise<JobState | null>
  /** The job's state and hints as recorded. */
  load(backfillId: string): Promise<{ state: JobState; hints: RunHints } | null>
  /**
   * Ends a running job whose every cell has settled with `job:finished`, deciding under its
   * row lock, so of several callers exactly one records it. Returns the state.
   */
  finishIfSettled(backfillId: string): Promise<JobState | null>
  /**
   * Records the still-pending cells of a date (`districtId` null) or of one cell `failed` with
   * `error`, deciding under the job row's lock (a cell that settled meanwhile keeps its end), then
   * ends the job if nothing is pending. Returns the state (null: no such job).
   */
  failPending(
    backfillId: string,
    cells: { date: IsoDate; districtId: string | null },
    error: Omit<CellError, 'at'>,
  ): Promise<JobState | null>
  /** Ends the job `error` (`job:failed`) and stops its work in every process, as cancel does. */
  fail(backfillId: string, message: string): Promise<JobState | null>
  /** Resolves once the notification listener is connected; rejects if it cannot be. */
  ready(): Promise<void>
  /** Ids of jobs that have not ended, oldest first. */
  unfinished(): Promise<string[]>
  /**
   * A signal that aborts when the job is cancelled (from any process) or the queue closes;
   * call the returned `done` when the work it guards has ended.
   */
  watch(backfillId: string): { signal: AbortSignal; done: () => void }
}

/**
 * Folds kept, at most this many jobs and this many cells in all (the least recently used go
 * first; the newest is kept whatever its size). A year of every district is some 47 000 cells and
 * 10–22 MB of heap (folded here / parsed from a checkpoint), so the cells bound what they hold.
 */
const KEPT_FOLDS = 256
const KEPT_CELLS = 200_000

/**
 * An append writes the whole state again once this many events are past the checkpoint: half the
 * job's cells (a job records two to three events per cell), at least MIN_CHECKPOINT_GAP. The
 * checkpoint's cost grows with the cells, so spread over that many events it is constant per
 * event, and a process with no fold of the job folds at most that many events onto it.
 */
const MIN_CHECKPOINT_GAP = 32

function checkpointDue(state: JobState, seq: number, stateSeq: number): boolean {
  if (isTerminal(state.status)) return true
  return seq - stateSeq >= Math.max(MIN_CHECKPOINT_GAP, Math.ceil(state.progress.total / 2))
}

/** A job's state after its first `seq` events. An id names one history, so a fold never goes stale. */
interface Fold {
  seq: number
  state: JobState
}

/** What a read takes of a job's row. */
interface RowHead {
  event_count: number
  state_seq: number
  /** The checkpoint, or null when the reader's fold (at the seq it sent) can be brought forward. */
  state: JobState | null
}

/**
 * The row's counters, and its checkpoint only when the reader's fold (its seq in `known`, -1 for
 * none) cannot be brought forward by the events after it: when it is older than the checkpoint.
 */
const headColumns = (known: string) => `j.event_count, j.state_seq,
  CASE WHEN ${known} BETWEEN j.state_seq AND j.event_count THEN NULL ELSE j.state END AS state`

/** The work of one transaction: its connection, and the folds it made (kept once it commits). */
interface Tx {
  client: pg.PoolClient
  folds: Map<string, Fold>
}

export function createPgJobQueue(options: PgJobQueueOptions): PgJobQueue {
  const { pool, logger } = options
  const maxRunning = options.maxRunningJobs ?? 2
  const maxQueued = options.maxQueuedJobs ?? 20
  const pollMs = options.pollMs ?? 1000
  const maxKeptCells = options.keptCells ?? KEPT_CELLS
  const at = () => new Date(options.now()).toISOString()
  const listeners = new Set<JobListener>()
  const watched = new Map<string, Set<AbortController>>()
  /** Wakes waiting claims and idle() when any job event arrives. */
  let wake: (() => void)[] = []
  const closing = new AbortController()
  let closed = false

  // Notifications start once this connects; `ready` reports whether it did.
  const listener = connectListener()
  listener.catch(() => undefined)

  async function connectListener(): Promise<pg.PoolClient> {
    const client = await pool.connect()
    client.on('notification', (msg) => {
      if (msg.channel === CANCEL_CHANNEL && msg.payload) abortWatched(msg.payload)
      if (msg.channel === EVENT_CHANNEL && msg.payload) deliver(msg.payload)
    })
    client.on('error', (error) => logger.error({ err: error }, 'job notification listener failed'))
    await client.query(`LISTEN ${EVENT_CHANNEL}`)
    await client.query(`LISTEN ${CANCEL_CHANNEL}`)
    return client
  }

  function abortWatched(backfillId: string): void {
    for (const c of watched.get(backfillId) ?? []) c.abort(new Error('cancelled'))
  }

  function wakeAll(): void {
    const waiting = wake
    wake = []
    for (const w of waiting) w()
  }

  /** Notified events reach the listeners one at a time, in the order they were recorded. */
  let delivering: Promise<void> = Promise.resolve()
  /** Per job, the last event handed to the listeners here (the most recent jobs only). */
  const delivered = new Map<string, number>()

  function deliver(payload: string): void {
    wakeAll()
    if (listeners.size === 0) return
    delivering = delivering.then(() => deliverFrom(payload))
  }

  /**
   * The notified event and every later one not yet handed over, each with the job's state as
   * this process folds it now (at or after the event): a burst of notifications costs one read,
   * and the events after the first are found already delivered.
   */
  async function deliverFrom(payload: string): Promise<void> {
    if (listeners.size === 0) return
    const sep = payload.lastIndexOf(':')
    const backfillId = payload.slice(0, sep)
    const seq = Number(payload.slice(sep + 1))
    const after = Math.max(delivered.get(backfillId) ?? 0, seq - 1)
    if (after >= seq) return
    try {
      const known = folds.get(backfillId)
      const { rows } = await pool.query<RowHead>(
        `SELECT ${headColumns('$2::int')} FROM backfill_jobs j WHERE j.backfill_id = $1`,
        [backfillId, known?.seq ?? -1],
      )
      const row = rows[0]
      if (!row) return
      const [events, fold] = await Promise.all([
        pool.query<{ event: JobEvent }>(
          `SELECT event FROM backfill_job_events
            WHERE backfill_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`,
          [backfillId, after, row.event_count],
        ),
        foldRow(pool, backfillId, row, known),
      ])
      if (!fold) return
      keep(backfillId, fold)
      delivered.delete(backfillId)
      delivered.set(backfillId, row.event_count)
      if (delivered.size > KEPT_FOLDS * 4) delivered.delete(delivered.keys().next().value as string)
      for (const { event } of events.rows) for (const l of listeners) l(fold.state, event)
    } catch (error) {
      logger.warn({ err: error, backfillId, seq }, 'could not read a notified job event')
    }
  }

  /** Waits for a notification, the poll interval, or `signal`. */
  function pause(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        closing.signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, pollMs)
      wake.push(done)
      signal?.addEventListener('abort', done, { once: true })
      closing.signal.addEventListener('abort', done, { once: true })
    })
  }

  /** Runs `fn` in one transaction; the folds it made are kept once it has committed. */
  async function transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await pool.connect()
    let broken = false
    try {
      await client.query('BEGIN')
      const tx: Tx = { client, folds: new Map() }
      const result = await fn(tx)
      await client.query('COMMIT')
      for (const [id, fold] of tx.folds) keep(id, fold)
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true))
      throw error
    } finally {
      client.release(broken)
    }
  }

  /**
   * Brings a fold forward to the row's count: from the row's checkpoint when it sent one, else
   * from `known` (the fold whose seq the read sent), by the events after it. Null when those
   * events are gone (the job was removed between the two reads).
   */
  async function foldRow(
    q: pg.Pool | pg.PoolClient,
    backfillId: string,
    row: RowHead,
    known: Fold | undefined,
  ): Promise<Fold | null> {
    const base = row.state !== null ? { seq: row.state_seq, state: row.state } : known
    if (base === undefined || base.seq > row.event_count) return null
    if (base.seq === row.event_count) return base
    const { rows } = await q.query<{ event: JobEvent }>(
      `SELECT event FROM backfill_job_events
        WHERE backfill_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`,
      [backfillId, base.seq, row.event_count],
    )
    if (rows.length !== row.event_count - base.seq) return null
    let state = base.state
    for (const r of rows) state = applyJobEvent(state, r.event)
    return { seq: row.event_count, state }
  }

  /** The job's current state under its row lock (taken here), and the row's checkpoint seq. */
  async function lockedFold(
    tx: Tx,
    backfillId: string,
  ): Promise<{ fold: Fold; stateSeq: number } | null> {
    const known = tx.folds.get(backfillId) ?? folds.get(backfillId)
    const { rows } = await tx.client.query<RowHead>(
      `SELECT ${headColumns('$2::int')} FROM backfill_jobs j WHERE j.backfill_id = $1 FOR UPDATE`,
      [backfillId, known?.seq ?? -1],
    )
    const row = rows[0]
    if (!row) return null
    // Under the lock every event the row counts is there.
    const fold = await foldRow(tx.client, backfillId, row, known)
    if (fold === null) throw new Error(`the recorded events of ${backfillId} do not match its row`)
    tx.folds.set(backfillId, fold)
    return { fold, stateSeq: row.state_seq }
  }

  /** Folds `events` into the locked row and records the ones that change it. */
  async function appendIn(
    tx: Tx,
    backfillId: string,
    events: JobEvent[],
  ): Promise<JobState | null> {
    const locked = await lockedFold(tx, backfillId)
    if (!locked) return null
    const { client } = tx
    let { state, seq } = locked.fold
    const before = state
    for (const event of events) {
      const next = applyJobEvent(state, event)
      if (next === state) continue
      state = next
      seq += 1
      await client.query(
        'INSERT INTO backfill_job_events (backfill_id, seq, event) VALUES ($1, $2, $3)',
        [backfillId, seq, JSON.stringify(event)],
      )
      await client.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, `${backfillId}:${seq}`])
    }
    if (state === before) return state
    if (checkpointDue(state, seq, locked.stateSeq)) {
      await client.query(
        `UPDATE backfill_jobs SET state = $2, state_seq = $4, status = $3, event_count = $4,
           ended_at = $5 WHERE backfill_id = $1`,
        [backfillId, JSON.stringify(state), state.status, seq, state.completedAt],
      )
    } else {
      await client.query(
        `UPDATE backfill_jobs SET status = $2, event_count = $3, ended_at = $4
          WHERE backfill_id = $1`,
        [backfillId, state.status, seq, state.completedAt],
      )
    }
    tx.folds.set(backfillId, { seq, state })
    return state
  }

  async function insertJob(
    tx: Tx,
    state: JobState,
    hints: RunHints,
    events: JobEvent[],
  ): Promise<boolean> {
    const { client } = tx
    if (!(await insertJobRecord(client, state, hints, events))) return false
    tx.folds.set(state.backfillId, { seq: events.length, state })
    await client.query('SELECT pg_notify($1, $2)', [
      EVENT_CHANNEL,
      `${state.backfillId}:${events.length}`,
    ])
    return true
  }

  /**
   * The fold this process last read or wrote of each job. A read sends the count it holds and
   * gets only the events after it, or the checkpoint when the fold is older than that; a job
   * polled with no new event is neither sent nor folded again, and the very state object comes
   * back, so its view is found in the view's own keeping (docs/performance.md#job-view). Only
   * committed folds are kept (`transaction`).
   */
  const folds = new Map<string, Fold>()
  /** The cells of the kept folds' jobs, in all. */
  let keptCells = 0

  /** Keeps `fold` unless a newer one is kept already; returns the newer of the two. */
  function keep(backfillId: string, fold: Fold): Fold {
    const known = folds.get(backfillId)
    folds.delete(backfillId)
    // A slower read of an older count never replaces a newer fold.
    const newest = known !== undefined && known.seq > fold.seq ? known : fold
    if (known !== undefined) keptCells -= known.state.progress.total
    folds.set(backfillId, newest)
    keptCells += newest.state.progress.total
    while (folds.size > 1 && (folds.size > KEPT_FOLDS || keptCells > maxKeptCells)) {
      const [oldest, dropped] = folds.entries().next().value as [string, Fold]
      folds.delete(oldest)
      keptCells -= dropped.state.progress.total
    }
    return newest
  }

  function forget(backfillId: string): void {
    const known = folds.get(backfillId)
    if (known === undefined) return
    folds.delete(backfillId)
    keptCells -= known.state.progress.total
  }

  /** Current job states by id, each brought forward from the fold kept here where it can be. */
  async function readStates(where: string, params: unknown[], tail = ''): Promise<JobState[]> {
    const known = new Map(folds)
    const ids = [...known.keys()]
    const seqs = ids.map((id) => known.get(id)?.seq ?? -1)
    const n = params.length
    const { rows } = await pool.query<RowHead & { backfill_id: string }>(
      `SELECT j.backfill_id, ${headColumns('k.seq')}
         FROM backfill_jobs j
         LEFT JOIN unnest($${n + 1}::text[], $${n + 2}::int[]) AS k(id, seq) ON k.id = j.backfill_id
        WHERE ${where} ${tail}`,
      [...params, ids, seqs],
    )
    const out: JobState[] = []
    for (const row of rows) {
      // Null: removed since the row was read.
      const fold = await foldRow(pool, row.backfill_id, row, known.get(row.backfill_id))
      if (fold !== null) out.push(keep(row.backfill_id, fold).state)
    }
    return out
  }

  async function readState(backfillId: string): Promise<JobState | null> {
    const states = await readStates('j.backfill_id = $1', [backfillId])
    if (states.length === 0) forget(backfillId)
    return states[0] ?? null
  }

  async function load(backfillId: string) {
    const known = folds.get(backfillId)
    const { rows } = await pool.query<RowHead & { hints: RunHints }>(
      `SELECT j.hints, ${headColumns('$2::int')} FROM backfill_jobs j WHERE j.backfill_id = $1`,
      [backfillId, known?.seq ?? -1],
    )
    const row = rows[0]
    const fold = row ? await foldRow(pool, backfillId, row, known) : null
    return row && fold ? { state: keep(backfillId, fold).state, hints: row.hints } : null
  }

  async function unfinished(): Promise<string[]> {
    const { rows } = await pool.query<{ backfill_id: string }>(
      `SELECT backfill_id FROM backfill_jobs WHERE status IN ('queued', 'processing')
        ORDER BY created_at, ord`,
    )
    return rows.map((r) => r.backfill_id)
  }

  const append = (backfillId: string, events: JobEvent[]) =>
    transaction((tx) => appendIn(tx, backfillId, events))

  function watch(backfillId: string) {
    const controller = new AbortController()
    if (closed) controller.abort(new Error('shutting down'))
    const set = watched.get(backfillId) ?? new Set()
    set.add(controller)
    watched.set(backfillId, set)
    return {
      signal: controller.signal,
      done: () => {
        set.delete(controller)
        if (set.size === 0 && watched.get(backfillId) === set) watched.delete(backfillId)
      },
    }
  }

  /** The oldest queued job, started, when fewer than the limit run; null otherwise. */
  async function tryClaim(): Promise<{ state: JobState; hints: RunHints } | null> {
    return transaction(async (tx) => {
      const { client } = tx
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [LIMITS_LOCK])
      const running = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM backfill_jobs WHERE status = 'processing'`,
      )
      if ((running.rows[0]?.n ?? 0) >= maxRunning) return null
      const { rows } = await client.query<{ backfill_id: string; hints: RunHints }>(
        `SELECT backfill_id, hints FROM backfill_jobs WHERE status = 'queued'
          ORDER BY created_at, ord LIMIT 1`,
      )
      const row = rows[0]
      if (!row) return null
      const state = await appendIn(tx, row.backfill_id, [{ type: 'job:started', at: at() }])
      if (state) await options.onStarted?.(state, client)
      return state ? { state, hints: row.hints } : null
    })
  }

  function toClaimed(initial: JobState, hints: RunHints): ClaimedJob {
    let state = initial
    const guard = watch(initial.backfillId)
    // Appends keep the order of emits; release waits for them.
    let chain: Promise<unknown> = Promise.resolve()
    let cancelled = false
    guard.signal.addEventListener('abort', () => (cancelled = !closed), { once: true })
    return {
      get state() {
        return state
      },
      hints,
      signal: guard.signal,
      emit(event) {
        state = applyJobEvent(state, event)
        chain = chain
          .then(() => append(initial.backfillId, [event]))
          .catch((error: unknown) =>
            logger.error({ err: error, backfillId: initial.backfillId }, 'could not record event'),
          )
        return state
      },
      isCancelled: () => cancelled || state.status === 'cancelled',
      async release() {
        await chain
        guard.done()
        wakeAll()
      },
    }
  }

  /** Ends a running job whose every cell has settled, under its row lock (taken again here). */
  async function finishIn(tx: Tx, backfillId: string): Promise<JobState | null> {
    const state = (await lockedFold(tx, backfillId))?.fold.state
    if (!state || state.status !== 'processing') return state ?? null
    if (pendingCellCount(state) > 0) return state
    return appendIn(tx, backfillId, [{ type: 'job:finished', at: at() }])
  }

  /** Appends `event`, and tells every process to stop the job's work. */
  const stopWith = (backfillId: string, event: JobEvent) =>
    transaction(async (tx) => {
      const after = await appendIn(tx, backfillId, [event])
      if (after) await options.onStopped?.(backfillId, tx.client)
      // Delivered at commit, to every process (this one included).
      if (after) await tx.client.query('SELECT pg_notify($1, $2)', [CANCEL_CHANNEL, backfillId])
      return after
    })

  return {
    append,
    load,
    watch,
    ready: () => listener.then(() => undefined),

    finishIfSettled: (backfillId: string) => transaction((tx) => finishIn(tx, backfillId)),

    failPending: (backfillId, cells, error) =>
      transaction(async (tx) => {
        const state = (await lockedFold(tx, backfillId))?.fold.state
        if (!state || state.status !== 'processing') return state ?? null
        const now = at()
        const events: JobEvent[] = listDateCells(state, cells.date)
          .filter(
            (c) =>
              c.state === 'pending' &&
              (cells.districtId === null || c.districtId === cells.districtId),
          )
          .map((c) => ({
            type: 'cell:failed',
            at: now,
            date: c.date,
            districtId: c.districtId,
            error: { ...error, at: now },
          }))
        await appendIn(tx, backfillId, events)
        return finishIn(tx, backfillId)
      }),

    fail: (backfillId: string, message: string) =>
      stopWith(backfillId, { type: 'job:failed', at: at(), message }),

    unfinished,

    async enqueue(spec: JobSpec, hints: RunHints): Promise<JobState> {
      const queued: JobEvent = { type: 'job:queued', at: at(), job: spec }
      const state = createJobState(queued)
      await transaction(async (tx) => {
        const { client } = tx
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [LIMITS_LOCK])
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM backfill_jobs WHERE status = 'queued'`,
        )
        const waiting = rows[0]?.n ?? 0
        if (waiting >= maxQueued) {
          throw new BackfillError(
            ErrorCode.QUEUE_FULL,
            `${waiting} jobs are already waiting (limit ${maxQueued}); try again when some have finished`,
          )
        }
        await insertJob(tx, state, hints, [queued])
      })
      return state
    },

    async claim(signal?: AbortSignal): Promise<ClaimedJob | null> {
      while (!closed && !signal?.aborted) {
        const claimed = await tryClaim()
        if (claimed) return toClaimed(claimed.state, claimed.hints)
        await pause(signal)
      }
      return null
    },

    cancel: (backfillId: string) => stopWith(backfillId, { type: 'job:cancelled', at: at() }),

    get: readState,

    async events(backfillId: string, page: { offset: number; limit: number }) {
      const { rows } = await pool.query<{ n: number | null }>(
        `SELECT (SELECT count(*)::int FROM backfill_job_events e WHERE e.backfill_id = j.backfill_id) AS n
           FROM backfill_jobs j WHERE j.backfill_id = $1`,
        [backfillId],
      )
      if (rows.length === 0) return null
      const events = await pool.query<{ event: JobEvent }>(
        `SELECT event FROM backfill_job_events WHERE backfill_id = $1
          ORDER BY seq LIMIT $2 OFFSET $3`,
        [backfillId, page.limit, page.offset],
      )
      return { total: rows[0]?.n ?? 0, events: events.rows.map((r) => r.event) }
    },

    async list(query: JobListQuery) {
      const where = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2)
        AND ($3::text IS NULL OR district_id = $3 OR $3 = ANY (target_districts))`
      const params = [query.status ?? null, query.type ?? null, query.districtId ?? null]
      const [count, page] = await Promise.all([
        pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM backfill_jobs WHERE ${where}`,
          params,
        ),
        readStates(
          where,
          [...params, query.limit, query.offset],
          'ORDER BY j.created_at DESC, j.ord LIMIT $4 OFFSET $5',
        ),
      ])
      return { total: count.rows[0]?.n ?? 0, jobs: page }
    },

    async restore(resumeHints: () => Promise<RunHints>) {
      const ids = await unfinished()
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM backfill_jobs',
      )
      if (ids.length > 0) {
        const hints = await resumeHints()
        await pool.query('UPDATE backfill_jobs SET hints = $2 WHERE backfill_id = ANY ($1)', [
          ids,
          JSON.stringify(hints),
        ])
      }
      return { resumed: ids, loaded: rows[0]?.n ?? 0 }
    },

    async cleanup(endedBefore: number): Promise<string[]> {
      const { rows } = await pool.query<{ backfill_id: string }>(
        `DELETE FROM backfill_jobs
          WHERE status NOT IN ('queued', 'processing') AND ended_at < $1
          RETURNING backfill_id`,
        [new Date(endedBefore).toISOString()],
      )
      for (const r of rows) forget(r.backfill_id)
      return rows.map((r) => r.backfill_id).sort()
    },

    subscribe(l: JobListener): () => void {
      listeners.add(l)
      return () => listeners.delete(l)
    },

    async idle(): Promise<void> {
      while (!closed && (await unfinished()).length > 0) await pause()
    },

    async close(): Promise<void> {
      if (closed) return
      closed = true
      closing.abort()
      for (const set of watched.values()) for (const c of set) c.abort(new Error('shutting down'))
      wakeAll()
      listeners.clear()
      const client = await listener.catch(() => null)
      await client?.query(`UNLISTEN *`).catch(() => undefined)
      client?.release()
    },
  }
}
