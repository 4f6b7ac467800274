import { describe, expect, it } from 'vitest'
import type { SimulatorOptions } from './options.ts'
import { exportPath, get, parseCsvBody, startTestSimulator } from './test-support.ts'

/** The intraday rollover (docs/upstream.md#lessons-of-2026), on a closing date that is the latest as-of. */
const HOUR = 3_600_000
const closingDates = { '2026-02': '2026-03-05', '2025-02': '2025-03-05' }

async function rolloverSim(extra: SimulatorOptions = {}) {
  let clock = Date.parse('2026-03-06T09:00:00Z')
  const sim = await startTestSimulator({
    today: '2026-03-06',
    districts: ['61', 'F'],
    closingDates,
    rolloverAt: '12:00',
    now: () => clock,
    ...extra,
  })
  return { sim, at: (iso: string) => (clock = Date.parse(iso)) }
}

async function footerOf(sim: Awaited<ReturnType<typeof rolloverSim>>['sim'], path: string) {
  const parsed = parseCsvBody((await get(sim, path)).body)
  return { footer: parsed.footer, rows: parsed.rows.length }
}

async function control(url: string, body: unknown) {
  const r = await fetch(`${url}/__sim/rollover`, {
    method: 'PUT',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
  return { status: r.status, json: (await r.json()) as Record<string, unknown> }
}

describe('simulator: intraday rollover (rolloverAt)', () => {
  it('serves the closing month at the latest as-of before the switch and the new month after', async () => {
    const { sim, at } = await rolloverSim()
    const live = exportPath('districtsummary', '~~')
    expect((await footerOf(sim, live)).footer).toBe('Month of Feb, As of 03/05/2026')
    // The root answers an as-of with the month it shows for it, whatever month was asked.
    const march = exportPath('districtsummary', '3/31/2026~3/5/2026~2025-2026')
    expect((await footerOf(sim, march)).footer).toBe('Month of Feb, As of 03/05/2026')
    at('2026-03-06T11:59:00Z')
    expect((await footerOf(sim, live)).footer).toBe('Month of Feb, As of 03/05/2026')
    at('2026-03-06T12:00:00Z')
    expect((await footerOf(sim, live)).footer).toBe('Month of Mar, As of 03/05/2026')
    expect(await footerOf(sim, march)).toMatchObject({
      footer: 'Month of Mar, As of 03/05/2026',
    })
    expect((await footerOf(sim, march)).rows).toBeGreaterThan(0)
    at(new Date(Date.parse('2026-03-06T12:00:00Z') + 5 * HOUR).toISOString())
    expect((await footerOf(sim, live)).footer).toBe('Month of Mar, As of 03/05/2026')
  })

  it('keeps both months of a past closing date on the archive path', async () => {
    const { sim } = await rolloverSim()
    const feb = await footerOf(
      sim,
      exportPath('districtsummary', '2/28/2025~3/5/2025~2024-2025', '2024-2025'),
    )
    const mar = await footerOf(
      sim,
      exportPath('districtsummary', '3/31/2025~3/5/2025~2024-2025', '2024-2025'),
    )
    expect(feb.footer).toBe('Month of Feb, As of 03/05/2025')
    expect(mar.footer).toBe('Month of Mar, As of 03/05/2025')
    expect(feb.rows).toBeGreaterThan(0)
    expect(mar.rows).toBeGreaterThan(0)
    // Without a rollover the new month's list begins the day after the close.
    const plain = await startTestSimulator({
      today: '2026-03-06',
      districts: ['61', 'F'],
      closingDates,
    })
    const none = parseCsvBody(
      (await get(plain, exportPath('districtsummary', '3/31/2025~3/5/2025~2024-2025', '2024-2025')))
        .body,
    )
    expect(none.rows).toHaveLength(0)
  })

  it('switches now, and back, through PUT /__sim/rollover; 400 on a bad body or without rolloverAt', async () => {
    const { sim } = await rolloverSim()
    const live = exportPath('districtsummary', '~~')
    const forced = await control(sim.url, { rolledOver: true })
    expect(forced.status).toBe(200)
    expect(forced.json.rollover).toEqual({ at: '12:00', forced: true, rolledOver: true })
    expect((await footerOf(sim, live)).footer).toBe('Month of Mar, As of 03/05/2026')
    await control(sim.url, { rolledOver: null })
    expect((await footerOf(sim, live)).footer).toBe('Month of Feb, As of 03/05/2026')
    expect((await control(sim.url, { rolledOver: 'yes' })).status).toBe(400)
    expect((await control(sim.url, 'not json')).status).toBe(400)
    const plain = await startTestSimulator({ today: '2026-03-06', closingDates })
    const refused = await control(plain.url, { rolledOver: true })
    expect(refused.status).toBe(400)
    expect(refused.json.error).toMatchObject({ code: 'NO_ROLLOVER' })
  })

  it('refuses a rolloverAt that is not HH:MM', async () => {
    await expect(startTestSimulator({ rolloverAt: '25:00' })).rejects.toThrow(/rolloverAt/)
  })
})
