/**
 * How the service is doing, computed in one place: the health answer of `GET /api/health`, the
 * performance figures of a job view and the pause a job shows while the upstream circuit is
 * not closed. Built by compose.ts over the services it wires.
 */
import path from 'node:path'
import type { PerformanceStatus } from '../shared/backfill-api.ts'
import type { RefreshStatus } from '../shared/refresh-api.ts'
import type { Config } from './config.ts'
import type { CircuitStatus, Resilience, UpstreamScheduler } from './politeness/index.ts'
import {
  readDataDirId,
  type RawCsvCache,
  type SnapshotReader,
  type StorageErrorRecord,
  type StorageHealth,
} from './storage/index.ts'
import type { DatabaseHealth } from './pg/database-health.ts'
import { TOOL_VERSION } from './version.ts'

export interface HealthDeps {
  config: Pick<Config, 'dashboardUrl' | 'dataDir'>
  store: Pick<SnapshotReader, 'getCurrent'>
  storageHealth: Pick<StorageHealth, 'report'>
  rawCache: Pick<RawCsvCache, 'stats'>
  scheduler: Pick<UpstreamScheduler, 'status'>
  resilience: Pick<Resilience, 'circuit'>
  refresh: { status(): RefreshStatus }
  /** PostgreSQL mode: whether the database is reachable (work pauses while it is not). */
  database?: Pick<DatabaseHealth, 'status'>
}

export interface Health {
  /** The health answer; only the admin sees server paths. */
  report(options: { admin: boolean }): Promise<HealthReport>
  /** The upstream budget and the raw cache, as a job view shows them. */
  performance(): Promise<PerformanceStatus>
  /** Why jobs wait while the upstream circuit is not closed, and until when; null when closed. */
  upstreamPause(): { reason: string; until: string | null } | null
}

export type HealthReport = Awaited<ReturnType<typeof buildReport>>

export function createHealth(deps: HealthDeps): Health {
  const host = new URL(deps.config.dashboardUrl).host
  return {
    report: (options) => buildReport(deps, host, options.admin),
    async performance() {
      const { rateLimiter, concurrencyLimiter } = deps.scheduler.status(host)
      return { rateLimiter, concurrencyLimiter, intermediateCache: await cacheFigures(deps) }
    },
    upstreamPause() {
      const c = deps.resilience.circuit(host)
      return c.state === 'closed'
        ? null
        : { reason: `upstream circuit ${c.state}: ${c.reason ?? 'failures'}`, until: c.nextProbeAt }
    },
  }
}

async function cacheFigures(deps: HealthDeps): Promise<PerformanceStatus['intermediateCache']> {
  const cache = await deps.rawCache.stats()
  return { hitRate: cache.hitRate, entryCount: cache.entryCount, sizeBytes: cache.sizeBytes }
}

/** The cache's figures, or null while its storage cannot answer (the database is gone). */
function cacheFiguresOrNull(deps: HealthDeps) {
  return cacheFigures(deps).catch(() => null)
}

async function buildReport(deps: HealthDeps, host: string, admin: boolean) {
  let storeOk = true
  let current: string | null = null
  try {
    current = (await deps.store.getCurrent())?.asOf ?? null
  } catch {
    storeOk = false
  }
  const circuit: CircuitStatus = deps.resilience.circuit(host)
  const storage = await deps.storageHealth.report()
  const dataDir = deps.config.dataDir
  const ok = storeOk && storage.ok
  const database = deps.database?.status()
  const databaseOk = database?.reachable ?? true
  return {
    status:
      ok && databaseOk && circuit.state === 'closed' ? ('ok' as const) : ('degraded' as const),
    version: TOOL_VERSION,
    store: {
      ...storage,
      ok,
      // Server paths are for the admin (and the logs), not for anonymous callers.
      ...(admin
        ? { dataDir, lastError: storage.lastError }
        : { lastError: storage.lastError && withoutPaths(storage.lastError, dataDir) }),
      // Lets a CLI on the same DATA_DIR check that this server is the one holding it.
      dataDirId: await readDataDirId(dataDir),
      current,
    },
    upstream: {
      baseUrl: deps.config.dashboardUrl,
      circuit,
      ...deps.scheduler.status(host),
    },
    cache: await cacheFiguresOrNull(deps),
    refresh: deps.refresh.status(),
    // Only in PostgreSQL mode (DATABASE_URL set).
    ...(database ? { database } : {}),
  }
}

/** A storage error as anonymous callers see it: paths relative to DATA_DIR. */
function withoutPaths(error: StorageErrorRecord, dataDir: string): StorageErrorRecord {
  const root = path.resolve(dataDir)
  return {
    ...error,
    path: path.relative(root, path.resolve(root, error.path)) || '.',
    message: error.message.split(root).join('DATA_DIR'),
  }
}
