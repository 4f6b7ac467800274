/**
 * Adds the error answers every route can give to its OpenAPI operation, in the one error
 * shape, so the document lists what the request guards and the framework answer too.
 */
import type { SwaggerTransform } from '@fastify/swagger'
import { isMutating } from './request-guards.ts'

const ERROR_BODY = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {},
      },
    },
  },
} as const

const ANY_ROUTE: Readonly<Record<number, string>> = {
  400: 'VALIDATION_ERROR (the message names the field), BAD_URL, BAD_REQUEST or INVALID_JSON',
  404: 'NOT_FOUND',
  414: 'URI_TOO_LONG: a path parameter is too long',
  421: 'HOST_NOT_ALLOWED: the Host header does not name this server',
  431: 'HEADERS_TOO_LARGE',
  500: 'INTERNAL (nothing internal is shown)',
}

const MUTATING_ROUTE: Readonly<Record<number, string>> = {
  401: 'UNAUTHORIZED: ADMIN_TOKEN is set and the request has no Authorization header',
  403: 'FORBIDDEN (wrong token) or CROSS_SITE_REQUEST (another Origin or Sec-Fetch-Site)',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE: bodies are application/json',
}

/** Wraps the zod transform: its output plus the error responses that apply to the route. */
export function withErrorResponses(transform: SwaggerTransform): SwaggerTransform {
  return (input) => {
    const out = transform(input)
    const schema = out.schema as { hide?: boolean; response?: Record<string, unknown> }
    if (schema.hide) return out
    const methods = [input.route.method].flat()
    const mutating = methods.some((m) => isMutating(m.toUpperCase()))
    const errors = { ...ANY_ROUTE, ...(mutating ? MUTATING_ROUTE : {}) }
    const response: Record<string, unknown> = { ...schema.response }
    // Without a success entry the generator would list only the errors.
    if (!Object.keys(response).some((status) => status.startsWith('2'))) {
      response['200'] = { description: 'Default Response' }
    }
    for (const [status, description] of Object.entries(errors)) {
      response[status] ??= { description, ...ERROR_BODY }
    }
    return {
      url: out.url,
      schema: { ...out.schema, response, ...(mutating ? { security: [{ bearer: [] }] } : {}) },
    }
  }
}
