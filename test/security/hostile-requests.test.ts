/**
 * The server as an attacker on the network or a web page in the user's browser would try it:
 * real HTTP on loopback, bytes written by hand so Host, methods and URLs are exactly as listed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest, sendRaw, type RawAnswer } from '../helpers/raw-http.ts'
import { startStack, type Stack } from '../helpers/stack.ts'

const TOKEN = 'hostile-test-token-0123456789'
const GOOD_BODY = JSON.stringify({ districts: ['61'] })
const JSON_TYPE = { 'content-type': 'application/json' }

let open: Stack
let secured: Stack

beforeAll(async () => {
  ;[open, secured] = await Promise.all([startStack(), startStack({ env: { ADMIN_TOKEN: TOKEN } })])
})
afterAll(async () => {
  await Promise.all([open.close(), secured.close()])
})

/** `host:port` of the stack's own address, as a browser on its page would send it. */
function ownHost(stack: Stack): string {
  return new URL(stack.url).host
}

interface Case {
  name: string
  /** Which server: default mode (no token) or started with ADMIN_TOKEN. */
  on: 'open' | 'secured'
  /** The bytes to send; `self` is the server's own `host:port`. */
  request(self: string): string
  status: number
  /** The error code, or null for a success. */
  code: string | null
}

const send =
  (
    method: string,
    path: string,
    headers: (self: string) => Record<string, string> = (self) => ({ host: self }),
    body?: string,
  ) =>
  (self: string) =>
    rawRequest(method, path, headers(self), body)

const withHost = (extra: Record<string, string>) => (self: string) => ({ host: self, ...extra })

const CASES: Case[] = [
  // DNS rebinding: the browser sends the attacker's name in Host.
  ...[
    'attacker.example',
    'attacker.example:5001',
    '127.0.0.1.attacker.example',
    'localhost.attacker.example',
    'attacker.example@127.0.0.1',
    '',
    '127.0.0.1:80:80',
  ].flatMap((host): Case[] => [
    {
      name: `GET /api/districts with Host ${JSON.stringify(host)}`,
      on: 'open',
      request: send('GET', '/api/districts', () => ({ host })),
      status: 421,
      code: 'HOST_NOT_ALLOWED',
    },
  ]),
  {
    name: 'GET / (the page) with Host attacker.example',
    on: 'open',
    request: send('GET', '/', () => ({ host: 'attacker.example' })),
    status: 421,
    code: 'HOST_NOT_ALLOWED',
  },
  {
    name: 'PUT /api/districts with Host attacker.example and the right token',
    on: 'secured',
    request: send(
      'PUT',
      '/api/districts',
      () => ({ host: 'attacker.example', ...JSON_TYPE, authorization: `Bearer ${TOKEN}` }),
      GOOD_BODY,
    ),
    status: 421,
    code: 'HOST_NOT_ALLOWED',
  },
  {
    name: 'GET /api/districts without a Host header',
    on: 'open',
    request: () => 'GET /api/districts HTTP/1.1\r\nconnection: close\r\n\r\n',
    status: 421,
    code: 'HOST_NOT_ALLOWED',
  },
  ...['self', 'localhost', 'LOCALHOST:5001', '127.0.0.1', '[::1]:5001', '127.8.9.10:1'].map(
    (host): Case => ({
      name: `GET /api/districts with loopback Host ${host}`,
      on: 'open',
      request: send('GET', '/api/districts', (self) => ({ host: host === 'self' ? self : host })),
      status: 200,
      code: null,
    }),
  ),
  // Cross-site requests from a page in the user's browser.
  {
    name: 'POST /api/refresh with no body from Origin http://evil.example',
    on: 'open',
    request: send('POST', '/api/refresh', withHost({ origin: 'http://evil.example' })),
    status: 403,
    code: 'CROSS_SITE_REQUEST',
  },
  {
    name: 'POST /api/refresh with no body from Origin null (sandboxed frame)',
    on: 'open',
    request: send('POST', '/api/refresh', withHost({ origin: 'null' })),
    status: 403,
    code: 'CROSS_SITE_REQUEST',
  },
  ...['cross-site', 'same-site'].map((site): Case => ({
    name: `POST /api/refresh with no body and Sec-Fetch-Site ${site}`,
    on: 'open',
    request: send('POST', '/api/refresh', withHost({ 'sec-fetch-site': site })),
    status: 403,
    code: 'CROSS_SITE_REQUEST',
  })),
  {
    name: 'PUT /api/districts with an invalid body from a foreign origin (origin before validation)',
    on: 'open',
    request: send(
      'PUT',
      '/api/districts',
      withHost({ origin: 'http://evil.example', ...JSON_TYPE }),
      '{"x":1}',
    ),
    status: 403,
    code: 'CROSS_SITE_REQUEST',
  },
  {
    name: 'DELETE /api/districts/61 from another local origin (http://localhost:8080)',
    on: 'open',
    request: send('DELETE', '/api/districts/61', withHost({ origin: 'http://localhost:8080' })),
    status: 403,
    code: 'CROSS_SITE_REQUEST',
  },
  {
    name: 'PUT /api/districts from the same host over https (a TLS proxy in front)',
    on: 'open',
    request: send(
      'PUT',
      '/api/districts',
      (self) => ({ host: self, origin: `https://${self}`, ...JSON_TYPE }),
      GOOD_BODY,
    ),
    status: 200,
    code: null,
  },
  {
    name: 'PUT /api/districts from a foreign origin with the right token',
    on: 'secured',
    request: send(
      'PUT',
      '/api/districts',
      withHost({ origin: 'http://evil.example', authorization: `Bearer ${TOKEN}`, ...JSON_TYPE }),
      GOOD_BODY,
    ),
    status: 403,
    code: 'CROSS_SITE_REQUEST',
  },
  {
    name: 'PUT /api/districts from the page itself (Origin = own origin, Sec-Fetch-Site same-origin)',
    on: 'open',
    request: send(
      'PUT',
      '/api/districts',
      (self) => ({
        host: self,
        origin: `http://${self}`,
        'sec-fetch-site': 'same-origin',
        ...JSON_TYPE,
      }),
      GOOD_BODY,
    ),
    status: 200,
    code: null,
  },
  {
    name: 'PUT /api/districts with Sec-Fetch-Site none (a user typing the URL)',
    on: 'open',
    request: send(
      'PUT',
      '/api/districts',
      withHost({ 'sec-fetch-site': 'none', ...JSON_TYPE }),
      GOOD_BODY,
    ),
    status: 200,
    code: null,
  },
  {
    name: 'PUT /api/districts from curl (neither Origin nor Sec-Fetch-Site)',
    on: 'open',
    request: send('PUT', '/api/districts', withHost(JSON_TYPE), GOOD_BODY),
    status: 200,
    code: null,
  },
  {
    name: 'GET /api/districts from a foreign origin (reads are not refused; CORS keeps them unread)',
    on: 'open',
    request: send('GET', '/api/districts', withHost({ origin: 'http://evil.example' })),
    status: 200,
    code: null,
  },
  // Tokens of every wrong kind; auth is checked before validation.
  {
    name: 'PUT /api/districts {"x":1} without a token (401, not a 400 with schema details)',
    on: 'secured',
    request: send('PUT', '/api/districts', withHost(JSON_TYPE), '{"x":1}'),
    status: 401,
    code: 'UNAUTHORIZED',
  },
  {
    name: 'POST /api/districts/backfill with a body that is not JSON, without a token',
    on: 'secured',
    request: send('POST', '/api/districts/backfill', withHost(JSON_TYPE), '{"startDate":'),
    status: 401,
    code: 'UNAUTHORIZED',
  },
  {
    name: 'PATCH /api/districts (no such route) without a token',
    on: 'secured',
    request: send('PATCH', '/api/districts', withHost({})),
    status: 401,
    code: 'UNAUTHORIZED',
  },
  {
    name: 'PUT /api/districts with an empty Authorization header',
    on: 'secured',
    request: send(
      'PUT',
      '/api/districts',
      withHost({ authorization: '', ...JSON_TYPE }),
      GOOD_BODY,
    ),
    status: 401,
    code: 'UNAUTHORIZED',
  },
  ...[
    ['the wrong token', 'Bearer wrong-token'],
    ['a wrong token of the same length', `Bearer ${'x'.repeat(TOKEN.length)}`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token plus one character', `Bearer ${TOKEN}x`],
    ['the token in upper case', `Bearer ${TOKEN.toUpperCase()}`],
    ['the token as Basic credentials', `Basic ${TOKEN}`],
    ['the token without a scheme', TOKEN],
    ['an empty bearer', 'Bearer '],
    ['the token twice', `Bearer ${TOKEN} ${TOKEN}`],
    ['a 10 KB token', `Bearer ${'t'.repeat(10_000)}`],
  ].map(([what, authorization]): Case => ({
    name: `PUT /api/districts {"x":1} with ${what}`,
    on: 'secured',
    request: send(
      'PUT',
      '/api/districts',
      withHost({ authorization: authorization!, ...JSON_TYPE }),
      '{"x":1}',
    ),
    status: 403,
    code: 'FORBIDDEN',
  })),
  {
    name: 'PUT /api/districts with the right token after a lower-case scheme',
    on: 'secured',
    request: send(
      'PUT',
      '/api/districts',
      withHost({ authorization: `bearer ${TOKEN}`, ...JSON_TYPE }),
      GOOD_BODY,
    ),
    status: 200,
    code: null,
  },
  // Odd methods and URLs answered by the framework or Node's parser.
  {
    name: 'a lower-case method (get)',
    on: 'open',
    request: send('get', '/api/districts'),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a method that does not exist (FROB)',
    on: 'open',
    request: send('FROB', '/api/districts'),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'PROPFIND /api/districts (a method no route has)',
    on: 'open',
    request: send('PROPFIND', '/api/districts'),
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'GET /api/districts/%zz/backfill/x (bad percent-encoding)',
    on: 'open',
    request: send('GET', '/api/districts/%zz/backfill/x'),
    status: 400,
    code: 'BAD_URL',
  },
  {
    // GET would fall through to the page's catch-all route (a 404); DELETE has none.
    name: 'DELETE with a 3 KB path parameter',
    on: 'open',
    request: send('DELETE', `/api/districts/backfill/${'A'.repeat(3000)}`),
    status: 414,
    code: 'URI_TOO_LONG',
  },
  {
    name: 'GET with a 20 KB header',
    on: 'open',
    request: send('GET', '/api/districts', withHost({ 'x-filler': 'f'.repeat(20_000) })),
    status: 431,
    code: 'HEADERS_TOO_LARGE',
  },
  {
    name: 'GET with a 10 KB unknown path',
    on: 'open',
    request: send('GET', `/api/${'n'.repeat(10_000)}`),
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'a request line that is not HTTP',
    on: 'open',
    request: () => 'HELLO\r\n\r\n',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'PUT /api/districts as application/xml',
    on: 'open',
    request: send(
      'PUT',
      '/api/districts',
      withHost({ 'content-type': 'application/xml' }),
      '<districts/>',
    ),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'PUT /api/districts with broken JSON',
    on: 'open',
    request: send('PUT', '/api/districts', withHost(JSON_TYPE), '{"districts":'),
    status: 400,
    code: 'INVALID_JSON',
  },
  {
    name: 'PUT /api/districts with a __proto__ key',
    on: 'open',
    request: send(
      'PUT',
      '/api/districts',
      withHost(JSON_TYPE),
      '{"districts":["61"],"__proto__":{"x":1}}',
    ),
    status: 400,
    code: 'INVALID_JSON',
  },
  {
    name: 'PUT /api/districts with a body over 1 MiB',
    on: 'open',
    request: send(
      'PUT',
      '/api/districts',
      withHost(JSON_TYPE),
      JSON.stringify({ districts: ['x'.repeat(1_100_000)] }),
    ),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  // District ids whose upper case is ASCII but whose raw text is not.
  ...['ß', 'ﬁ1'].map((id): Case => ({
    name: `PUT /api/districts {"districts":[${JSON.stringify(id)}]}`,
    on: 'open',
    request: send(
      'PUT',
      '/api/districts',
      withHost({ 'content-type': 'application/json; charset=utf-8' }),
      JSON.stringify({ districts: [id] }),
    ),
    status: 400,
    code: 'VALIDATION_ERROR',
  })),
  {
    name: 'DELETE /api/districts/%C3%9F (ß in the path)',
    on: 'open',
    request: send('DELETE', '/api/districts/%C3%9F'),
    status: 400,
    code: 'VALIDATION_ERROR',
  },
]

describe('hostile requests', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const stack = c.on === 'open' ? open : secured
    const answer = await sendRaw(stack.url, c.request(ownHost(stack)))
    expect(answer.status, answer.body).toBe(c.status)
    expectOneShape(answer, c.code)
  })

  it('stores neither ß nor ﬁ1 under an ASCII id', async () => {
    const { body } = await open.api<{ configured: string[] }>('GET', '/api/districts')
    expect(body.configured).not.toContain('SS')
    expect(body.configured).not.toContain('FI1')
  })
})

/** `{ error: { code, message } }`, JSON, small, no trace of Fastify's own shape. */
function expectOneShape(answer: RawAnswer, code: string | null): void {
  if (code === null) return
  expect(answer.headers['content-type']).toMatch(/^application\/json/)
  expect(answer.headers['x-content-type-options']).toBe('nosniff')
  expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'")
  expect(answer.body.length).toBeLessThan(1000)
  const body = JSON.parse(answer.body) as { error: { code: string; message: string } }
  expect(Object.keys(body)).toEqual(['error'])
  expect(body.error.code).toBe(code)
  expect(typeof body.error.message).toBe('string')
  expect(answer.body).not.toMatch(/FST_|statusCode/)
}

describe('what anonymous callers see', () => {
  it('keeps DATA_DIR out of /api/health unless the caller has the token', async () => {
    for (const [stack, headers] of [
      [open, {}],
      [secured, {}],
      [secured, { authorization: 'Bearer wrong-token' }],
    ] as const) {
      const r = await stack.api<{ store: Record<string, unknown> }>(
        'GET',
        '/api/health',
        undefined,
        headers,
      )
      expect(r.status).toBe(200)
      expect(r.body.store).not.toHaveProperty('dataDir')
      expect(JSON.stringify(r.body)).not.toContain(stack.dataDir)
    }
    const admin = await secured.api<{ store: { dataDir: string } }>(
      'GET',
      '/api/health',
      undefined,
      {
        authorization: `Bearer ${TOKEN}`,
      },
    )
    expect(admin.body.store.dataDir).toBe(secured.dataDir)
  })
})

describe('security headers', () => {
  it.each(['/api/districts', '/api/nope', '/api/openapi.json'])(
    'are sent with %s',
    async (path) => {
      const res = await fetch(`${open.url}${path}`)
      await res.arrayBuffer()
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toContain('unsafe-inline')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    },
  )

  it('are sent with a refused request too', async () => {
    const answer = await sendRaw(
      open.url,
      rawRequest('GET', '/api/districts', { host: 'evil.example' }),
    )
    expect(answer.status).toBe(421)
    expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'")
  })
})

describe('the OpenAPI document', () => {
  it('lists the error answers of every operation, in the one error shape', async () => {
    type Responses = Record<
      string,
      { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }
    >
    const { body } = await open.api<{
      paths: Record<string, Record<string, { responses: Responses }>>
    }>('GET', '/api/openapi.json')
    const operations = Object.entries(body.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ name: `${method} ${path}`, method, op })),
    )
    expect(operations.length).toBeGreaterThan(15)
    for (const { name, method, op } of operations) {
      const statuses = Object.keys(op.responses)
      const expected = ['400', '404', '421', '500']
      if (method !== 'get') expected.push('401', '403', '413', '415')
      expect(statuses, name).toEqual(expect.arrayContaining(expected))
      expect(
        statuses.some((s) => s.startsWith('2')),
        name,
      ).toBe(true)
      for (const status of expected) {
        const schema = op.responses[status]?.content?.['application/json']?.schema
        expect(schema?.properties, `${name} ${status}`).toHaveProperty('error')
      }
    }
  })
})
