/**
 * The composition root (STYLE §2): the only place that picks concrete implementations and
 * wires them. The server, the CLI and the tests all start here.
 */
import path from 'node:path'
import type { Logger } from 'pino'
import { createAlertManager, createJobAlerts } from './alerts/index.ts'
import { createBackfillService, type JobEvent } from './backfill/index.ts'
import { createFileJobEventLog } from './jobs/index.ts'
import type { Config } from './config.ts'
import {
  createResilience,
  createUpstreamScheduler,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  type SchedulerEvent,
} from './politeness/index.ts'
import { createCollector, createRefreshService, createReportSource } from './refresh/index.ts'
import {
  createDistrictConfigStore,
  createFileSnapshotStore,
  createRawCsvCache,
  INTERRUPTED_WRITE_CODES,
  verify,
} from './storage/index.ts'
import { createDashboardClient } from './upstream/index.ts'
import { TOOL_VERSION } from './version.ts'

export interface ServiceOverrides {
  /** Tests: the automatic refresh period in ms instead of REFRESH_INTERVAL_MINUTES. */
  refreshIntervalMs?: number
  now?: () => number
  retryPolicy?: RetryPolicy
  breaker?: { failureThreshold: number; openMs: number; maxOutageMs: number }
  /** Sees every start and end the upstream budget decides, on the services' clock. */
  observeScheduler?: (event: SchedulerEvent) => void
}

export function createServices(config: Config, logger: Logger, overrides: ServiceOverrides = {}) {
  const now = overrides.now ?? Date.now
  const nowDate = () => new Date(now())
  const store = createFileSnapshotStore({
    dataDir: config.dataDir,
    toolVersion: TOOL_VERSION,
    now: nowDate,
  })
  const rawCache = createRawCsvCache({
    dataDir: config.dataDir,
    onCorrupt: (problem) =>
      logger.warn({ problem }, 'raw CSV body failed its checksum; it will be fetched again'),
  })
  const districtConfig = createDistrictConfigStore({ dataDir: config.dataDir, now: nowDate })
  const scheduler = createUpstreamScheduler({
    maxRequests: config.upstream.maxRequests,
    windowMs: config.upstream.windowMs,
    maxConcurrent: config.upstream.maxConcurrent,
    now,
    observe: overrides.observeScheduler,
  })
  const alerts = createAlertManager({ webhookUrl: config.alertWebhookUrl, now, logger })
  const resilience = createResilience({
    scheduler,
    breaker: overrides.breaker ?? config.circuit,
    now,
    logger,
    onCircuitChange: (circuitHost, status) => {
      if (status.state === 'open') {
        alerts.raise(
          'circuit:open',
          'critical',
          `upstream ${circuitHost} unreachable: ${status.reason ?? 'failures'}; probing again at ${status.nextProbeAt}`,
          { host: circuitHost, ...status },
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
    resilience,
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
    upstreamHost: new URL(config.dashboardUrl).host,
    now,
    logger,
    concurrency: config.upstream.maxConcurrent,
  })

  const host = new URL(config.dashboardUrl).host
  const eventLog = createFileJobEventLog<JobEvent>({
    dir: path.join(config.dataDir, 'jobs'),
    onError: (error) => logger.error({ err: error }, 'could not persist job events'),
  })
  const backfills = createBackfillService({
    collector,
    store,
    districtConfig,
    eventLog,
    latestPublishedAsOf: async () => (await client.getLiveStatus()).latestAsOf,
    performanceStatus: async () => {
      const { rateLimiter, concurrencyLimiter } = scheduler.status(host)
      const cache = await rawCache.stats()
      return {
        rateLimiter,
        concurrencyLimiter,
        intermediateCache: {
          hitRate: cache.hitRate,
          entryCount: cache.entryCount,
          sizeBytes: cache.sizeBytes,
        },
      }
    },
    upstreamPause: () => {
      const c = resilience.circuit(host)
      return c.state === 'closed'
        ? null
        : { reason: `upstream circuit ${c.state}: ${c.reason ?? 'failures'}`, until: c.nextProbeAt }
    },
    now,
    logger,
    maxRunningJobs: config.jobs.maxRunning,
    maxQueuedJobs: config.jobs.maxQueued,
    jobRetentionMs: config.jobs.retentionDays * 86_400_000,
  })

  backfills.subscribe(createJobAlerts(alerts))
  let cleanupTimer: ReturnType<typeof setInterval> | null = null
  let refreshTimer: ReturnType<typeof setInterval> | null = null
  const cleanup = () =>
    backfills.cleanupOldJobs().then(
      (removed) => removed.length > 0 && logger.info({ removed }, 'removed old finished jobs'),
      (error: unknown) => logger.error({ err: error }, 'job cleanup failed'),
    )

  return {
    config,
    alerts,
    backfills,
    /** Loads job records (resuming interrupted jobs) and starts the periodic cleanup. */
    async start() {
      // Sweep what a crash mid-write left (no writer is active yet) before anything writes.
      const sweep = await verify({
        dataDir: config.dataDir,
        repair: true,
        repairCodes: INTERRUPTED_WRITE_CODES,
      })
      const swept = sweep.problems.filter((p) => p.repaired)
      if (swept.length > 0)
        logger.warn({ swept: swept.map((p) => p.path) }, 'cleaned up interrupted writes')
      await backfills.restore()
      await cleanup()
      cleanupTimer = setInterval(() => void cleanup(), 3_600_000)
      cleanupTimer.unref()
      const everyMs = overrides.refreshIntervalMs ?? config.refreshIntervalMinutes * 60_000
      if (everyMs > 0) {
        // The dashboard publishes once a day; the refresh writes nothing when nothing changed.
        refreshTimer = setInterval(() => void refresh.refresh(), everyMs)
        refreshTimer.unref()
      }
    },
    logger,
    store,
    rawCache,
    districtConfig,
    scheduler,
    resilience,
    client,
    collector,
    refresh,
    async close() {
      if (cleanupTimer) clearInterval(cleanupTimer)
      if (refreshTimer) clearInterval(refreshTimer)
      await backfills.close()
      await refresh.close()
      await alerts.close()
      scheduler.close()
    },
  }
}

export type Services = ReturnType<typeof createServices>
