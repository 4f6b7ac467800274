import { z } from 'zod'
import { alertListSchema, healthViewSchema } from '../../shared/api-schemas.ts'
import type { AppDeps } from './app.ts'
import type { RefreshResult } from '../../shared/refresh-api.ts'
import type { App } from './create-app.ts'
import { httpError, type HttpError } from './errors.ts'
import { isAdminRequest } from './request-guards.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { isoDate } from './schemas.ts'

/** Health, refresh trigger and status. */
export function registerSystemRoutes(
  app: App,
  deps: Pick<AppDeps, 'alerts' | 'config' | 'health' | 'refresh'>,
): void {
  app.get(
    '/api/health',
    { schema: { tags: ['system'], response: { 200: healthViewSchema } } },
    async (req) => deps.health({ admin: isAdminRequest(req, deps.config.adminToken) }),
  )

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
        response: { 200: alertListSchema },
      },
    },
    async (req) => ({ alerts: await deps.alerts.list(req.query) }),
  )

  app.get('/api/refresh', { schema: { tags: ['refresh'] } }, async () => deps.refresh.status())

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
      const run = deps.refresh.refresh({ date: req.body?.date })
      // Not running right after the call: the circuit kept it from starting, and `run` is settled.
      if (req.query.wait === 'true' || deps.refresh.status().state !== 'running') {
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
      return reply.status(202).send(deps.refresh.status())
    },
  )
}

/** 503 with the circuit and its next probe (the route sets Retry-After in seconds until then). */
function circuitOpen(result: RefreshResult): HttpError {
  return httpError(ErrorCode.CIRCUIT_OPEN, result.message, {
    circuit: result.circuit,
    refresh: result,
  })
}
