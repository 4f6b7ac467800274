import Fastify, { type FastifyInstance } from 'fastify'
import { request } from 'node:http'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  JsonBody,
  KeptAnswers,
  MIN_COMPRESSED_BYTES,
  noneMatchHits,
  sendJsonBody,
} from './cached-json.ts'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** A GET over loopback with exactly these headers (node:http decodes nothing). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

const big = { rows: Array.from({ length: 400 }, (_, i) => ({ id: i, name: `district ${i}` })) }
const small = { ok: true }

describe('kept JSON answers over HTTP', () => {
  let app: FastifyInstance
  let base: string
  let bigBody: JsonBody
  beforeAll(async () => {
    app = Fastify()
    bigBody = new JsonBody(big)
    const smallBody = new JsonBody(small)
    app.get('/big', (req, reply) => sendJsonBody(req, reply, bigBody))
    app.get('/small', (req, reply) => sendJsonBody(req, reply, smallBody))
    base = await app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(() => app.close())

  it('sends the JSON.stringify bytes with a strong tag, no-cache and Vary', async () => {
    const a = await get(`${base}/big`)
    expect(a.status).toBe(200)
    expect(a.body.toString()).toBe(JSON.stringify(big))
    expect(a.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(a.headers['content-encoding']).toBeUndefined()
    expect(a.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
    expect(a.headers['cache-control']).toBe('no-cache')
    expect(a.headers.vary).toMatch(/accept-encoding/i)
  })

  it('answers 304 with no body when If-None-Match names the current tag, weak or in a list', async () => {
    const tag = (await get(`${base}/big`)).headers.etag as string
    for (const header of [tag, `W/${tag}`, `"other", ${tag}`, '*']) {
      const a = await get(`${base}/big`, { 'if-none-match': header })
      expect(a.status, header).toBe(304)
      expect(a.body.length, header).toBe(0)
      expect(a.headers.etag, header).toBe(tag)
    }
    const miss = await get(`${base}/big`, { 'if-none-match': '"not-it"' })
    expect(miss.status).toBe(200)
    expect(miss.body.toString()).toBe(JSON.stringify(big))
  })

  it('sends brotli or gzip as accepted, decoding to the same bytes, each form its own tag', async () => {
    const plain = await get(`${base}/big`)
    const br = await get(`${base}/big`, { 'accept-encoding': 'gzip, br' })
    expect(br.headers['content-encoding']).toBe('br')
    expect(zlib.brotliDecompressSync(br.body).equals(plain.body)).toBe(true)
    expect(br.body.length).toBeLessThan(plain.body.length / 3)
    const gz = await get(`${base}/big`, { 'accept-encoding': 'gzip' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(zlib.gunzipSync(gz.body).equals(plain.body)).toBe(true)
    const tags = new Set([plain.headers.etag, br.headers.etag, gz.headers.etag])
    expect(tags.size).toBe(3)
    // A client that holds the gzip form revalidates it with its own tag.
    const again = await get(`${base}/big`, {
      'accept-encoding': 'gzip',
      'if-none-match': gz.headers.etag as string,
    })
    expect(again.status).toBe(304)
    // A client that refuses gzip and names nothing else gets the identity form.
    const noGzip = await get(`${base}/big`, { 'accept-encoding': 'gzip;q=0' })
    expect(noGzip.headers['content-encoding']).toBeUndefined()
  })

  it(`does not compress answers under ${MIN_COMPRESSED_BYTES} bytes`, async () => {
    const a = await get(`${base}/small`, { 'accept-encoding': 'br, gzip' })
    expect(a.headers['content-encoding']).toBeUndefined()
    expect(a.body.toString()).toBe(JSON.stringify(small))
  })

  it('answers HEAD with the headers and no body', async () => {
    const a = await get(`${base}/big`, {}, 'HEAD')
    expect(a.status).toBe(200)
    expect(a.body.length).toBe(0)
    expect(a.headers.etag).toBe(bigBody.etag)
  })
})

describe('noneMatchHits', () => {
  it('compares weakly and ignores absent headers', () => {
    expect(noneMatchHits(undefined, '"a"')).toBe(false)
    expect(noneMatchHits('"b"', '"a"')).toBe(false)
    expect(noneMatchHits(' W/"a" ', '"a"')).toBe(true)
  })
})

describe('KeptAnswers', () => {
  it('finds an answer only while every input is the same object', () => {
    const kept = new KeptAnswers(2)
    const a = { n: 1 }
    const b = { n: 2 }
    const body = kept.set('q', [a, b], new JsonBody([1, 2]))
    expect(kept.get('q', [a, b])).toBe(body)
    expect(kept.get('q', [a, { n: 2 }])).toBeUndefined()
    expect(kept.get('q', [a])).toBeUndefined()
    expect(kept.get('other', [a, b])).toBeUndefined()
  })

  it('starts again when full', () => {
    const kept = new KeptAnswers(2)
    const inputs = [{}]
    kept.set('1', inputs, new JsonBody(1))
    kept.set('2', inputs, new JsonBody(2))
    kept.set('3', inputs, new JsonBody(3))
    expect(kept.get('1', inputs)).toBeUndefined()
    expect(kept.get('3', inputs)?.bytes.toString()).toBe('3')
  })
})
