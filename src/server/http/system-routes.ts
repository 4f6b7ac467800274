import { z } from 'zod'
import type { Services } from '../compose.ts'
import path from 'node:path'
import { readDataDirId, type StorageErrorRecord } from '../storage/index.ts'
import { TOOL_VERSION } from '../version.ts'
import type { RefreshResult } from '../../shared/refresh-api.ts'
import type { App } from './create-app.ts'
import { httpError, type HttpError } from './errors.ts'
import { isAdminRequest } from './request-guards.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { isoDate } from './schemas.ts'

/** Health, refresh trigger and status. */
export function registerSystemRoutes(app: App, services: Services): void {
  app.get('/api/health', { schema: { tags: ['system'] } }, async (req) => {
    let storeOk = true
    let current: string | null = null
    try {
      current = (await services.store.getCurrent())?.asOf ?? null
    } catch {
      storeOk = false
    }
    const circuit = services.resilience.circuit(new URL(services.config.dashboardUrl).host)
    const cache = await services.rawCache.stats()
    const storage = await services.storageHealth.report()
    const admin = isAdminRequest(req, services.config.adminToken)
    const dataDir = services.config.dataDir
    const ok = storeOk && storage.ok
    return {
      status: ok && circuit.state === 'closed' ? 'ok' : 'degraded',
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
        baseUrl: services.config.dashboardUrl,
        circuit,
        ...services.scheduler.status(new URL(services.config.dashboardUrl).host),
      },
      cache: { hitRate: cache.hitRate, entryCount: cache.entryCount, sizeBytes: cache.sizeBytes },
      refresh: services.refresh.status(),
    }
  })

  app.get(
    '/api/alerts',
    {
      schema: {
        tags: ['system'],
        querystring: z.strictObject({
          severity: z.enum(['info', 'warning', 'critical']).optional(),
          kind: z
            .enum([
              'job:error',
              'job:partial_success',
              'circuit:open',
              'circuit:closed',
              'district:failing',
            ])
            .optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (req) => ({ alerts: services.alerts.list(req.query) }),
  )

  app.get('/api/refresh', { schema: { tags: ['refresh'] } }, async () => services.refresh.status())

  app.post(
    '/api/refresh',
    {
      schema: {
        tags: ['refresh'],
        querystring: z.strictObject({ wait: z.enum(['true', 'false']).optional() }),
        body: z.strictObject({ date: isoDate.optional() }).nullish(),
      },
    },
    async (req, reply) => {
      const run = services.refresh.refresh({ date: req.body?.date })
      // Not running right after the call: the circuit kept it from starting, and `run` is settled.
      if (req.query.wait === 'true' || services.refresh.status().state !== 'running') {
        const result = await run
        if (result.circuit) {
          // Both instants come from the services' clock.
          const untilMs =
            Date.parse(result.circuit.nextProbeAt ?? '') - Date.parse(result.finishedAt)
          const seconds = Number.isNaN(untilMs) ? 1 : Math.ceil(untilMs / 1000)
          reply.header('retry-after', String(Math.max(1, seconds)))
          throw circuitOpen(result)
        }
        return reply.status(200).send(result)
      }
      return reply.status(202).send(services.refresh.status())
    },
  )
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

/** 503 with the circuit and its next probe (the route sets Retry-After in seconds until then). */
function circuitOpen(result: RefreshResult): HttpError {
  return httpError(ErrorCode.CIRCUIT_OPEN, result.message, {
    circuit: result.circuit,
    refresh: result,
  })
}
