/**
 * The composition root (docs/architecture.md#composition-root): the only place that picks concrete implementations and
 * wires them. The server, the CLI and the tests all start here.
 */
import path from 'node:path'
import type { Logger } from 'pino'
import { createAlertManager, createJobAlerts } from './alerts/index.ts'
import {
  createBackfillService,
  createInProcessJobQueue,
  startJobWorker,
  type JobEvent,
} from './backfill/index.ts'
import { createFileJobEventLog, createMemoryJobEventLog } from './jobs/index.ts'
import type { Config } from './config.ts'
import {
  createResilience,
  createUpstreamScheduler,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  type SchedulerEvent,
} from './politeness/index.ts'
import { createCollector, createReportSource, rebuildFromCache } from './collect/index.ts'
import { createRefreshService } from './refresh/index.ts'
import {
  createDistrictConfigStore,
  createFileSnapshotStore,
  createMemoryRawCsvCache,
  createMemorySnapshotStore,
  createRawCsvCache,
  createStorageHealth,
  nodeStorageFs,
  prepareDataDir,
  type StorageFs,
} from './storage/index.ts'
import { createHealth } from './health.ts'
import type { AppDeps } from './http/index.ts'
import { createDashboardClient } from './upstream/index.ts'
import { TOOL_VERSION } from './version.ts'
import { summaryStatsByDistrict as summaryStatsOf } from './normalize/index.ts'

export interface ServiceOverrides {
  /** Tests: the automatic refresh period in ms instead of REFRESH_INTERVAL_MINUTES. */
  refreshIntervalMs?: number
  now?: () => number
  retryPolicy?: RetryPolicy
  breaker?: { failureThreshold: number; openMs: number; maxOutageMs: number }
  /** Tests: the file operations under every store (e.g. a fault-injecting one). */
  storageFs?: StorageFs
  /**
   * Tests: snapshots, raw CSV bodies and job event logs live in memory instead of DATA_DIR
   * (the same store rules through the shared core, without the disk writes and fsyncs).
   */
  memoryStorage?: boolean
  /** Sees every start and end the upstream budget decides, on the services' clock. */
  observeScheduler?: (event: SchedulerEvent) => void
  /**
   * PostgreSQL mode: sees each automatic refresh this process claimed, with the claim's time on
   * the database's clock in microseconds (the moment the once-per-period rule decided).
   */
  observeRefreshClaim?: (atUs: number) => void
}

export async function createServices(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
) {
  const now = overrides.now ?? Date.now
  const nowDate = () => new Date(now())
  const inMemory = overrides.memoryStorage === true
  // Every store writes through one watched fs, so health sees any failure of any of them.
  const storageHealth = createStorageHealth({
    base: overrides.storageFs ?? nodeStorageFs,
    dataDir: config.dataDir,
    minFreeBytes: config.storageMinFreeMb * 1024 * 1024,
    now,
  })
  const fs = storageHealth.fs
  // PostgreSQL mode: every store and the job queue live in the database (compose-pg.ts). Its
  // modules (pg, pg-boss) load only in that mode: a file-mode CLI command or server starts
  // without them (docs/performance.md#start-up).
  const pgModules = config.databaseUrl ? await loadPgModules() : null
  const pg =
    pgModules && config.databaseUrl
      ? pgModules.createPgBackend({
          config: { ...config, databaseUrl: config.databaseUrl },
          logger,
          now,
        })
      : null
  const store = pg
    ? pg.store
    : inMemory
      ? createMemorySnapshotStore({ toolVersion: TOOL_VERSION, now: nowDate, summaryStatsOf })
      : createFileSnapshotStore({
          dataDir: config.dataDir,
          toolVersion: TOOL_VERSION,
          now: nowDate,
          fs,
          summaryStatsOf,
        })
  const rawCache = pg
    ? pg.rawCache
    : inMemory
      ? createMemoryRawCsvCache()
      : createRawCsvCache({
          dataDir: config.dataDir,
          fs,
          onCorrupt: (problem) =>
            logger.warn({ problem }, 'raw CSV body failed its checksum; it will be fetched again'),
        })
  const districtConfig =
    pg?.districtConfig ?? createDistrictConfigStore({ dataDir: config.dataDir, now: nowDate, fs })
  // PostgreSQL mode: one budget for every process (docs/decisions/shared-budget.md).
  const pgPoliteness =
    pgModules && config.databaseUrl
      ? pgModules.createPgPoliteness({ databaseUrl: config.databaseUrl, logger, now })
      : null
  const scheduler = createUpstreamScheduler({
    budget: pgPoliteness?.budget,
    maxRequests: config.upstream.maxRequests,
    windowMs: config.upstream.windowMs,
    maxConcurrent: config.upstream.maxConcurrent,
    now,
    observe: overrides.observeScheduler,
  })
  const alerts = createAlertManager({
    webhookUrl: config.alertWebhookUrl,
    now,
    logger,
    store: pgPoliteness?.alertStore,
  })
  const breaker = overrides.breaker ?? config.circuit
  const resilience = createResilience({
    scheduler,
    breaker,
    createBreaker: pgPoliteness ? (host) => pgPoliteness.circuit(host, breaker) : undefined,
    now,
    logger,
    onCircuitChange: (circuitHost, status) => {
      if (status.state === 'open') {
        alerts.raise(
          'circuit:open',
          'critical',
          `upstream ${circuitHost} unreachable: ${status.reason ?? 'failures'}; probing again at ${status.nextProbeAt}`,
          { host: circuitHost, ...status },
          // One alert per outage: a failed probe reopens the circuit within the same outage.
          `circuit:open:${circuitHost}:${status.outageSince ?? status.openedAt}`,
        )
      } else if (status.state === 'closed') {
        alerts.raise('circuit:closed', 'info', `upstream ${circuitHost} reachable again`, {
          host: circuitHost,
        })
      }
    },
  })
  const client = createDashboardClient({
    baseUrl: config.dashboardUrl,
    timeoutMs: config.upstream.timeoutMs,
    now,
    schedule: resilience.schedule,
  })
  const retryPolicy = overrides.retryPolicy ?? DEFAULT_RETRY_POLICY
  const source = createReportSource({
    client,
    rawCache,
    retryPolicy,
    wrongAnswerRetries: config.upstream.wrongAsOfRetries,
    logger,
  })
  const collector = createCollector({ source, now, toolVersion: TOOL_VERSION })
  const refresh = createRefreshService({
    client,
    collector,
    store,
    config: districtConfig,
    resilience,
    retryPolicy,
    wrongAnswerRetries: config.upstream.wrongAsOfRetries,
    upstreamHost: new URL(config.dashboardUrl).host,
    now,
    logger,
    concurrency: config.upstream.maxConcurrent,
  })

  const health = createHealth({
    config,
    store,
    storageHealth,
    rawCache,
    scheduler,
    resilience,
    refresh,
    database: pgPoliteness?.health,
  })
  const jobQueue =
    pg?.jobQueue ??
    createInProcessJobQueue({
      eventLog: inMemory
        ? createMemoryJobEventLog<JobEvent>()
        : createFileJobEventLog<JobEvent>({
            dir: path.join(config.dataDir, 'jobs'),
            fs,
            onError: (error) => logger.error({ err: error }, 'could not persist job events'),
          }),
      now,
      logger,
      maxRunningJobs: config.jobs.maxRunning,
      maxQueuedJobs: config.jobs.maxQueued,
    })
  const backfills = createBackfillService({
    queue: jobQueue,
    store,
    districtConfig,
    latestPublishedAsOf: async () => (await client.getLiveStatus()).latestAsOf,
    performanceStatus: health.performance,
    upstreamPause: health.upstreamPause,
    workPause: pg?.workPause,
    now,
    logger,
    jobRetentionMs: config.jobs.retentionDays * 86_400_000,
  })
  // File mode: this process runs the jobs it queues; the worker sees the queue only through its
  // port. PostgreSQL mode: worker processes run slices of them (started by pg.start).
  const worker = pg ? null : startJobWorker({ queue: jobQueue, collector, store, now, logger })

  backfills.subscribe(createJobAlerts(alerts))
  let cleanupTimer: ReturnType<typeof setInterval> | null = null
  let refreshTimer: ReturnType<typeof setInterval> | null = null
  const cleanup = () =>
    backfills.cleanupOldJobs().then(
      (removed) => removed.length > 0 && logger.info({ removed }, 'removed old finished jobs'),
      (error: unknown) => logger.error({ err: error }, 'job cleanup failed'),
    )

  /**
   * Refuses a DATA_DIR that cannot be written, then sweeps interrupted writes; every entry point
   * that writes runs it first, while no writer is active yet.
   */
  const prepare = () => prepareDataDir({ dataDir: config.dataDir, logger, fs })

  return {
    config,
    alerts,
    backfills,
    /** Loads job records (resuming interrupted jobs) and starts the periodic cleanup. */
    async start() {
      await pgPoliteness?.start()
      if (pg) await pg.start({ collector, store })
      else await prepare()
      await backfills.restore()
      await cleanup()
      cleanupTimer = setInterval(() => void cleanup(), 3_600_000)
      cleanupTimer.unref()
      const everyMs = overrides.refreshIntervalMs ?? config.refreshIntervalMinutes * 60_000
      if (everyMs > 0) {
        // The dashboard publishes once a day; the refresh writes nothing when nothing changed.
        const tick = pg
          ? () =>
              pg.runsWork &&
              void pg.claimRefresh(everyMs).then(
                (atUs) => {
                  if (atUs === null) return
                  overrides.observeRefreshClaim?.(atUs)
                  void refresh.refresh()
                },
                (error: unknown) => logger.warn({ err: error }, 'automatic refresh not claimed'),
              )
          : () => void refresh.refresh()
        refreshTimer = setInterval(tick, everyMs)
        refreshTimer.unref()
      }
    },
    prepareDataDir: prepare,
    storageHealth,
    health,
    logger,
    store,
    rawCache,
    districtConfig,
    scheduler,
    resilience,
    /** PostgreSQL mode's pool, health and shared budget; null without DATABASE_URL. */
    pgPoliteness,
    client,
    collector,
    refresh,
    async close() {
      if (cleanupTimer) clearInterval(cleanupTimer)
      if (refreshTimer) clearInterval(refreshTimer)
      // PostgreSQL mode: the slice worker stops before the queue and the pool close under it.
      await pg?.close()
      await backfills.close()
      await worker?.stop()
      await refresh.close()
      await alerts.close()
      scheduler.close()
      await pgPoliteness?.close()
    },
  }
}

export type Services = Awaited<ReturnType<typeof createServices>>

/** The HTTP app's dependencies, taken from the composed services (the one place that does). */
export function toAppDeps(services: Services): AppDeps {
  return {
    logger: services.logger,
    config: services.config,
    backfills: services.backfills,
    refresh: services.refresh,
    store: services.store,
    districtConfig: services.districtConfig,
    alerts: services.alerts,
    health: (options) => services.health.report(options),
    rebuild: (range) =>
      rebuildFromCache({
        store: services.store,
        rawCache: services.rawCache,
        logger: services.logger,
        now: Date.now,
        toolVersion: TOOL_VERSION,
        ...range,
      }),
  }
}

async function loadPgModules() {
  const [{ createPgBackend }, { createPgPoliteness }] = await Promise.all([
    import('./compose-pg.ts'),
    import('./pg/pg-politeness.ts'),
  ])
  return { createPgBackend, createPgPoliteness }
}
