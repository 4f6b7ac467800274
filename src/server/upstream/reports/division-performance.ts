/**
 * `divisionperformance` rows: the Division and Area report, one row per club with its area and
 * division aggregates repeated on every row (docs/upstream.md#divisionperformance, 33 columns in 2025-26).
 */
import type { CharterSuspendValue, RowBase, RowReader } from '../row-reader.ts'
import type { DistinguishedCode } from './club-performance.ts'

/** Paid / distinguished club goals of an area or division for the three tiers. */
export interface RecognitionGoals {
  distinguished: number | null
  selectDistinguished: number | null
  presidentsDistinguished: number | null
}

export interface DivisionPerformanceRow extends RowBase {
  district: string | null
  division: string
  area: string | null
  /** `Club` column: 8-digit club number as text. */
  clubNumber: string
  clubName: string | null
  /** 0/1 flags, kept as published numbers. */
  octoberRenewals: number | null
  aprilRenewals: number | null
  novVisitAward: number | null
  /** `May Visit award` (also spelled `May visit award`). */
  mayVisitAward: number | null
  /** The club's active members. */
  membershipToDate: number | null
  clubGoalsMet: number | null
  distinguishedClub: DistinguishedCode | null
  areaClubBase: number | null
  areaPaidClubGoals: RecognitionGoals
  totalPaidAreaClubs: number | null
  areaDistinguishedClubGoals: RecognitionGoals
  totalDistinguishedAreaClubs: number | null
  /** Words such as `Distinguished`, `Select Distinguished`; null when empty. */
  distinguishedArea: string | null
  divisionClubBase: number | null
  divisionPaidClubGoals: RecognitionGoals
  totalPaidDivisionClubs: number | null
  divisionDistinguishedClubGoals: RecognitionGoals
  totalDistinguishedDivisionClubs: number | null
  distinguishedDivision: string | null
  charterSuspend: CharterSuspendValue | null
}

export const DIVISION_PERFORMANCE_KEY_COLUMNS = ['Club', 'Division'] as const

/** `{prefix} for Dist.`, `… for Select Dist.`, `… for Pres. Dist.` */
function goals(r: RowReader, prefix: string): RecognitionGoals {
  return {
    distinguished: r.int(`${prefix} for Dist.`),
    selectDistinguished: r.int(`${prefix} for Select Dist.`),
    presidentsDistinguished: r.int(`${prefix} for Pres. Dist.`),
  }
}

export function toDivisionPerformanceRow(r: RowReader): DivisionPerformanceRow {
  return {
    district: r.text('District'),
    division: r.text('Division') ?? '',
    area: r.text('Area'),
    clubNumber: r.text('Club') ?? '',
    clubName: r.text('Club Name'),
    octoberRenewals: r.int('October Renewals'),
    aprilRenewals: r.int('April Renewals'),
    novVisitAward: r.int('Nov Visit award'),
    mayVisitAward: r.int('May Visit award', 'May visit award'),
    membershipToDate: r.int('Membership to date'),
    clubGoalsMet: r.int('Club Goals Met'),
    distinguishedClub: r.code('Distinguished Club'),
    areaClubBase: r.int('Area Club Base'),
    areaPaidClubGoals: goals(r, 'Area Paid Club Goal'),
    totalPaidAreaClubs: r.int('Total Paid Area Clubs'),
    areaDistinguishedClubGoals: goals(r, 'Area Dist. Club Goal'),
    totalDistinguishedAreaClubs: r.int('Total Dist. Area Clubs'),
    distinguishedArea: r.code('Distinguished Area'),
    divisionClubBase: r.int('Division Club Base'),
    divisionPaidClubGoals: goals(r, 'Division Paid Club Goal'),
    totalPaidDivisionClubs: r.int('Total Paid Division Clubs'),
    divisionDistinguishedClubGoals: goals(r, 'Division Dist. Club Goal'),
    totalDistinguishedDivisionClubs: r.int('Total Dist. Division Clubs'),
    distinguishedDivision: r.code('Distinguished Division'),
    charterSuspend: r.charterSuspend('Charter Date/Suspend Date'),
    ...r.finish(),
  }
}
