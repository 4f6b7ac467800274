/**
 * Keyed slices of work on pg-boss (docs/decisions/job-queue.md says why pg-boss 10). A slice's
 * key (a cell, `2026-02-20:61`) never runs twice at once, in any number of processes: the
 * queue's `stately` policy allows one active and one waiting job per key, so a second slice of
 * a running key waits for it, and a third one while another waits is the same work and is
 * dropped (`enqueue` answers null). A worker that dies mid-slice loses it after
 * `expireInSeconds`; the slice is then retried by another worker.
 *
 * A slice that fails or is lost on every one of its `retryLimit` retries is not dropped: pg-boss
 * moves it to the queue's dead-letter queue (`<queue>_exhausted`), and the `onExhausted` handler
 * of `work` receives it once, so its owner can record the end of that work. `cancel` takes a
 * key prefix's waiting and running slices off the queue at once (pg-boss's `cancel`).
 */
import { createRequire } from 'node:module'
import pg from 'pg'
import PgBoss from 'pg-boss'

type Settle = (this: unknown, ...args: unknown[]) => Promise<unknown>
interface ManagerPrototype {
  complete: Settle
  fail: Settle
}

/**
 * pg-boss 10.4.2 records a slice's end (`complete`, `fail`) without awaiting it when the handler
 * outlives `expireInSeconds` or throws, so with the database gone that write rejects unhandled and
 * ends the process. Its settling is made to swallow that failure: the slice stays active, expires
 * and is retried, which every slice tolerates (it re-classifies its cells). Patched once per
 * process, on the pinned version only.
 */
function settleQuietly(): void {
  const require = createRequire(import.meta.url)
  const version = (require('pg-boss/package.json') as { version: string }).version
  const proto = (require('pg-boss/src/manager.js') as { prototype: ManagerPrototype }).prototype
  if (version !== '10.4.2' || (proto as { quiet?: boolean }).quiet) return
  for (const name of ['complete', 'fail'] as const) {
    const original = proto[name]
    proto[name] = function (this: unknown, ...args: unknown[]) {
      return original.apply(this, args).catch(() => undefined)
    }
  }
  ;(proto as { quiet?: boolean }).quiet = true
}

export interface Slice<T> {
  key: string
  data: T
}

export interface ClaimedSlice<T> extends Slice<T> {
  id: string
  /**
   * Aborts when pg-boss takes the slice to be lost (`expireInSeconds` after its claim): its run
   * is then failed and retried, so work still going on here must stop.
   */
  signal: AbortSignal
}

/** A slice given up after its last retry, and why the last run ended. */
export interface ExhaustedSlice<T> extends Slice<T> {
  id: string
  /** Runs made: the first and its retries. */
  attempts: number
  reason: string
}

export interface SliceQueueOptions {
  databaseUrl: string
  /** @default 'slices' */
  queue?: string
  /** PostgreSQL schema of pg-boss's tables. @default 'pgboss' */
  schema?: string
  /**
   * A claimed slice not finished within this is taken to be lost (its worker died) and retried
   * elsewhere. pg-boss 10 has no heartbeat: a slice must finish well within it. @default 30
   */
  expireInSeconds?: number
  /** How often an idle worker asks for work; pg-boss's minimum is 0.5. @default 0.5 */
  pollingIntervalSeconds?: number
  /** Runs of a failed or lost slice after its first, before it is given up. @default 20 */
  retryLimit?: number
  /** How often expired slices are looked for (by one process at a time). @default 5 */
  superviseIntervalSeconds?: number
  /** Errors of the queue's background loops (database gone, ...). */
  onError?: (error: Error) => void
}

/** A connection to send through, e.g. a transaction's (pg-boss's `db` option). */
export interface SliceDb {
  executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }>
}

export interface SliceQueue<T> {
  /**
   * The slice's id, or null when a slice of that key already waits. With `db`, the slice is
   * sent inside that connection's transaction: it exists only if the transaction commits.
   */
  enqueue(slice: Slice<T>, options?: { db?: SliceDb }): Promise<string | null>
  /** Claims slices until stopped; `concurrency` slices at once in this process. */
  work(
    handler: (slice: ClaimedSlice<T>) => Promise<void>,
    options?: {
      concurrency?: number
      /**
       * Called once per slice given up. A throw leaves it to be handed over again (the database
       * gone), so it must tolerate being called again for the same slice.
       */
      onExhausted?: (slice: ExhaustedSlice<T>) => Promise<void>
    },
  ): Promise<void>
  /**
   * Takes every waiting or running slice whose key starts with `keyPrefix` off the queue
   * (pg-boss `cancel`): none of them is claimed again. A running one's handler is not stopped
   * by this (its owner does that); its end is then recorded by nobody. Returns how many.
   */
  cancel(keyPrefix: string, options?: { db?: SliceDb }): Promise<number>
  stop(): Promise<void>
}

interface SliceJob<T> {
  key: string
  data: T
}

/**
 * The slice queue's connections' application_name: only processes that claim work (role all or
 * worker) open them, so their presence in pg_stat_activity says a worker is running.
 */
export const SLICE_QUEUE_APPLICATION_NAME = 'tm-backfill-queue'

/**
 * Worker processes connected to this database: each holds the slice queue's connections
 * (pg-boss polls every half second) for as long as it runs; a killed one's go with it.
 */
export async function connectedWorkers(db: Pick<pg.Pool, 'query'>): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = $1`,
    [SLICE_QUEUE_APPLICATION_NAME],
  )
  return rows[0]?.n ?? 0
}

/** Held while a process creates the slice queues (session-level: it goes with the session). */
export const QUEUE_SETUP_LOCK = 'tm-backfill:slice-queues:setup'

async function oneAtATime(databaseUrl: string, fn: () => Promise<void>): Promise<void> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: 'tm-backfill-queue-setup',
  })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [QUEUE_SETUP_LOCK])
    await fn()
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** The dead-letter queue of `queue`: its slices given up after their last retry. */
export const exhaustedQueueOf = (queue: string) => `${queue}_exhausted`

/** Why a run of a slice failed, from pg-boss's record of it (an Error's fields or a timeout's). */
function reasonOf(output: unknown): string {
  const o = output as { message?: unknown; value?: { message?: unknown } } | null
  const message = o?.message ?? o?.value?.message
  return typeof message === 'string' && message !== '' ? message : 'the slice failed'
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * Cancels `keyPrefix`'s slices through `db` (a pool or a transaction's connection), with the
 * pinned pg-boss's own `cancel`; pg-boss 10 finds jobs by id only, so their ids are read from its
 * job table by singleton key first. Usable by processes that run no slice queue (API processes).
 */
export async function cancelSlicesVia(
  db: SliceDb,
  options: { keyPrefix: string; queue?: string; schema?: string },
): Promise<number> {
  const queue = options.queue ?? 'slices'
  const schema = options.schema ?? 'pgboss'
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid pg-boss schema name ${schema}`)
  // No worker has ever started: pg-boss's tables do not exist yet, so neither do slices.
  const exists = await db.executeSql('SELECT to_regclass($1) IS NOT NULL AS ok', [`${schema}.job`])
  if (!(exists.rows[0] as { ok?: boolean } | undefined)?.ok) return 0
  const { rows } = await db.executeSql(
    `SELECT id FROM ${schema}.job WHERE name = $1 AND singleton_key LIKE $2 ESCAPE '\\'
       AND state IN ('created', 'retry', 'active')`,
    [queue, `${escapeLike(options.keyPrefix)}%`],
  )
  const ids = (rows as { id: string }[]).map((r) => r.id)
  if (ids.length === 0) return 0
  const boss = new PgBoss({ db, schema })
  // Typed void in 10.4.2; it answers pg-boss's command response.
  const result = (await boss.cancel(queue, ids, { db })) as unknown as { affected?: number }
  return result?.affected ?? ids.length
}

export async function createSliceQueue<T>(options: SliceQueueOptions): Promise<SliceQueue<T>> {
  const queue = options.queue ?? 'slices'
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 0.5
  const expireInSeconds = options.expireInSeconds ?? 30
  const retryLimit = options.retryLimit ?? 20
  const exhausted = exhaustedQueueOf(queue)
  settleQuietly()
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: options.schema ?? 'pgboss',
    application_name: SLICE_QUEUE_APPLICATION_NAME,
    maintenanceIntervalSeconds: options.superviseIntervalSeconds ?? 5,
  })
  boss.on('error', (error) => options.onError?.(error))
  await boss.start()
  // Several processes may start at once: a queue another one created meanwhile is fine.
  const ensureQueue = async (name: string, create: () => Promise<void>) => {
    if ((await boss.getQueue(name)) !== null) return
    await create().catch(async (error: unknown) => {
      if ((await boss.getQueue(name)) === null) throw error
    })
  }
  // pgboss.create_queue run by several processes at once deadlocks (seen with workers started
  // together on a new database): they create the queues one at a time.
  await oneAtATime(options.databaseUrl, async () => {
    await ensureQueue(exhausted, () =>
      boss.createQueue(exhausted, { name: exhausted, policy: 'standard', retryDelay: 1 }),
    )
    await ensureQueue(queue, () =>
      boss.createQueue(queue, {
        name: queue,
        policy: 'stately',
        expireInSeconds,
        retryLimit,
        retryDelay: 1,
        deadLetter: exhausted,
      }),
    )
  })
  let stopped = false
  async function untilReachable(): Promise<void> {
    for (;;) {
      try {
        await boss.getDb().executeSql('SELECT 1', [])
        return
      } catch {
        if (stopped) return
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
  }

  return {
    async enqueue(slice, sendOptions = {}) {
      return boss.send(queue, { key: slice.key, data: slice.data } satisfies SliceJob<T>, {
        singletonKey: slice.key,
        // Per slice, so a changed setting applies to a queue created by an older start too.
        expireInSeconds,
        retryLimit,
        deadLetter: exhausted,
        ...(sendOptions.db ? { db: sendOptions.db } : {}),
      })
    },
    async work(handler, workOptions = {}) {
      // pg-boss 10 runs one handler at a time per work() loop: one loop per slot.
      for (let i = 0; i < (workOptions.concurrency ?? 1); i++) {
        let slot: string | null = null
        slot = await boss.work<SliceJob<T>>(queue, { pollingIntervalSeconds }, async ([job]) => {
          if (!job) return
          // pg-boss 10 waits the polling interval after every fetch, a slice found or not, so a
          // slot would run at most one slice per interval. One was found: ask again at once.
          if (slot !== null) boss.notifyWorker(slot)
          let failure: { error: unknown } | null = null
          // pg-boss fails the run at expireInSeconds and retries it: this run must stop then.
          const expiry = new AbortController()
          const timer = setTimeout(
            () => expiry.abort(new Error(`slice ${job.data.key} outlived ${expireInSeconds} s`)),
            expireInSeconds * 1000,
          )
          try {
            await handler({
              id: job.id,
              key: job.data.key,
              data: job.data.data,
              signal: expiry.signal,
            })
          } catch (error) {
            failure = { error }
          } finally {
            clearTimeout(timer)
          }
          // A run stopped by the expiry failed, however its handler ended: the slice is retried
          // (or given up after its last retry), never recorded as done.
          if (expiry.signal.aborted && !failure) failure = { error: expiry.signal.reason }
          // pg-boss 10 records a slice's end without awaiting it: with the database gone that
          // write would reject unhandled (and end the process). Hand the slice back only once
          // the database answers again; a slice whose worker stops meanwhile expires as usual.
          await untilReachable()
          if (failure) throw failure.error
        })
      }
      const onExhausted = workOptions.onExhausted
      if (!onExhausted) return
      await boss.work<SliceJob<T>>(
        exhausted,
        { pollingIntervalSeconds, includeMetadata: true },
        async ([job]) => {
          if (!job) return
          let failure: { error: unknown } | null = null
          try {
            await onExhausted({
              id: job.id,
              key: job.data.key,
              data: job.data.data,
              // The dead letter carries the given-up slice's retry limit.
              attempts: job.retryLimit + 1,
              reason: reasonOf(job.output),
            })
          } catch (error) {
            failure = { error }
          }
          await untilReachable()
          if (failure) throw failure.error
        },
      )
    },
    cancel: (keyPrefix, cancelOptions = {}) =>
      cancelSlicesVia(cancelOptions.db ?? boss.getDb(), {
        keyPrefix,
        queue,
        schema: options.schema,
      }),
    stop: () => {
      stopped = true
      return boss.stop({ graceful: false, wait: true })
    },
  }
}
