/** The client's requests through the schedule hook into the budget, against a loopback upstream. */
import { describe, expect, it } from 'vitest'
import { createSilentLogger } from '../logger.ts'
import { useHarness } from '../upstream/testing/client-harness.ts'
import {
  CLUB_HEADER_2025_26,
  CLUB_ROWS_2025_26,
  exportBody,
  footerLine,
} from '../upstream/testing/export-bodies.ts'
import { UpstreamNetworkError } from '../upstream/index.ts'
import { createResilience } from './resilience.ts'
import { createUpstreamScheduler, type SchedulerEvent } from './upstream-scheduler.ts'

const start = useHarness()
const REQUEST = { report: 'clubperformance', districtId: '61', asOf: '2026-05-06' } as const
const BODY = exportBody(CLUB_HEADER_2025_26, CLUB_ROWS_2025_26, footerLine('2026-04', '2026-05-06'))

/** A harness whose client goes through a real scheduler and breaker; `starts` lists the lanes. */
async function politeHarness(route: Parameters<typeof start>[0]) {
  const events: SchedulerEvent[] = []
  const scheduler = createUpstreamScheduler({
    maxRequests: 0,
    windowMs: 1000,
    maxConcurrent: 4,
    observe: (e) => events.push(e),
  })
  const resilience = createResilience({
    scheduler,
    breaker: { failureThreshold: 5, openMs: 30_000, maxOutageMs: 900_000 },
    logger: createSilentLogger(),
  })
  const h = await start(route, { options: { schedule: resilience.schedule } })
  const host = new URL(h.upstream.baseUrl).host
  const starts = () => events.filter((e) => e.type === 'start').map((e) => e.lane)
  return { ...h, scheduler, resilience, host, starts }
}

describe('resilience: the schedule hook', () => {
  it("bills every request of a fetch to the caller's lane, the live-status lookup included", async () => {
    const h = await politeHarness((_r, res) => res.end(BODY))
    const result = await h.client.fetchReport({ ...REQUEST, lane: { lane: 'job-a' } })
    expect(result.kind).toBe('data')
    expect(h.starts()).toEqual(['job-a', 'job-a'])
    h.scheduler.close()
  })

  it('puts a request whose caller names no lane in the default lane', async () => {
    const h = await politeHarness((_r, res) => res.end(BODY))
    await h.client.getLiveStatus()
    await h.client.fetchReport(REQUEST)
    await h.client.getLiveStatus({ lane: { lane: 'refresh', priority: true } })
    // The live status is cached by then: only the first lookup and the export went out.
    expect(h.starts()).toEqual(['default', 'default'])
    h.scheduler.close()
  })

  it("feeds the exchange's status and Retry-After back to the budget and the breaker", async () => {
    const h = await politeHarness((_r, res) => {
      res.writeHead(503, { 'retry-after': '120' })
      res.end('busy')
    })
    await h.client.getLiveStatus({ lane: { lane: 'refresh' } })
    await expect(h.client.fetchReport(REQUEST)).rejects.toMatchObject({ status: 503 })
    expect(h.scheduler.status(h.host).adaptive.pausedUntil).not.toBeNull()
    expect(h.resilience.circuit(h.host)).toMatchObject({ state: 'closed', consecutiveFailures: 1 })
    h.scheduler.close()
  })
})

describe('resilience: a circuit that opens while requests wait for their start', () => {
  it('sends none of the requests admitted while it was closed', async () => {
    const scheduler = createUpstreamScheduler({ maxRequests: 0, windowMs: 1000, maxConcurrent: 1 })
    const resilience = createResilience({
      scheduler,
      breaker: { failureThreshold: 1, openMs: 60_000, maxOutageMs: 900_000 },
      logger: createSilentLogger(),
    })
    const sent: string[] = []
    const ac = new AbortController()
    const failing = resilience.schedule(
      'up.example',
      () => {
        sent.push('first')
        return Promise.reject(new UpstreamNetworkError('http://up.example/', 'ECONNRESET', 'reset'))
      },
      { lane: 'job-a', signal: new AbortController().signal },
    )
    // Admitted (closed) and waiting behind the first for the one slot.
    const waiting = resilience
      .schedule(
        'up.example',
        () => {
          sent.push('second')
          return Promise.reject(new Error('must not be sent'))
        },
        { lane: 'job-a', signal: ac.signal },
      )
      .catch((e: unknown) => e)
    await expect(failing).rejects.toBeInstanceOf(UpstreamNetworkError)
    expect(resilience.circuit('up.example').state).toBe('open')
    await new Promise((r) => setTimeout(r, 100))
    ac.abort(new Error('cancelled'))
    expect(await waiting).toMatchObject({ message: 'cancelled' })
    expect(sent).toEqual(['first'])
    scheduler.close()
  })
})
