/**
 * Keyed slices of work on pg-boss (docs/decisions/job-queue.md says why pg-boss 10). A slice's
 * key (a cell, `2026-02-20:61`) never runs twice at once, in any number of processes: the
 * queue's `stately` policy allows one active and one waiting job per key, so a second slice of
 * a running key waits for it, and a third one while another waits is the same work and is
 * dropped (`enqueue` answers null). A worker that dies mid-slice loses it after
 * `expireInSeconds`; the slice is then retried by another worker.
 */
import { createRequire } from 'node:module'
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
    options?: { concurrency?: number },
  ): Promise<void>
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

export async function createSliceQueue<T>(options: SliceQueueOptions): Promise<SliceQueue<T>> {
  const queue = options.queue ?? 'slices'
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 0.5
  const expireInSeconds = options.expireInSeconds ?? 30
  settleQuietly()
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: options.schema ?? 'pgboss',
    application_name: SLICE_QUEUE_APPLICATION_NAME,
    maintenanceIntervalSeconds: options.superviseIntervalSeconds ?? 5,
  })
  boss.on('error', (error) => options.onError?.(error))
  await boss.start()
  if ((await boss.getQueue(queue)) === null) {
    await boss.createQueue(queue, {
      name: queue,
      policy: 'stately',
      expireInSeconds,
      retryLimit: 20,
      retryDelay: 1,
    })
  }
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
        ...(sendOptions.db ? { db: sendOptions.db } : {}),
      })
    },
    async work(handler, workOptions = {}) {
      // pg-boss 10 runs one handler at a time per work() loop: one loop per slot.
      for (let i = 0; i < (workOptions.concurrency ?? 1); i++) {
        await boss.work<SliceJob<T>>(queue, { pollingIntervalSeconds }, async ([job]) => {
          if (!job) return
          let failure: { error: unknown } | null = null
          try {
            await handler({ id: job.id, key: job.data.key, data: job.data.data })
          } catch (error) {
            failure = { error }
          }
          // pg-boss 10 records a slice's end without awaiting it: with the database gone that
          // write would reject unhandled (and end the process). Hand the slice back only once
          // the database answers again; a slice whose worker stops meanwhile expires as usual.
          await untilReachable()
          if (failure) throw failure.error
        })
      }
    },
    stop: () => {
      stopped = true
      return boss.stop({ graceful: false, wait: true })
    },
  }
}
