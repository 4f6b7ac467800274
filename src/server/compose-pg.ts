/**
 * PostgreSQL mode's part of the composition root (compose.ts picks it when DATABASE_URL is
 * set): one pool, the PostgreSQL snapshot store, raw CSV cache, district configuration and job
 * queue, and, in a process whose role runs work, the slice worker (docs/architecture.md#postgresql-mode).
 * No DATA_DIR lock: several processes on one database are the point.
 */
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import type { Collector } from './collect/index.ts'
import {
  cancelSlicesVia,
  claimScheduledRun,
  connectedWorkers,
  createPgJobQueue,
  createPgPool,
  createSliceQueue,
  enqueueDateSlices,
  migrate,
  redactDatabaseUrl,
  startSliceWorker,
  type BackfillSliceQueue,
  type SliceData,
  type SliceWorker,
} from './pg/index.ts'
import {
  createPgDistrictConfigStore,
  createPgRawCsvCache,
  createPgSnapshotStore,
  type SnapshotStore,
} from './storage/index.ts'
import { TOOL_VERSION } from './version.ts'
import { summaryStatsByDistrict } from './normalize/index.ts'

export interface PgBackendOptions {
  config: Config & { databaseUrl: string }
  logger: Logger
  now: () => number
}

export function createPgBackend({ config, logger, now }: PgBackendOptions) {
  const where = redactDatabaseUrl(config.databaseUrl)
  const pool = createPgPool({
    databaseUrl: config.databaseUrl,
    max: 16,
    onError: (error) => logger.warn({ err: error, database: where }, 'database connection lost'),
  })
  const nowDate = () => new Date(now())
  const store = createPgSnapshotStore({
    pool,
    toolVersion: TOOL_VERSION,
    now: nowDate,
    summaryStatsOf: summaryStatsByDistrict,
  })
  const rawCache = createPgRawCsvCache({
    pool,
    onCorrupt: (problem) =>
      logger.warn({ problem }, 'raw CSV body failed its checksum; it will be fetched again'),
  })
  const districtConfig = createPgDistrictConfigStore({ pool, now: nowDate })
  const runsWork = config.role !== 'api'
  let slices: BackfillSliceQueue | null = null
  const jobQueue = createPgJobQueue({
    pool,
    now,
    logger,
    maxRunningJobs: config.jobs.maxRunning,
    maxQueuedJobs: config.jobs.maxQueued,
    // Only workers claim jobs, so a started job's date slices go out with its job:started.
    onStarted: async (state, client) => {
      if (!slices) throw new Error('a job was claimed by a process without a slice queue')
      await enqueueDateSlices(slices, state, client)
    },
    // Any process, API ones too (no slice queue of their own): through the ending transaction.
    onStopped: async (backfillId, client) => {
      await cancelSlicesVia(
        { executeSql: (text: string, values: unknown[]) => client.query(text, values) },
        { keyPrefix: `${backfillId}:` },
      )
    },
  })
  let worker: SliceWorker | null = null
  /** Workers seen connected, asked at most every WORKERS_CHECK_MS. */
  let workers: { at: number; count: number } | null = null

  return {
    pool,
    store,
    rawCache,
    districtConfig,
    jobQueue,
    runsWork,
    /** Migrates, then (role all or worker) starts claiming jobs and slices. */
    async start(deps: { collector: Collector; store: SnapshotStore }): Promise<void> {
      const { applied, version } = await migrate(pool)
      logger.info({ database: where, applied, version }, 'database schema ready')
      await jobQueue.ready()
      if (!runsWork) return
      slices = await createSliceQueue<SliceData>({
        databaseUrl: config.databaseUrl,
        expireInSeconds: config.workerSliceTimeoutSeconds,
        retryLimit: config.workerSliceRetries,
        superviseIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
        onError: (error) => logger.warn({ err: error }, 'slice queue error'),
      })
      worker = await startSliceWorker({
        pool,
        queue: jobQueue,
        slices,
        collector: deps.collector,
        store: deps.store,
        now,
        logger,
        concurrency: config.upstream.maxConcurrent,
      })
    },
    /**
     * Why unfinished jobs do not move: no worker process is connected (pg_stat_activity, as the
     * CLI's check); null when one is, or when this process is one.
     */
    async workPause(): Promise<{ reason: string } | null> {
      if (runsWork) return null
      if (!workers || now() - workers.at >= WORKERS_CHECK_MS) {
        // Unknown (the database gone) is not "none": the database's own health says that.
        const count = await connectedWorkers(pool).catch(() => 1)
        workers = { at: now(), count }
      }
      return workers.count > 0
        ? null
        : { reason: 'no worker is running: the job waits until a worker process connects' }
    },
    /**
     * The claim's time (database clock, µs) in exactly one process per period, null in the others:
     * the automatic refresh runs once, not per process.
     */
    claimRefresh: (everyMs: number) => claimScheduledRun(pool, 'refresh', everyMs),
    async close(): Promise<void> {
      await worker?.stop()
      await jobQueue.close()
      await pool.end()
    },
  }
}

/** How often a job view asks again whether any worker is connected. */
const WORKERS_CHECK_MS = 2000

/** How often expired slices are looked for (one process at a time), part of the takeover bound. */
export const SUPERVISE_INTERVAL_SECONDS = 5

export type PgBackend = ReturnType<typeof createPgBackend>
