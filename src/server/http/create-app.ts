/**
 * Builds the Fastify app from already-created services; never listens (tests use it in
 * process or bind it to port 0). Validation is zod through fastify-type-provider-zod, and one
 * error handler turns every failure into `{ error: { code, message, details? } }`. Before any
 * route runs, every request passes the guards of request-guards.ts.
 */
import helmet from '@fastify/helmet'
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
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
import { ErrorCode, httpStatusOf } from '../../shared/error-codes.ts'
import { clip, HttpError, toErrorBody } from './errors.ts'
import {
  MAX_PARAM_LENGTH,
  onClientError,
  onFrameworkError,
  toFrameworkAnswer,
} from './framework-errors.ts'
import { assertAdmin, assertHostAllowed, assertSameOrigin, isMutating } from './request-guards.ts'
import { SECURITY_HEADERS } from './security-headers.ts'

export interface AppOptions {
  logger: Logger
  /** null = no authentication (loopback-only deployments). */
  adminToken: string | null
  /**
   * Names accepted in the `Host` header besides the loopback names (see Config.allowedHosts).
   * @default []
   */
  allowedHosts?: readonly string[]
  /** @default 1 MiB */
  bodyLimitBytes?: number
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>

export async function createBaseApp(options: AppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    logController: new LogController({ disableRequestLogging: true }),
    // A request without Host reaches the Host guard, which answers in the API's shape.
    http: { requireHostHeader: false },
    clientErrorHandler: onClientError,
    frameworkErrors: onFrameworkError,
  }).withTypeProvider<ZodTypeProvider>() as unknown as App
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // Registered (and awaited) first, so even a refused request gets the security headers.
  await app.register(helmet, SECURITY_HEADERS)
  const allowedHosts = new Set(options.allowedHosts ?? [])
  // onRequest runs before body parsing and validation: a refused request learns nothing else.
  app.addHook('onRequest', async (req) => {
    assertHostAllowed(req, allowedHosts)
    if (!isMutating(req.method)) return
    assertSameOrigin(req, allowedHosts)
    assertAdmin(req, options.adminToken)
  })
  // An error answer is about that moment: no cache keeps it (kept answers set their own policy).
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode >= 400 && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store')
    return payload
  })
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
            ErrorCode.VALIDATION_ERROR,
            first ? `${first.field}: ${first.message}` : 'invalid request',
            issues,
          ),
        )
    }
    if (err instanceof HttpError) {
      return reply.status(err.status).send(toErrorBody(err.code, err.message, err.details))
    }
    // The database itself is unreachable (PostgreSQL mode): the answer is "try again", not a bug.
    if (isDatabaseUnreachable(err)) {
      req.log.warn({ err }, 'database unreachable')
      return reply
        .status(503)
        .send(toErrorBody(ErrorCode.STORAGE_IO, 'the database is unreachable; try again shortly'))
    }
    // A domain error (storage, backfill, circuit) answers with its code's status. One that
    // calls itself INTERNAL is still a bug: logged and hidden below.
    const mapped =
      typeof err.code === 'string' && err.code !== ErrorCode.INTERNAL
        ? httpStatusOf(err.code)
        : undefined
    if (mapped !== undefined) {
      if (mapped >= 500) req.log.error({ err }, 'service unavailable')
      const details = (err as { details?: unknown }).details
      return reply.status(mapped).send(toErrorBody(err.code, err.message, details))
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err }, 'response did not match its schema')
      return reply.status(500).send(toErrorBody(ErrorCode.INTERNAL, 'internal error'))
    }
    const framework = toFrameworkAnswer(err)
    if (framework) {
      return reply.status(framework.status).send(toErrorBody(framework.code, framework.message))
    }
    req.log.error({ err }, 'unhandled error')
    return reply.status(500).send(toErrorBody(ErrorCode.INTERNAL, 'internal error'))
  })
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send(
        toErrorBody(
          ErrorCode.NOT_FOUND,
          `no route for ${req.method} ${clip(req.url.split('?')[0] ?? '', 120)}`,
        ),
      ),
  )
  return app
}

function pathOf(instancePath: string): string[] {
  return instancePath.split('/').filter((s) => s.length > 0)
}

/** A connection failure of the PostgreSQL driver: refused, reset, or the server shutting down. */
function isDatabaseUnreachable(err: { code?: unknown }): boolean {
  return (
    typeof err.code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P0[1-3]|08\d{3})$/.test(err.code)
  )
}
