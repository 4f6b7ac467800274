/**
 * Builds the Fastify app from already-created services; never listens (tests use it in
 * process or bind it to port 0). Validation is zod through fastify-type-provider-zod, and one
 * error handler turns every failure into `{ error: { code, message, details? } }`.
 */
import { timingSafeEqual } from 'node:crypto'
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify'
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import { HttpError, toErrorBody } from './errors.ts'

export interface AppOptions {
  logger: Logger
  /** null = no authentication (loopback-only deployments). */
  adminToken: string | null
  /** @default 1 MiB */
  bodyLimitBytes?: number
  /** Domain error codes that map to a client-visible status (e.g. STORAGE_VALIDATION → 400). */
  statusByErrorCode?: Readonly<Record<string, number>>
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>

export function createBaseApp(options: AppOptions): App {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>() as unknown as App
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({
        field: [err.validationContext, ...pathOf(v.instancePath)].filter(Boolean).join('.'),
        message: v.message ?? 'invalid',
      }))
      const first = issues[0]
      return reply
        .status(400)
        .send(
          toErrorBody(
            'VALIDATION_ERROR',
            first ? `${first.field}: ${first.message}` : 'invalid request',
            issues,
          ),
        )
    }
    if (err instanceof HttpError) {
      return reply.status(err.status).send(toErrorBody(err.code, err.message, err.details))
    }
    const mapped = typeof err.code === 'string' ? options.statusByErrorCode?.[err.code] : undefined
    if (mapped !== undefined) {
      if (mapped >= 500) req.log.error({ err }, 'service unavailable')
      const details = (err as { details?: unknown }).details
      return reply.status(mapped).send(toErrorBody(err.code, err.message, details))
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err }, 'response did not match its schema')
      return reply.status(500).send(toErrorBody('INTERNAL', 'internal error'))
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: bad JSON, body too large, wrong content type.
      return reply.status(status).send(toErrorBody(fastifyCode(err.code, status), err.message))
    }
    req.log.error({ err }, 'unhandled error')
    return reply.status(500).send(toErrorBody('INTERNAL', 'internal error'))
  })
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send(toErrorBody('NOT_FOUND', `no route for ${req.method} ${req.url.split('?')[0]}`)),
  )
  return app
}

function pathOf(instancePath: string): string[] {
  return instancePath.split('/').filter((s) => s.length > 0)
}

function fastifyCode(code: string | undefined, status: number): string {
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'PAYLOAD_TOO_LARGE'
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'UNSUPPORTED_MEDIA_TYPE'
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return 'INVALID_JSON'
  return status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST'
}

/**
 * preHandler for mutating routes: with a token configured, requests need
 * `Authorization: Bearer <token>` (401 when missing, 403 when wrong).
 */
export function requireAdmin(adminToken: string | null) {
  return async (req: FastifyRequest): Promise<void> => {
    if (adminToken === null) return
    const header = req.headers.authorization
    if (!header)
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        'this endpoint needs Authorization: Bearer <ADMIN_TOKEN>',
      )
    const m = /^Bearer\s+(.+)$/i.exec(header)
    if (!m || !safeEqual(m[1] ?? '', adminToken)) {
      throw new HttpError(403, 'FORBIDDEN', 'the bearer token is not valid')
    }
  }
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a)
  const bb = Buffer.from(b)
  return ba.length === bb.length && timingSafeEqual(ba, bb)
}
