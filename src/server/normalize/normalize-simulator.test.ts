/**
 * The normalizer over the simulator's four reports: district totals equal the sums of the
 * values the simulator generated (it and the normalizer were written independently).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../sim/index.ts'
import { createDashboardClient, type DashboardClient, type ReportData } from '../upstream/index.ts'
import type { ReportKind } from '../../shared/snapshot-types.ts'
import { normalizeFullDistrict } from './normalize-district.ts'

let sim: Simulator
let client: DashboardClient
beforeAll(async () => {
  sim = await startSimulator({ seed: 99, today: '2026-11-29' })
  client = createDashboardClient({ baseUrl: sim.url })
})
afterAll(async () => {
  await sim.close()
})

async function data<R extends ReportKind>(
  report: R,
  districtId: string | null,
  asOf: string,
): Promise<ReportData<R>> {
  const r = await client.fetchReport({ report, districtId, asOf })
  if (r.kind !== 'data') throw new Error(`${report} ${districtId} ${asOf}: ${r.reason}`)
  return r
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

describe('normalizing simulated reports', () => {
  it.each([
    ['61', '2025-03-18'],
    ['21', '2026-10-03'],
    ['F', '2026-11-28'],
  ])(
    'district %s on %s: totals match the generated truth and nothing is flagged',
    async (id, asOf) => {
      const [summary, club, division, district] = await Promise.all([
        data('districtsummary', null, asOf),
        data('clubperformance', id, asOf),
        data('divisionperformance', id, asOf),
        data('districtperformance', id, asOf),
      ])
      const { statistics, warnings } = normalizeFullDistrict(
        id,
        { club: club.parsed, division: division.parsed, district: district.parsed },
        summary.parsed,
      )
      const truth = sim.truth.clubs(id, asOf) ?? []
      expect(truth.length).toBeGreaterThan(0)
      expect(warnings).toEqual([])
      const t = statistics.totals
      expect(t?.clubCount).toBe(truth.length)
      expect(t?.membership).toEqual({
        base: sum(truth.map((c) => c.memBase)),
        active: sum(truth.map((c) => c.activeMembers)),
        netGrowth: sum(truth.map((c) => c.activeMembers - c.memBase)),
      })
      expect(t?.payments.totalToDate).toBe(sum(truth.map((c) => c.payments.totalToDate)))
      expect(t?.payments.new).toBe(sum(truth.map((c) => c.payments.newMembers)))
      expect(t?.dcp.goalsMet).toBe(sum(truth.map((c) => c.goalsMet)))
      expect(t?.distinguishedTotal).toBe(truth.filter((c) => c.distinguishedStatus !== '').length)
      expect(t?.awards.level1s).toBe(sum(truth.map((c) => c.level1s)))
      for (const status of ['Active', 'Low', 'Ineligible', 'Suspended']) {
        expect(t?.clubsByStatus[status] ?? 0, status).toBe(
          truth.filter((c) => c.status === status).length,
        )
      }
      expect(statistics.summary?.payments.totalYtd).toBe(t?.payments.totalToDate)
      const divisions = new Set(truth.map((c) => c.division))
      expect(statistics.divisions?.map((d) => d.division).sort()).toEqual([...divisions].sort())
      expect(sum(statistics.divisions?.map((d) => d.clubCount) ?? [])).toBe(truth.length)
    },
  )
})
