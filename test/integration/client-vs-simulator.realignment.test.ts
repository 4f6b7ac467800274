/**
 * The 2026 realignment in the simulator, seen from the client over loopback: ids retired and
 * new at the 2026-27 boundary, clubs moving, and the live year's answer for a date a district
 * did not exist on (current data, HTTP 200), which the client's as-of check refuses.
 */
import { describe, expect, it } from 'vitest'
import { parseFooter } from '../../src/server/upstream/index.ts'
import { upstreamFailure, useRig } from './harness.ts'

// The default district set, with its realignment history.
const rig = useRig({ districts: undefined })

const token = (report: string, pyPath: string) =>
  `${rig().sim.url}${pyPath}/export.aspx?type=CSV&report=${encodeURIComponent(report)}`

function districtColumn(body: string): string[] {
  const lines = body.trim().split(/\r?\n/).slice(1, -1)
  return lines.map((l) => (l.split('","')[1] ?? '').replace(/"/g, ''))
}

describe('the simulated 2026 realignment', () => {
  it('retires 13 and 106 and lists new three-digit ids without 204 from 2026-27', async () => {
    const before = await (
      await fetch(token('districtsummary~6/30/2026~6/25/2026~2025-2026', '/2025-2026'))
    ).text()
    const after = await (await fetch(token('districtsummary~~~', ''))).text()
    const old = districtColumn(before)
    const now = districtColumn(after)
    expect(old).toEqual(expect.arrayContaining(['13', '106', '61']))
    expect(old.filter((id) => Number(id) >= 200)).toEqual([])
    expect(now.filter((id) => Number(id) >= 200).sort()).toEqual(['201', '202', '203', '205'])
    expect(now).not.toContain('13')
    expect(now).not.toContain('106')
  })

  it("moves the retired district's clubs to its successors", () => {
    const { truth } = rig().sim
    const before = new Set(
      (truth.clubs('13', '2026-06-25', '2026-06') ?? []).map((c) => c.clubNumber),
    )
    expect(before.size).toBeGreaterThan(0)
    for (const id of ['201', '202']) {
      const clubs = (truth.clubs(id, '2026-11-28', '2026-11') ?? []).map((c) => c.clubNumber)
      const moved = clubs.filter((n) => before.has(n))
      expect(moved.length, `clubs of 13 now in ${id}`).toBeGreaterThan(0)
    }
    expect(truth.clubs('201', '2026-06-25', '2026-06')).toBeNull()
  })

  it('answers a new district on a date before it existed with current data and a 200; the client refuses it by its as-of', async () => {
    const url = token('clubperformance~201~6/30/2026~6/25/2026~2025-2026', '/2025-2026')
    const raw = await fetch(url)
    expect(raw.status).toBe(200)
    const body = await raw.text()
    const footer = parseFooter(body.trim().split(/\r?\n/).at(-1) ?? '')
    expect(footer?.asOf).toBe(rig().sim.truth.latestAsOf())
    expect(districtColumn(body).length).toBeGreaterThan(0)
    const error = await upstreamFailure(
      rig().client.fetchReport({
        report: 'clubperformance',
        districtId: '201',
        asOf: '2026-06-25',
      }),
    )
    expect(error.code).toBe('UPSTREAM_WRONG_AS_OF')
    expect(error.message).toContain('2026-06-25')
  })
})
