/**
 * Property: whatever a caller sends, and however long it is, in a path segment, a query
 * value, a header or a JSON field, the answer stays small and is never a 5xx. Real HTTP on
 * loopback against one server with an empty data dir; every body is a dry run or invalid, so
 * nothing is started.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest, sendRaw } from '../helpers/raw-http.ts'
import { startStack, type Stack } from '../helpers/stack.ts'

/** Largest body any of these answers may have (error messages and details are clipped). */
const MAX_ANSWER_BYTES = 5_000

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack.close()
})

/** Short, long and very long text, any Unicode; long values repeat a random chunk. */
const textArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .tuple(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      fc.integer({ min: 50, max: 30_000 }),
    )
    .map(([chunk, times]) => chunk.repeat(times)),
)

/** Printable ASCII only: what may stand in a header value as written on the wire. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, 'x')

type Place = (s: string) => {
  method: string
  path: string
  headers: Record<string, string>
  body?: string
}

const e = encodeURIComponent
const json = (value: unknown) => JSON.stringify(value)
const JSON_TYPE = { 'content-type': 'application/json' }

const PLACES: Record<string, Place> = {
  'snapshot date': (s) => ({ method: 'GET', path: `/api/snapshots/${e(s)}`, headers: {} }),
  'district of a series': (s) => ({
    method: 'GET',
    path: `/api/districts/${e(s)}/snapshots?from=${e(s)}`,
    headers: {},
  }),
  'backfill id': (s) => ({ method: 'GET', path: `/api/districts/backfill/${e(s)}`, headers: {} }),
  'district to delete': (s) => ({ method: 'DELETE', path: `/api/districts/${e(s)}`, headers: {} }),
  'coverage query': (s) => ({
    method: 'GET',
    path: `/api/coverage?from=${e(s)}&to=${e(s)}&districts=${e(s)}`,
    headers: {},
  }),
  'unknown query key': (s) => ({ method: 'GET', path: `/api/alerts?${e(s)}=1`, headers: {} }),
  'unknown path': (s) => ({ method: 'GET', path: `/api/${e(s)}`, headers: {} }),
  'Host header': (s) => ({
    method: 'GET',
    path: '/api/districts',
    headers: { host: headerSafe(s) },
  }),
  'Origin header': (s) => ({
    method: 'PUT',
    path: '/api/districts',
    headers: { origin: headerSafe(s), ...JSON_TYPE },
    body: json({ districts: ['61'] }),
  }),
  'Content-Type header': (s) => ({
    method: 'PUT',
    path: '/api/districts',
    headers: { 'content-type': headerSafe(s) },
    body: json({ districts: ['61'] }),
  }),
  'district in a list': (s) => ({
    method: 'PUT',
    path: '/api/districts',
    headers: JSON_TYPE,
    body: json({ districts: ['61', s] }),
  }),
  'unknown body key': (s) => ({
    method: 'PUT',
    path: '/api/districts',
    headers: JSON_TYPE,
    body: json({ districts: ['61'], [s]: 1 }),
  }),
  'backfill start date': (s) => ({
    method: 'POST',
    path: '/api/districts/backfill',
    headers: JSON_TYPE,
    body: json({ startDate: `x${s}`, dryRun: true }),
  }),
  'backfill targets': (s) => ({
    method: 'POST',
    path: '/api/districts/backfill',
    headers: JSON_TYPE,
    body: json({ startDate: '2026-09-01', targetDistricts: [s, `${s}!`], dryRun: true }),
  }),
  'a raw body': (s) => ({
    method: 'POST',
    path: '/api/districts/backfill',
    headers: JSON_TYPE,
    body: s,
  }),
}

describe('answers stay bounded', () => {
  it('no answer body exceeds the bound, and none is a 5xx, whatever the input length', async () => {
    const self = new URL(stack.url).host
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(PLACES)), textArb, async (place, text) => {
        const r = PLACES[place]!(text)
        const headers = { host: self, ...r.headers }
        const answer = await sendRaw(stack.url, rawRequest(r.method, r.path, headers, r.body))
        expect(answer.status, `${place}: ${answer.body.slice(0, 200)}`).toBeGreaterThanOrEqual(200)
        expect(answer.status, place).toBeLessThan(500)
        expect(Buffer.byteLength(answer.body), place).toBeLessThanOrEqual(MAX_ANSWER_BYTES)
        if (answer.status >= 400) {
          expect(Object.keys(JSON.parse(answer.body) as object)).toEqual(['error'])
        }
      }),
      { numRuns: 150 },
    )
  })
})
