/** The client's request flow against a real loopback server: data, fallback, live year, hooks. */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createClosingCalendar } from './closing-calendar.ts'
import type { ResponseInfo, Schedule } from './http-get.ts'
import { NOW_MS, monthEndOf, useHarness } from './testing/client-harness.ts'
import {
  CLUB_HEADER_2025_26,
  CLUB_ROWS_2025_26,
  DISTRICT_HEADER,
  DISTRICT_ROWS,
  SUMMARY_ROWS_2025_26,
  exportBody,
  footerLine,
} from './testing/export-bodies.ts'

const start = useHarness()
const clubBody = (footer: string | null) =>
  exportBody(CLUB_HEADER_2025_26, CLUB_ROWS_2025_26, footer)
/** The as-of slot of a token (`…~{MONTHEND}~{ASOF}~{PY}`) as an ISO date. */
function asOfOf(token: string | null): string {
  const [m, d, y] = (token?.split('~')[3] ?? '').split('/')
  return `${y}-${m?.padStart(2, '0')}-${d?.padStart(2, '0')}`
}
const emptyClubBody = (footer: string) => exportBody(CLUB_HEADER_2025_26, [], footer)
/** Live year 2026-2027 and no closing dates known: every month uses the fallback. */
const SEPTEMBER_LIVE = { liveFooter: footerLine('2026-09', '2026-09-21') }

describe('dashboard client: fetchReport', () => {
  it('returns the body, its provenance and typed rows for a closing-period date', async () => {
    const body = clubBody(footerLine('2026-04', '2026-05-06'))
    const h = await start((_r, res) => res.end(body))
    const result = await h.client.fetchReport({
      report: 'clubperformance',
      districtId: '61',
      asOf: '2026-05-06',
    })
    expect(result).toMatchObject({
      kind: 'data',
      report: 'clubperformance',
      districtId: '61',
      requestedAsOf: '2026-05-06',
      asOf: '2026-05-06',
      dataMonth: '2026-04',
      programYear: '2025-2026',
      closingPeriod: true,
      httpStatus: 200,
      fetchedAt: new Date(NOW_MS).toISOString(),
      body,
      sizeBytes: Buffer.byteLength(body),
      sha256: createHash('sha256').update(body).digest('hex'),
      footer: { month: 'Apr', dataMonth: '2026-04', asOf: '2026-05-06' },
      rowCount: 4,
    })
    if (result.kind !== 'data') throw new Error('expected data')
    expect(result.parsed.rows[1]?.clubNumber).toBe('00001234')
    const [request] = h.reportRequests()
    expect(request?.path).toBe('/export.aspx')
    expect(request?.token).toBe('clubperformance~61~4/30/2026~5/6/2026~2025-2026')
    expect(result.url).toBe(h.upstream.baseUrl + request?.rawUrl)
    expect(request?.userAgent).toMatch(/^toastmasters-backfill\/\d+\.\d+\.\d+/)
  })

  it('keeps a BOM in body and sha256 but parses past it', async () => {
    const body =
      '\uFEFF' + exportBody(DISTRICT_HEADER, DISTRICT_ROWS, footerLine('2026-04', '2026-05-06'))
    const h = await start((_r, res) => res.end(body))
    const result = await h.client.fetchReport({
      report: 'districtperformance',
      districtId: '61',
      asOf: '2026-05-06',
    })
    if (result.kind !== 'data') throw new Error('expected data')
    expect(result.body).toBe(body)
    expect(result.sha256).toBe(createHash('sha256').update(body).digest('hex'))
    expect(result.parsed.hasBom).toBe(true)
    expect(result.parsed.rows[0]?.district).toBe('61')
  })

  it('answers unavailable after both candidate months return zero rows', async () => {
    const h = await start((r, res) =>
      res.end(
        emptyClubBody(footerLine(monthEndOf(r.token).startsWith('4/') ? 4 : 5, '2026-05-06')),
      ),
    )
    const result = await h.client.fetchReport({
      report: 'clubperformance',
      districtId: '61',
      asOf: '2026-05-06',
    })
    expect(result).toMatchObject({
      kind: 'unavailable',
      requestedAsOf: '2026-05-06',
      districtId: '61',
    })
    if (result.kind !== 'unavailable') throw new Error('expected unavailable')
    expect(result.urls).toHaveLength(2)
    expect(result.reason).toContain('zero data rows')
    expect(h.reportRequests().map((r) => monthEndOf(r.token))).toEqual(['4/30/2026', '5/31/2026'])
  })

  it('falls back to the previous month when the closing date is unknown', async () => {
    const h = await start(
      (r, res) => {
        if (monthEndOf(r.token) === '9/30/2026')
          res.end(emptyClubBody(footerLine('2026-09', '2026-09-03')))
        else res.end(clubBody(footerLine('2026-08', '2026-09-03')))
      },
      { ...SEPTEMBER_LIVE, options: { closingCalendar: createClosingCalendar([]) } },
    )
    const result = await h.client.fetchReport({
      report: 'clubperformance',
      districtId: '21',
      asOf: '2026-09-03',
    })
    expect(result).toMatchObject({
      kind: 'data',
      dataMonth: '2026-08',
      programYear: '2026-2027',
      closingPeriod: true,
    })
    expect(h.reportRequests().map((r) => r.token)).toEqual([
      'clubperformance~21~9/30/2026~9/3/2026~2026-2027',
      'clubperformance~21~8/31/2026~9/3/2026~2026-2027',
    ])
  })

  it('accepts a root answer for the other candidate month without a second request', async () => {
    const h = await start((_r, res) => res.end(clubBody(footerLine('2026-08', '2026-09-03'))), {
      ...SEPTEMBER_LIVE,
      options: { closingCalendar: createClosingCalendar([]) },
    })
    const result = await h.client.fetchReport({
      report: 'clubperformance',
      districtId: '21',
      asOf: '2026-09-03',
    })
    expect(result).toMatchObject({ kind: 'data', dataMonth: '2026-08', asOf: '2026-09-03' })
    expect(h.reportRequests()).toHaveLength(1)
  })

  it('tries the other month when an archive answers with a different month', async () => {
    // 2024-03-20 in PY 2023-2024, archived; the table says March, the archive knows February.
    const h = await start((r, res) => {
      const feb = monthEndOf(r.token) === '2/29/2024'
      res.end(clubBody(footerLine(feb ? '2024-02' : '2024-01', '2024-03-20')))
    })
    const result = await h.client.fetchReport({
      report: 'clubperformance',
      districtId: '61',
      asOf: '2024-03-20',
    })
    expect(result).toMatchObject({ kind: 'data', dataMonth: '2024-02', programYear: '2023-2024' })
    expect(h.reportRequests().map((r) => r.path)).toEqual([
      '/2023-2024/export.aspx',
      '/2023-2024/export.aspx',
    ])
  })

  it('accepts a footer-less body from an archive path and flags footer: null', async () => {
    const h = await start((_r, res) => res.end(clubBody(null)))
    const result = await h.client.fetchReport({
      report: 'clubperformance',
      districtId: '61',
      asOf: '2019-03-20',
    })
    expect(result).toMatchObject({
      kind: 'data',
      footer: null,
      asOf: '2019-03-20',
      programYear: '2018-2019',
    })
    expect(h.reportRequests()[0]?.path).toBe('/2018-2019/export.aspx')
  })

  it('sends no request for a program year the site has not published yet', async () => {
    const h = await start((_r, res) => res.end(clubBody(footerLine('2026-07', '2026-07-06'))), {
      liveFooter: footerLine('2026-06', '2026-07-06'),
    })
    const result = await h.client.fetchReport({
      report: 'clubperformance',
      districtId: '61',
      asOf: '2026-08-20',
    })
    expect(result).toMatchObject({ kind: 'unavailable', urls: [] })
    if (result.kind !== 'unavailable') throw new Error('expected unavailable')
    expect(result.reason).toContain('2025-2026')
    expect(h.reportRequests()).toHaveLength(0)
  })

  it('rejects malformed input before any request', async () => {
    const h = await start((_r, res) => res.end(''))
    await expect(
      h.client.fetchReport({ report: 'clubperformance', asOf: '2026-05-06' }),
    ).rejects.toThrow(RangeError)
    await expect(
      h.client.fetchReport({ report: 'districtsummary', districtId: '61', asOf: '2026-05-06' }),
    ).rejects.toThrow(RangeError)
    await expect(
      h.client.fetchReport({ report: 'clubperformance', districtId: '61', asOf: '2026-02-30' }),
    ).rejects.toThrow(RangeError)
    expect(h.upstream.requests).toHaveLength(0)
  })
})

describe('dashboard client: live status and latest', () => {
  it('learns the live year from the root footer and caches it for the TTL', async () => {
    const h = await start(() => undefined, { options: { liveStatusTtlMs: 60_000 } })
    const status = await h.client.getLiveStatus()
    expect(status).toEqual({
      programYear: '2025-2026',
      latestAsOf: '2026-05-06',
      dataMonth: '2026-04',
    })
    await h.client.getLiveStatus()
    h.clock.nowMs += 59_999
    await h.client.getLiveStatus()
    expect(h.liveRequests()).toHaveLength(1)
    h.clock.nowMs += 1
    await h.client.getLiveStatus()
    expect(h.liveRequests()).toHaveLength(2)
  })

  it('asks for the live year once for dated requests while it is the calendar year', async () => {
    // May 2026, live 2025-2026: nothing can switch before 1 July, however long the run.
    const h = await start((r, res) => res.end(clubBody(footerLine('2026-04', asOfOf(r.token)))))
    for (let day = 1; day <= 40; day++) {
      const asOf = `2026-04-${String((day % 28) + 1).padStart(2, '0')}`
      const result = await h.client.fetchReport({
        report: 'clubperformance',
        districtId: '61',
        asOf,
      })
      expect(result.kind).toBe('data')
      h.clock.nowMs += 20 * 60_000
    }
    expect(h.liveRequests()).toHaveLength(1)
    // The newest as-of is still trusted for the TTL only.
    await h.client.getLiveStatus()
    expect(h.liveRequests()).toHaveLength(2)
  })

  it('asks again at most once an hour while the root still serves the old year in July', async () => {
    const h = await start((r, res) => res.end(clubBody(footerLine('2026-06', asOfOf(r.token)))), {
      liveFooter: footerLine('2026-06', '2026-07-09'),
      options: { now: () => clock.nowMs },
    })
    const clock = h.clock
    clock.nowMs = Date.UTC(2026, 6, 10, 6)
    // 18 requests, 20 minutes apart: asked at 0, 60, 120, 180, 240 and 300 minutes.
    for (let i = 0; i < 18; i++) {
      const result = await h.client.fetchReport({
        report: 'clubperformance',
        districtId: '61',
        asOf: '2026-06-20',
      })
      expect(result.kind).toBe('data')
      clock.nowMs += 20 * 60_000
    }
    expect(h.liveRequests()).toHaveLength(6)
  })

  it('notices the July switch within the hour, and trusts the new year from then on', async () => {
    let footer = footerLine('2026-06', '2026-07-27')
    const h = await start(
      (r, res) =>
        res.end(
          monthEndOf(r.token).startsWith('7/')
            ? clubBody(footerLine(7, asOfOf(r.token)))
            : emptyClubBody(footerLine(6, asOfOf(r.token))),
        ),
      { liveFooter: () => footer, options: { liveStatusTtlMs: 600_000 } },
    )
    h.clock.nowMs = Date.UTC(2026, 6, 29, 8)
    const july = { report: 'clubperformance', districtId: '61', asOf: '2026-07-28' } as const
    // July is left out as not live; June's answer is empty, but the status is within the TTL.
    expect((await h.client.fetchReport(july)).kind).toBe('unavailable')
    expect(h.liveRequests()).toHaveLength(1)
    footer = footerLine('2026-07', '2026-07-28')
    h.clock.nowMs += 5 * 60_000
    expect((await h.client.fetchReport(july)).kind).toBe('unavailable')
    expect(h.liveRequests()).toHaveLength(1)
    // Past the TTL, the empty root answer is a sign: asked again, switched, planned again.
    h.clock.nowMs += 6 * 60_000
    const after = await h.client.fetchReport(july)
    expect(after).toMatchObject({ kind: 'data', dataMonth: '2026-07', programYear: '2026-2027' })
    expect(h.liveRequests()).toHaveLength(2)
    // Now the calendar's year: trusted from here on.
    h.clock.nowMs += 5 * 3_600_000
    expect((await h.client.fetchReport(july)).kind).toBe('data')
    expect(h.liveRequests()).toHaveLength(2)
  })

  it('keeps the previous program year live while the root still shows June in July', async () => {
    const h = await start(() => undefined, { liveFooter: footerLine('2026-06', '2026-07-20') })
    expect(await h.client.getLiveStatus()).toEqual({
      programYear: '2025-2026',
      latestAsOf: '2026-07-20',
      dataMonth: '2026-06',
    })
  })

  it('shares one probe between concurrent callers', async () => {
    const h = await start(() => undefined)
    await Promise.all([
      h.client.getLiveStatus(),
      h.client.getLiveStatus(),
      h.client.getLiveStatus(),
    ])
    expect(h.liveRequests()).toHaveLength(1)
  })

  it('fetches the latest report from the root and records the footer as-of', async () => {
    const h = await start((_r, res) => res.end(clubBody(footerLine('2026-04', '2026-05-06'))))
    const result = await h.client.fetchLatest({ report: 'clubperformance', districtId: '61' })
    expect(result).toMatchObject({
      kind: 'data',
      requestedAsOf: '2026-05-06',
      asOf: '2026-05-06',
      dataMonth: '2026-04',
    })
    expect(h.reportRequests().map((r) => [r.path, r.token])).toEqual([
      ['/export.aspx', 'clubperformance~61~~~2025-2026'],
    ])
  })

  it('refreshes the live status from a latest summary fetch', async () => {
    const h = await start(() => undefined, { liveFooter: footerLine('2026-05', '2026-05-09') })
    const latest = await h.client.fetchLatest({ report: 'districtsummary' })
    expect(latest).toMatchObject({
      kind: 'data',
      rowCount: SUMMARY_ROWS_2025_26.length,
      dataMonth: '2026-05',
    })
    expect(await h.client.getLiveStatus()).toMatchObject({ latestAsOf: '2026-05-09' })
    expect(h.upstream.requests).toHaveLength(1)
  })
})

describe('dashboard client: hooks', () => {
  it('routes every request through schedule and reports each response', async () => {
    const hosts: string[] = []
    const schedule: Schedule = (host, task, request) => {
      hosts.push(host)
      return task(request.signal)
    }
    const responses: ResponseInfo[] = []
    const body = clubBody(footerLine('2026-04', '2026-05-06'))
    const h = await start((_r, res) => res.end(body), {
      options: { schedule, onResponse: (info) => responses.push(info) },
    })
    await h.client.fetchReport({ report: 'clubperformance', districtId: '61', asOf: '2026-05-06' })
    const host = new URL(h.upstream.baseUrl).host
    expect(hosts).toEqual([host, host])
    expect(responses).toHaveLength(2)
    expect(responses[1]).toMatchObject({ status: 200, bytes: Buffer.byteLength(body) })
    expect(responses[1]?.durationMs).toBeGreaterThanOrEqual(0)
  })

  it("hands schedule the caller's lane with every request", async () => {
    const lanes: unknown[] = []
    const schedule: Schedule = (_host, task, { signal, ...lane }) => {
      lanes.push(lane)
      return task(signal)
    }
    const body = clubBody(footerLine('2026-04', '2026-05-06'))
    const h = await start((_r, res) => res.end(body), { options: { schedule } })
    const lane = { lane: 'job-7', minGapMs: 250 }
    await h.client.fetchReport({
      report: 'clubperformance',
      districtId: '61',
      asOf: '2026-05-06',
      lane,
    })
    await h.client.fetchLatest({
      report: 'districtsummary',
      lane: { lane: 'refresh', priority: true },
    })
    expect(lanes).toEqual([lane, lane, { lane: 'refresh', priority: true }])
  })

  it('cancels a request the scheduler aborts', async () => {
    const schedule: Schedule = (_host, task) => {
      const controller = new AbortController()
      controller.abort()
      return task(controller.signal)
    }
    const h = await start(() => undefined, { options: { schedule } })
    await expect(h.client.getLiveStatus()).rejects.toMatchObject({ code: 'CANCELLED' })
  })
})
