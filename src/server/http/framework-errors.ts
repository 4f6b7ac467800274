/**
 * Answers for the failures Fastify and Node's HTTP parser find before any route runs (bad
 * URL encoding, oversized parameters, headers or bodies, malformed request lines, wrong
 * content types), in the API's one error shape and never echoing the request back.
 */
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { ErrorCode, HTTP_STATUS_BY_CODE, type HttpErrorCode } from '../../shared/error-codes.ts'
import { clip, toErrorBody } from './errors.ts'

/** Longest path parameter the router accepts; longer ones answer 414. */
export const MAX_PARAM_LENGTH = 100

interface FrameworkAnswer {
  status: number
  code: HttpErrorCode
  message: string
}

/** An answer with the status HTTP_STATUS_BY_CODE gives its code. */
function frameworkAnswer(code: HttpErrorCode, message: string): FrameworkAnswer {
  return { status: HTTP_STATUS_BY_CODE[code], code, message }
}

/** Fastify's own error codes → the API's status, code and a message of our own. */
const FASTIFY_ERRORS: Readonly<Record<string, FrameworkAnswer>> = {
  FST_ERR_BAD_URL: frameworkAnswer(ErrorCode.BAD_URL, 'the URL has an invalid percent-encoding'),
  FST_ERR_MAX_PARAM_LENGTH: frameworkAnswer(
    ErrorCode.URI_TOO_LONG,
    `a path segment of the URL is longer than ${MAX_PARAM_LENGTH} characters`,
  ),
  FST_ERR_CTP_BODY_TOO_LARGE: frameworkAnswer(
    ErrorCode.PAYLOAD_TOO_LARGE,
    'the request body is larger than this server accepts',
  ),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: frameworkAnswer(
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    'a request body must be sent as Content-Type: application/json',
  ),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: frameworkAnswer(
    ErrorCode.BAD_REQUEST,
    'the request body does not match its Content-Length',
  ),
  FST_ERR_CTP_EMPTY_JSON_BODY: frameworkAnswer(
    ErrorCode.INVALID_JSON,
    'the body is empty but Content-Type says application/json',
  ),
  FST_ERR_CTP_INVALID_JSON_BODY: frameworkAnswer(
    ErrorCode.INVALID_JSON,
    'the body is not valid JSON',
  ),
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
    return frameworkAnswer(ErrorCode.INVALID_JSON, 'the body is not valid JSON')
  }
  // Another 4xx of the framework keeps its own status.
  return { status, code: ErrorCode.BAD_REQUEST, message: clip(err.message, 120) }
}

/** Fastify's `frameworkErrors` option: URL problems found while routing. */
export function onFrameworkError(
  err: FastifyError,
  _req: FastifyRequest,
  reply: FastifyReply,
): void {
  const answer =
    toFrameworkAnswer(err) ??
    frameworkAnswer(ErrorCode.BAD_REQUEST, 'the request could not be routed')
  void reply
    .status(answer.status)
    .headers(ERROR_HEADERS)
    .send(toErrorBody(answer.code, answer.message))
}

/** What Node's parser rejects before Fastify sees a request (by `err.code`). */
const PARSER_ERRORS: Readonly<Record<string, FrameworkAnswer>> = {
  HPE_HEADER_OVERFLOW: frameworkAnswer(
    ErrorCode.HEADERS_TOO_LARGE,
    'the request line and headers are larger than this server accepts (16 KiB)',
  ),
  ERR_HTTP_REQUEST_TIMEOUT: frameworkAnswer(
    ErrorCode.REQUEST_TIMEOUT,
    'the request was not received in time',
  ),
}

/**
 * Fastify's `clientErrorHandler`: the socket has no request object yet, so the answer is
 * written by hand and the connection closed, as Node itself does.
 */
export function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const answer =
    (err.code ? PARSER_ERRORS[err.code] : undefined) ??
    frameworkAnswer(
      ErrorCode.BAD_REQUEST,
      'the request is not valid HTTP/1.1 (methods are upper case, e.g. GET)',
    )
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
