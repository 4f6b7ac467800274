/**
 * The answers pollers ask for again (coverage, both series, a job's view) over real HTTP: a
 * repeated GET naming the answer's tag gets a 304 while nothing changed, and a stored date
 * changes the tag and the body at once (docs/performance.md#kept-answers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Stack } from '../helpers/stack.ts'
import { runJob, startBackfillStack } from './backfill-harness.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startBackfillStack()
}, 60_000)
afterAll(() => stack?.close())

async function get(route: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}${route}`, { headers })
  const text = await res.text()
  return {
    status: res.status,
    etag: res.headers.get('etag'),
    cacheControl: res.headers.get('cache-control'),
    text,
  }
}

const ROUTES = [
  '/api/coverage?from=2026-06-01&to=2026-06-30&districts=61',
  '/api/districts/61/series',
  '/api/all-districts/series?districts=61',
]

describe('kept answers', () => {
  it('a stored date changes each answer and its tag; until then a revalidation is a 304', async () => {
    const before = new Map<string, { etag: string; text: string }>()
    for (const route of ROUTES) {
      const first = await get(route)
      expect(first.status, route).toBe(200)
      expect(first.etag, route).toMatch(/^"/)
      before.set(route, { etag: first.etag!, text: first.text })
      const again = await get(route, { 'if-none-match': first.etag! })
      expect(again.status, route).toBe(304)
      expect(again.text, route).toBe('')
    }

    await runJob(stack, {
      startDate: '2026-06-10',
      endDate: '2026-06-10',
      targetDistricts: ['61'],
      collectionType: 'per-district',
    })

    for (const route of ROUTES) {
      const old = before.get(route)!
      const after = await get(route, { 'if-none-match': old.etag })
      expect(after.status, route).toBe(200)
      expect(after.etag, route).not.toBe(old.etag)
      expect(after.text, route).not.toBe(old.text)
      expect(after.text, route).toContain('2026-06-10')
      // The answer kept is the answer computed: the same bytes again, then a 304.
      expect((await get(route)).text, route).toBe(after.text)
      expect((await get(route, { 'if-none-match': after.etag! })).status, route).toBe(304)
    }
  })

  it("a finished job's view is one answer: revalidated with a 304, on both routes", async () => {
    const job = await runJob(stack, {
      startDate: '2026-06-11',
      endDate: '2026-06-11',
      targetDistricts: ['61'],
      collectionType: 'per-district',
    })
    for (const route of [
      `/api/districts/backfill/${job.backfillId}`,
      `/api/districts/61/backfill/${job.backfillId}`,
    ]) {
      // The view carries the upstream's rate window, which drains in the second after the job
      // and names its reset on the whole second: a revalidation is a 304 when nothing moved, and
      // otherwise a new body under a new tag, never the old tag on new bytes.
      let hits = 0
      for (let i = 0; i < 10 && hits === 0; i++) {
        const first = await get(route)
        expect(first.status, route).toBe(200)
        expect(JSON.parse(first.text)).toMatchObject({
          backfillId: job.backfillId,
          status: job.status,
        })
        const again = await get(route, { 'if-none-match': first.etag! })
        if (again.status === 304) hits++
        else {
          expect(again.status, route).toBe(200)
          expect(again.etag, route).not.toBe(first.etag)
          expect(again.text, route).not.toBe(first.text)
        }
      }
      expect(hits, route).toBe(1)
    }
    // Within one clock second the service hands out one view object (its bytes are kept by it).
    const svc = stack.server.services.backfills
    for (let tries = 0; ; tries++) {
      const t0 = Date.now()
      const a = await svc.get(job.backfillId)
      const b = await svc.get(job.backfillId)
      // A new second, or the rate window drained in between: not the same inputs, ask again.
      const moved =
        Math.floor(t0 / 1000) !== Math.floor(Date.now() / 1000) ||
        JSON.stringify(a) !== JSON.stringify(b)
      if (moved && tries < 10) continue
      expect(b).toBe(a)
      break
    }
    // An unknown job is still an error, never kept.
    const missing = await get('/api/districts/backfill/bf_0000000000000000', {})
    expect(missing.status).toBe(404)
    expect(missing.etag).toBeNull()
    expect(missing.cacheControl).toBe('no-store')
  })
})
