import { negotiate } from '@fastify/accept-negotiator'
import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * JSON answers that many pollers ask for again while nothing changed (coverage, series, a
 * job's view): serialized once, with a strong validator and compressed forms made once on
 * first demand, so a repeated GET costs sending bytes, and a GET whose `If-None-Match` names
 * the current tag costs a 304 (docs/performance.md#kept-answers).
 */

/** Below this size a compressed body saves less than the request costs anyway. */
export const MIN_COMPRESSED_BYTES = 1024

const ENCODINGS = ['br', 'gzip'] as const
type Encoding = (typeof ENCODINGS)[number]

const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)

function compress(bytes: Buffer, encoding: Encoding): Promise<Buffer> {
  // Quality 5 / level 6: within a few per cent of the best ratio for JSON at a small part of
  // brotli 11's CPU (made once per answer, on libuv's thread pool).
  return encoding === 'br'
    ? brotli(bytes, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        },
      })
    : gzip(bytes, { level: 6 })
}

/** One answer's bytes, its entity tag and its compressed forms (made when first asked for). */
export class JsonBody {
  readonly bytes: Buffer
  /** Strong tag of the identity form; a compressed form's tag adds `-br` / `-gzip`. */
  readonly etag: string
  readonly #encoded = new Map<Encoding, Promise<Buffer>>()

  constructor(value: unknown) {
    this.bytes = Buffer.from(JSON.stringify(value))
    this.etag = `"${createHash('sha256').update(this.bytes).digest('base64url')}"`
  }

  tagOf(encoding: Encoding | null): string {
    return encoding === null ? this.etag : `${this.etag.slice(0, -1)}-${encoding}"`
  }

  encoded(encoding: Encoding): Promise<Buffer> {
    let body = this.#encoded.get(encoding)
    if (!body) {
      body = compress(this.bytes, encoding)
      // A failed compression is not kept: the next request tries again.
      body.catch(() => this.#encoded.delete(encoding))
      this.#encoded.set(encoding, body)
    }
    return body
  }
}

/**
 * Whether `If-None-Match` names `tag` (RFC 9110 §13.1.2: weak comparison, `*` matches any
 * current representation).
 */
export function noneMatchHits(header: string | undefined, tag: string): boolean {
  if (!header) return false
  if (header.trim() === '*') return true
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === tag)
}

/** The encoding this request accepts that the answer will be sent in, or null (identity). */
export function encodingFor(req: FastifyRequest, body: JsonBody): Encoding | null {
  if (body.bytes.length < MIN_COMPRESSED_BYTES) return null
  const header = req.headers['accept-encoding']
  if (!header) return null
  const chosen = negotiate(header, [...ENCODINGS])
  return chosen === 'br' || chosen === 'gzip' ? chosen : null
}

/** Sends a kept answer: 304 when the client holds it, else its bytes in the accepted encoding. */
export async function sendJsonBody(
  req: FastifyRequest,
  reply: FastifyReply,
  body: JsonBody,
): Promise<FastifyReply> {
  const encoding = encodingFor(req, body)
  const tag = body.tagOf(encoding)
  reply
    .header('etag', tag)
    // Kept by a browser, but asked again each time: a poller gets a 304 while nothing changed.
    .header('cache-control', 'no-cache')
    .header('vary', 'accept-encoding')
  if (noneMatchHits(req.headers['if-none-match'], tag)) return reply.code(304).send()
  reply.type('application/json; charset=utf-8')
  if (encoding === null) return reply.send(body.bytes)
  return reply.header('content-encoding', encoding).send(await body.encoded(encoding))
}

/**
 * The kept bytes of answers the store or service hands out as the same object while nothing
 * changed (a coverage answer, a job view): one `JsonBody` per object, dropped with the object.
 */
export function bodiesByIdentity(): (answer: object) => JsonBody {
  const bodies = new WeakMap<object, JsonBody>()
  return (answer) => {
    let body = bodies.get(answer)
    if (!body) bodies.set(answer, (body = new JsonBody(answer)))
    return body
  }
}

/**
 * Answers kept per query while what they were made from is the same: `inputs` are the
 * objects the answer was computed from (the store hands out the same objects until a snapshot
 * changes), compared by identity. At most `capacity` queries; a full cache starts again.
 */
export class KeptAnswers {
  #entries = new Map<string, { inputs: readonly object[]; body: JsonBody }>()
  constructor(private readonly capacity: number) {}

  get(key: string, inputs: readonly object[]): JsonBody | undefined {
    const entry = this.#entries.get(key)
    if (!entry || entry.inputs.length !== inputs.length) return undefined
    for (let i = 0; i < inputs.length; i++) if (entry.inputs[i] !== inputs[i]) return undefined
    return entry.body
  }

  set(key: string, inputs: readonly object[], body: JsonBody): JsonBody {
    if (!this.#entries.has(key) && this.#entries.size >= this.capacity) this.#entries.clear()
    this.#entries.set(key, { inputs, body })
    return body
  }
}
