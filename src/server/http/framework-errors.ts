/**
 * Answers for the failures Fastify and Node's HTTP parser find before any route runs (bad
 * URL encoding, oversized parameters, headers or bodies, malformed request lines, wrong
 * content types), in the API's one error shape and never echoing the request back.
 */
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { clip, toErrorBody } from './errors.ts'

/** Longest path parameter the router accepts; longer ones answer 414. */
export const MAX_PARAM_LENGTH = 100

interface FrameworkAnswer {
  status: number
  code: string
  message: string
}

/** Fastify's own error codes → the API's status, code and a message of our own. */
const FASTIFY_ERRORS: Readonly<Record<string, FrameworkAnswer>> = {
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'BAD_URL',
    message: 'the URL has an invalid percent-encoding',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'URI_TOO_LONG',
    message: `a path segment of the URL is longer than ${MAX_PARAM_LENGTH} characters`,
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'the request body is larger than this server accepts',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'a request body must be sent as Content-Type: application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'the request body does not match its Content-Length',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'INVALID_JSON',
    message: 'the body is empty but Content-Type says application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'INVALID_JSON',
    message: 'the body is not valid JSON',
  },
}

/**
 * These answers are written before the route hooks (and so @fastify/helmet) run: they carry
 * the headers that matter for a JSON error themselves.
 */
const ERROR_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
} as const

/** A Fastify (or JSON parser) client error → our answer; null for anything else. */
export function toFrameworkAnswer(err: FastifyError): FrameworkAnswer | null {
  const known = typeof err.code === 'string' ? FASTIFY_ERRORS[err.code] : undefined
  if (known) return known
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500
  if (status < 400 || status >= 500) return null
  // The JSON parser's own errors (a SyntaxError, a forbidden __proto__ key) carry a 400.
  if (err instanceof SyntaxError) {
    return { status: 400, code: 'INVALID_JSON', message: 'the body is not valid JSON' }
  }
  return { status, code: 'BAD_REQUEST', message: clip(err.message, 120) }
}

/** Fastify's `frameworkErrors` option: URL problems found while routing. */
export function onFrameworkError(
  err: FastifyError,
  _req: FastifyRequest,
  reply: FastifyReply,
): void {
  const answer = toFrameworkAnswer(err) ?? {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'the request could not be routed',
  }
  void reply
    .status(answer.status)
    .headers(ERROR_HEADERS)
    .send(toErrorBody(answer.code, answer.message))
}

/** What Node's parser rejects before Fastify sees a request (by `err.code`). */
const PARSER_ERRORS: Readonly<Record<string, FrameworkAnswer>> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'HEADERS_TOO_LARGE',
    message: 'the request line and headers are larger than this server accepts (16 KiB)',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'REQUEST_TIMEOUT',
    message: 'the request was not received in time',
  },
}

/**
 * Fastify's `clientErrorHandler`: the socket has no request object yet, so the answer is
 * written by hand and the connection closed, as Node itself does.
 */
export function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const answer = (err.code ? PARSER_ERRORS[err.code] : undefined) ?? {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'the request is not valid HTTP/1.1 (methods are upper case, e.g. GET)',
  }
  const body = JSON.stringify(toErrorBody(answer.code, answer.message))
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? 'Error'}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        Object.entries(ERROR_HEADERS)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        'Connection: close\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  }
  socket.destroy(err)
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
}
