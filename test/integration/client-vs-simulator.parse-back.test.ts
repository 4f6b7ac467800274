/**
 * Parse-back: the client's typed rows of all four reports equal the values the simulator
 * generated (`truth.clubs`, `truth.summaryRow`), field by field, for every club and district.
 */
import { describe, expect, it } from 'vitest'
import type { IsoDate } from '../../src/shared/iso-date.ts'
import type {
  ClubPerformanceRow,
  DistrictPerformanceRow,
  DistrictSummaryRow,
  DivisionPerformanceRow,
  ReportResult,
} from '../../src/server/upstream/index.ts'
import type { ClubValues } from '../../src/sim/index.ts'
import { DISTRICTS, fetchAllFour, useRig } from './harness.ts'
import { expectedAreaCells, expectedDivisionCells, summaryFieldsOf } from './parse-back-expect.ts'

const rig = useRig()

const codeOrNull = (letter: string): string | null => (letter === '' ? null : letter)

/** The columns that place a club, common to the three per-club reports. */
function expectedClubKey(c: ClubValues) {
  return {
    district: c.districtId,
    division: c.division,
    area: c.area,
    clubNumber: c.clubNumber,
    clubName: c.clubName,
  }
}

function expectedClubRow(c: ClubValues): Partial<ClubPerformanceRow> {
  return {
    ...expectedClubKey(c),
    clubStatus: c.status,
    csp: c.csp,
    membershipBase: c.memBase,
    activeMembers: c.activeMembers,
    netGrowth: c.netGrowth,
    goalsMet: c.goalsMet,
    level1s: c.level1s,
    level2s: c.level2s,
    addLevel2s: c.addLevel2s,
    level3s: c.level3s,
    level4s: c.level4s,
    addLevel4s: c.addLevel4s,
    newMembers: c.newMembers,
    addNewMembers: c.addNewMembers,
    officersTrainedRound1: c.offTrainedRound1,
    officersTrainedRound2: c.offTrainedRound2,
    duesOnTimeOct: c.duesOnTimeOct,
    duesOnTimeApr: c.duesOnTimeApr,
    officerListOnTime: c.offListOnTime,
    distinguishedStatus: codeOrNull(c.distinguishedStatus),
    extra: {},
    invalidCells: [],
  }
}

function expectedCharterSuspend(cell: string) {
  const m = /^\s*(Charter|Susp) (\d{2})\/(\d{2})\/(\d{2})$/.exec(cell)
  const date = m ? `20${m[4]}-${m[2]}-${m[3]}` : null
  return {
    text: cell,
    charterDate: m?.[1] === 'Charter' ? date : null,
    suspendDate: m?.[1] === 'Susp' ? date : null,
  }
}

function expectedDistrictPerformanceRow(c: ClubValues): Partial<DistrictPerformanceRow> {
  const p = c.payments
  return {
    ...expectedClubKey(c),
    newPayments: p.newMembers,
    lateRenewals: p.lateRenewals,
    octoberRenewals: p.octRenewals,
    aprilRenewals: p.aprRenewals,
    totalRenewals: p.totalRenewals,
    charterPayments: p.charter,
    totalToDate: p.totalToDate,
    distinguishedStatus: codeOrNull(c.distinguishedStatus),
    charterSuspend: expectedCharterSuspend(c.charterSuspendDate),
    extra: {},
    invalidCells: [],
  }
}

function expectedDivisionRow(c: ClubValues, clubs: ClubValues[]): Partial<DivisionPerformanceRow> {
  return {
    ...expectedClubKey(c),
    octoberRenewals: c.duesOnTimeOct,
    aprilRenewals: c.duesOnTimeApr,
    novVisitAward: c.novVisitAward,
    mayVisitAward: c.mayVisitAward,
    membershipToDate: c.activeMembers,
    clubGoalsMet: c.goalsMet,
    distinguishedClub: codeOrNull(c.distinguishedStatus),
    ...expectedAreaCells(clubs.filter((o) => o.division === c.division && o.area === c.area)),
    ...expectedDivisionCells(clubs.filter((o) => o.division === c.division)),
    charterSuspend: expectedCharterSuspend(c.charterSuspendDate),
    extra: {},
    invalidCells: [],
  }
}

function rowsOf<T>(result: ReportResult | undefined): T[] {
  if (result?.kind !== 'data') throw new Error(`expected data, got ${result?.kind}`)
  return result.parsed.rows as T[]
}

/** (district, as-of) pairs across the live year and both archived years, closing days included. */
const CASES: [string, IsoDate][] = [
  ['61', '2026-11-20'],
  ['21', '2026-03-18'],
  ['U', '2025-02-03'],
  ['02', '2024-10-01'],
  ['F', '2026-07-27'],
]

describe('client vs simulator: typed rows equal the generated values', () => {
  it.each(CASES)('district %s on %s: club, division and district reports', async (id, asOf) => {
    const [, club, division, district] = await fetchAllFour(rig().client, asOf, id)
    const dataMonth = club?.kind === 'data' ? club.dataMonth : undefined
    const clubs = rig().sim.truth.clubs(id, asOf, dataMonth) ?? []
    expect(clubs.length).toBeGreaterThan(0)
    const numbers = clubs.map((c) => c.clubNumber)
    const clubRows = rowsOf<ClubPerformanceRow>(club)
    const divisionRows = rowsOf<DivisionPerformanceRow>(division)
    const districtRows = rowsOf<DistrictPerformanceRow>(district)
    for (const rows of [clubRows, divisionRows, districtRows])
      expect(rows.map((r) => r.clubNumber)).toEqual(numbers)
    clubs.forEach((c, i) => {
      expect(clubRows[i]).toMatchObject(expectedClubRow(c))
      expect(divisionRows[i]).toMatchObject(expectedDivisionRow(c, clubs))
      expect(districtRows[i]).toMatchObject(expectedDistrictPerformanceRow(c))
    })
  })

  it.each(CASES)('summary rows with district %s on %s', async (id, asOf) => {
    const [summary, , , district] = await fetchAllFour(rig().client, asOf, id)
    const dataMonth = summary?.kind === 'data' ? summary.dataMonth : undefined
    const rows = rowsOf<DistrictSummaryRow>(summary)
    expect(rows.map((r) => r.district).sort()).toEqual([...DISTRICTS].sort())
    for (const row of rows) {
      const truthRow = rig().sim.truth.summaryRow(asOf, row.district, dataMonth)
      expect(truthRow).not.toBeNull()
      expect(row).toMatchObject({ ...summaryFieldsOf(truthRow ?? {}), extra: {}, invalidCells: [] })
    }
    // docs/upstream.md#districtperformance: per district, the clubs' Total to Date adds up to the summary's YTD payments.
    const payments = rowsOf<DistrictPerformanceRow>(district)
    const own = rows.find((r) => r.district === id)
    const sum = (pick: (r: DistrictPerformanceRow) => number | null) =>
      payments.reduce((total, r) => total + (pick(r) ?? 0), 0)
    expect(own?.totalYtdPayments).toBe(sum((r) => r.totalToDate))
    expect(own?.newPayments).toBe(sum((r) => r.newPayments))
    expect(own?.charterPayments).toBe(sum((r) => r.charterPayments))
  })
})
