import { describe, expect, it } from 'vitest'
import type { FaultRuleInput } from './fault-rules.ts'
import { exportPath, get, parseCsvBody, parseFooter, startTestSimulator } from './test-support.ts'

const TODAY = '2026-09-23'
const CLUB_61 = exportPath('clubperformance', '61~9/30/2026~9/10/2026~2026-2027')
const CLUB_21 = exportPath('clubperformance', '21~9/30/2026~9/10/2026~2026-2027')

async function statuses(
  sim: Awaited<ReturnType<typeof startTestSimulator>>,
  n: number,
): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await get(sim, CLUB_61)).status)
  return out
}

describe('fault injection', () => {
  it('delays answers by a fixed latency', async () => {
    const sim = await startTestSimulator({ today: TODAY, faults: [{ kind: 'latency', ms: 150 }] })
    const started = performance.now()
    const r = await get(sim, CLUB_61)
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    expect(r.status).toBe(200)
    expect(sim.requestLog()[0]?.fault).toBe('latency')
  })

  it('delays answers by a latency drawn from a range', async () => {
    const sim = await startTestSimulator({
      today: TODAY,
      faults: [{ kind: 'latency', minMs: 60, maxMs: 90 }],
    })
    const started = performance.now()
    await get(sim, CLUB_61)
    expect(performance.now() - started).toBeGreaterThanOrEqual(55)
  })

  it('answers a 5xx burst for exactly N requests', async () => {
    const sim = await startTestSimulator({
      today: TODAY,
      faults: [{ kind: 'server-error', status: 503, count: 2 }],
    })
    expect(await statuses(sim, 3)).toEqual([503, 503, 200])
    expect(sim.faults()[0]?.remaining).toBe(0)
  })

  it('fails only the first attempts of each URL with firstAttempts', async () => {
    const sim = await startTestSimulator({
      today: TODAY,
      faults: [{ kind: 'server-error', status: 503, firstAttempts: 1 }],
    })
    expect(await statuses(sim, 3)).toEqual([503, 200, 200])
    expect((await get(sim, CLUB_21)).status).toBe(503)
    expect((await get(sim, CLUB_21)).status).toBe(200)
    expect(sim.faults()[0]).toMatchObject({ applied: 2, remaining: null })
  })

  it('answers 429 with Retry-After to the first two attempts of each URL', async () => {
    const sim = await startTestSimulator({
      today: TODAY,
      faults: [
        {
          kind: 'rate-limit',
          retryAfterSeconds: 1,
          firstAttempts: 2,
          match: { report: 'clubperformance' },
        },
      ],
    })
    const club = [await get(sim, CLUB_61), await get(sim, CLUB_61), await get(sim, CLUB_61)]
    expect(club.map((r) => r.status)).toEqual([429, 429, 200])
    expect(club[0]?.headers.get('retry-after')).toBe('1')
    const division = exportPath('divisionperformance', '61~9/30/2026~9/10/2026~2026-2027')
    expect((await get(sim, division)).status).toBe(200)
  })

  it('applies probabilistic faults reproducibly from the seed', async () => {
    const rule: FaultRuleInput = { kind: 'server-error', probability: 0.5, id: 'flaky' }
    const a = await startTestSimulator({ today: TODAY, seed: 7, faults: [rule] })
    const b = await startTestSimulator({ today: TODAY, seed: 7, faults: [rule] })
    const first = await statuses(a, 16)
    expect(await statuses(b, 16)).toEqual(first)
    expect(first).toContain(500)
    expect(first).toContain(200)
  })

  it('answers 429 with Retry-After', async () => {
    const sim = await startTestSimulator({
      today: TODAY,
      faults: [{ kind: 'rate-limit', retryAfterSeconds: 7 }],
    })
    const r = await get(sim, CLUB_61)
    expect(r.status).toBe(429)
    expect(r.headers.get('retry-after')).toBe('7')
  })

  it('serves the HTML error page with status 200, directly or after a redirect', async () => {
    const sim = await startTestSimulator({
      today: TODAY,
      faults: [{ kind: 'html-error', count: 1 }],
    })
    const direct = await get(sim, CLUB_61)
    expect(direct.status).toBe(200)
    expect(direct.body.trimStart().startsWith('<')).toBe(true)
    expect(direct.body).toContain('An error has occured please report this')
    sim.setFaults([{ kind: 'html-error', redirect: true }])
    const followed = await fetch(sim.url + CLUB_61)
    expect(followed.status).toBe(200)
    expect(followed.redirected).toBe(true)
    expect(await followed.text()).toContain('Toastmasters International')
  })

  it('truncates the body in the middle of a data row', async () => {
    const sim = await startTestSimulator({ today: TODAY })
    const full = (await get(sim, CLUB_61)).body
    sim.setFaults([{ kind: 'truncate' }])
    const cut = await get(sim, CLUB_61)
    expect(cut.status).toBe(200)
    expect(full.startsWith(cut.body)).toBe(true)
    expect(cut.body.length).toBeLessThan(full.length)
    expect(cut.body.endsWith('\r\n')).toBe(false)
    expect(cut.body).not.toContain('Month of')
    expect(cut.body.split('\r\n').at(-1)).toMatch(/^"61","/)
  })

  it('can truncate by dropping the connection mid-body', async () => {
    const sim = await startTestSimulator({
      today: TODAY,
      faults: [{ kind: 'truncate', mode: 'abort' }],
    })
    await expect(get(sim, CLUB_61)).rejects.toThrow()
  })

  it('resets the connection', async () => {
    const sim = await startTestSimulator({ today: TODAY, faults: [{ kind: 'reset', count: 1 }] })
    await expect(get(sim, CLUB_61)).rejects.toThrow()
    expect((await get(sim, CLUB_61)).status).toBe(200)
    expect(sim.requestLog()[0]).toMatchObject({ status: 0, fault: 'reset' })
  })

  it('shifts the footer as-of while keeping the rows', async () => {
    const sim = await startTestSimulator({ today: TODAY })
    const normal = parseCsvBody((await get(sim, CLUB_61)).body)
    sim.addFault({ kind: 'wrong-as-of', shiftDays: -2 })
    const wrong = parseCsvBody((await get(sim, CLUB_61)).body)
    expect(parseFooter(wrong.footer)?.asOf).toBe('2026-09-08')
    expect(wrong.rows).toEqual(normal.rows)
  })

  it('returns the same stale body for different dates', async () => {
    const sim = await startTestSimulator({
      today: TODAY,
      faults: [{ kind: 'stale', asOf: '2026-09-01' }],
    })
    const a = await get(sim, CLUB_61)
    const b = await get(sim, exportPath('clubperformance', '61~9/30/2026~9/15/2026~2026-2027'))
    expect(a.body).toBe(b.body)
    expect(a.body).toBe(sim.truth.renderReport('clubperformance', '61', '2026-09-01'))
  })

  it('fails everything during an outage until cleared', async () => {
    const sim = await startTestSimulator({ today: TODAY, faults: [{ kind: 'outage' }] })
    expect((await get(sim, CLUB_61)).status).toBe(503)
    expect((await get(sim, '/error.aspx')).status).toBe(503)
    sim.clearFaults()
    expect((await get(sim, CLUB_61)).status).toBe(200)
  })

  it('ends an outage at its deadline on the injected clock', async () => {
    let nowMs = Date.parse('2026-09-23T10:00:00Z')
    const sim = await startTestSimulator({
      today: TODAY,
      now: () => nowMs,
      faults: [{ kind: 'outage', mode: 'reset', until: '2026-09-23T10:05:00Z' }],
    })
    await expect(get(sim, CLUB_61)).rejects.toThrow()
    nowMs = Date.parse('2026-09-23T10:05:00Z')
    expect((await get(sim, CLUB_61)).status).toBe(200)
    expect(sim.faults()).toHaveLength(0)
  })

  it('restates a body under an unchanged as-of', async () => {
    const sim = await startTestSimulator({ today: TODAY })
    const path = exportPath('districtperformance', '61~9/30/2026~9/10/2026~2026-2027')
    const before = (await get(sim, path)).body
    sim.addFault({ kind: 'restatement', shiftDays: 5 })
    const after = (await get(sim, path)).body
    expect(after).not.toBe(before)
    expect(parseCsvBody(after).footer).toBe(parseCsvBody(before).footer)
  })

  it('matches rules on report, district, as-of and path kind', async () => {
    const sim = await startTestSimulator({
      today: TODAY,
      faults: [
        {
          kind: 'server-error',
          match: { report: 'clubperformance', districtId: '61', asOf: '2026-09-10' },
        },
        { kind: 'rate-limit', match: { pathKind: 'archive' } },
      ],
    })
    expect((await get(sim, CLUB_61)).status).toBe(500)
    expect((await get(sim, CLUB_21)).status).toBe(200)
    expect(
      (await get(sim, exportPath('clubperformance', '61~9/30/2026~9/11/2026~2026-2027'))).status,
    ).toBe(200)
    expect(
      (await get(sim, exportPath('districtperformance', '61~9/30/2026~9/10/2026~2026-2027')))
        .status,
    ).toBe(200)
    expect(
      (await get(sim, exportPath('clubperformance', '61~~~2025-2026', '2025-2026'))).status,
    ).toBe(429)
  })

  it('logs every answered request with status, size and fault', async () => {
    const sim = await startTestSimulator({
      today: TODAY,
      faults: [{ kind: 'server-error', count: 1 }],
    })
    await get(sim, CLUB_61)
    const ok = await get(sim, CLUB_61)
    const log = sim.requestLog()
    expect(log).toHaveLength(2)
    expect(log[0]).toMatchObject({
      method: 'GET',
      url: CLUB_61,
      status: 500,
      fault: 'server-error',
    })
    expect(log[1]).toMatchObject({ status: 200, bytes: Buffer.byteLength(ok.body), fault: null })
    sim.clearLog()
    expect(sim.requestLog()).toEqual([])
  })
})
