import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { BackfillResponse } from '../../shared/backfill-api.ts'
import { jobEventPageSchema, jobPageSchema } from '../../shared/api-schemas.ts'
import { JOB_STATUSES } from '../../shared/backfill-api.ts'
import { BACKFILL_ID_RE } from '../../shared/backfill-id.ts'
import type { AppDeps } from './app.ts'
import type { InitiateOptions } from '../backfill/index.ts'
import type { App } from './create-app.ts'
import { bodiesByIdentity, sendJsonBody } from './cached-json.ts'
import { districtId } from './schemas.ts'

const backfillId = z
  .string()
  .regex(BACKFILL_ID_RE, { message: 'must be a backfill id such as bf_…' })

/** Fields are validated by the service (one rule set for HTTP and CLI); see BackfillRequest. */
const requestBody = z
  .record(z.string(), z.unknown())
  .describe(
    'BackfillRequest: startDate (required), endDate, targetDistricts, collectionType (system-wide | per-district | auto), concurrency, retryFailures, skipExisting, reprocess (missing | missing-and-failed | all), rateLimitDelayMs, enableCaching, dryRun',
  )

/** docs/architecture.md#http-api: the global backfill API and its district-scoped forms, over one service. */
export function registerBackfillRoutes(app: App, deps: Pick<AppDeps, 'backfills'>): void {
  const svc = deps.backfills

  const initiate = async (
    body: unknown,
    options: InitiateOptions,
    reply: { status(code: number): { send(v: unknown): unknown } },
  ) => {
    const result = await svc.initiate(body, options)
    return result.kind === 'plan'
      ? reply.status(200).send(result.plan)
      : reply.status(202).send(result.job)
  }

  app.post(
    '/api/districts/backfill',
    { schema: { tags: ['backfill'], body: requestBody } },
    (req, reply) => initiate(req.body, { kind: 'global' }, reply),
  )

  app.get(
    '/api/districts/backfill',
    {
      schema: {
        tags: ['backfill'],
        querystring: z.strictObject({
          status: z.enum(JOB_STATUSES).optional(),
          type: z.enum(['global', 'district']).optional(),
          districtId: districtId.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: jobPageSchema },
      },
    },
    async (req) => svc.list(req.query),
  )

  // The service hands out one view object while the job and its clock second are the same:
  // pollers within that second share its bytes (docs/performance.md#kept-answers).
  const viewBody = bodiesByIdentity()
  const sendView = (req: FastifyRequest, reply: FastifyReply, view: BackfillResponse) =>
    sendJsonBody(req, reply, viewBody(view))

  const idParams = z.strictObject({ backfillId })
  app.get(
    '/api/districts/backfill/:backfillId',
    { schema: { tags: ['backfill'], params: idParams } },
    async (req, reply) => sendView(req, reply, await svc.get(req.params.backfillId)),
  )
  app.delete(
    '/api/districts/backfill/:backfillId',
    { schema: { tags: ['backfill'], params: idParams } },
    (req) => svc.cancel(req.params.backfillId),
  )
  app.post(
    '/api/districts/backfill/:backfillId/retry',
    { schema: { tags: ['backfill'], params: idParams } },
    async (req, reply) => reply.status(202).send(await svc.retry(req.params.backfillId)),
  )
  app.get(
    '/api/districts/backfill/:backfillId/events',
    {
      schema: {
        tags: ['backfill'],
        params: idParams,
        querystring: z.strictObject({
          offset: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: jobEventPageSchema },
      },
    },
    (req) => svc.events(req.params.backfillId, req.query),
  )

  const districtParams = z.strictObject({ districtId })
  app.post(
    '/api/districts/:districtId/backfill',
    {
      schema: { tags: ['backfill'], params: districtParams, body: requestBody },
    },
    (req, reply) =>
      initiate(req.body, { kind: 'district', districtId: req.params.districtId }, reply),
  )
  const districtJobParams = z.strictObject({ districtId, backfillId })
  app.get(
    '/api/districts/:districtId/backfill/:backfillId',
    { schema: { tags: ['backfill'], params: districtJobParams } },
    async (req, reply) =>
      sendView(req, reply, await svc.get(req.params.backfillId, req.params.districtId)),
  )
  app.delete(
    '/api/districts/:districtId/backfill/:backfillId',
    { schema: { tags: ['backfill'], params: districtJobParams } },
    (req) => svc.cancel(req.params.backfillId, req.params.districtId),
  )
}
