/** One URL fetched once at a time, through the client against a real loopback server. */
import { describe, expect, it } from 'vitest'
import { useHarness } from './testing/client-harness.ts'
import {
  CLUB_HEADER_2025_26,
  CLUB_ROWS_2025_26,
  exportBody,
  footerLine,
} from './testing/export-bodies.ts'

const start = useHarness()
const REQUEST = { report: 'clubperformance', districtId: '61', asOf: '2026-05-06' } as const
const BODY = exportBody(CLUB_HEADER_2025_26, CLUB_ROWS_2025_26, footerLine('2026-04', '2026-05-06'))

/** Answers after `ms`, so the callers below overlap. */
const slowly = (ms: number) => (_r: unknown, res: { end(body: string): void }) =>
  void setTimeout(() => res.end(BODY), ms)

describe('requests in flight', () => {
  it('share one exchange among callers asking for the same URL at once', async () => {
    const h = await start(slowly(150))
    await h.client.getLiveStatus()
    const results = await Promise.all([1, 2, 3].map(() => h.client.fetchReport(REQUEST)))
    expect(results.map((r) => r.kind)).toEqual(['data', 'data', 'data'])
    expect(h.reportRequests()).toHaveLength(1)
    // Once answered, the URL is fetched again when asked again.
    await h.client.fetchReport(REQUEST)
    expect(h.reportRequests()).toHaveLength(2)
  })

  it('keep the exchange for the callers still waiting when one cancels', async () => {
    const h = await start(slowly(300))
    await h.client.getLiveStatus()
    const leaving = new AbortController()
    const first = h.client.fetchReport({ ...REQUEST, signal: leaving.signal })
    const second = h.client.fetchReport(REQUEST)
    setTimeout(() => leaving.abort(new Error('job cancelled')), 50)
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' })
    const kept = await second
    expect(kept.kind).toBe('data')
    expect(h.reportRequests()).toHaveLength(1)
  })

  it('abort the exchange when every caller has left', async () => {
    const h = await start(slowly(2000))
    await h.client.getLiveStatus()
    const a = new AbortController()
    const b = new AbortController()
    const both = [a, b].map((ac) => h.client.fetchReport({ ...REQUEST, signal: ac.signal }))
    setTimeout(() => {
      a.abort(new Error('cancel a'))
      b.abort(new Error('cancel b'))
    }, 50)
    for (const p of both) await expect(p).rejects.toMatchObject({ code: 'CANCELLED' })
    // A later caller starts afresh instead of joining the aborted exchange.
    const fresh = new AbortController()
    const third = h.client.fetchReport({ ...REQUEST, signal: fresh.signal })
    setTimeout(() => fresh.abort(new Error('done')), 50)
    await expect(third).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(h.reportRequests()).toHaveLength(2)
  })
})
