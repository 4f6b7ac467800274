/**
 * Normalized statistics of one district on one as-of date: the `statistics` of a district
 * file. JSON-safe and versioned. `summary` comes from the all-districts report; `clubs`,
 * `divisions` and `totals` only at detail `full` (club, division and district reports).
 * Every source column survives: known columns are typed, unknown ones sit verbatim in `extra`.
 */
import type { IsoDate } from './iso-date.ts'

/**
 * 1: first shape. 2: adds `ClubStats.reportCells` and `placementSource` (files of version 1 stay
 * readable: every version-1 field keeps its meaning).
 */
export const DISTRICT_STATISTICS_VERSION = 2

export interface PercentCell {
  /** Percent units: -8.29 for `-8.29%`; null for `N/A` or empty. */
  value: number | null
  text: string
}

export interface DistrictSummaryStats {
  region: string | null
  /** Y/N prerequisite columns present that year (DSP, Training, Market Analysis, ...). */
  prerequisites: Record<string, boolean | null>
  payments: {
    new: number | null
    april: number | null
    october: number | null
    late: number | null
    charter: number | null
    totalYtd: number | null
    base: number | null
    growth: PercentCell | null
  }
  clubs: {
    paidBase: number | null
    paid: number | null
    growth: PercentCell | null
    active: number | null
  }
  distinguished: {
    distinguished: number | null
    select: number | null
    presidents: number | null
    /** Absent before 2025-26. */
    smedley: number | null
    total: number | null
    percent: PercentCell | null
  }
  /** Summary columns not mapped above, verbatim. */
  extra: Record<string, string>
}

/**
 * The columns the three per-district reports repeat for a club, as one report printed them
 * (verbatim, null when that report lacks the column). `distinguishedStatus` is the club
 * report's `Club Distinguished Status`, the district report's `Distinguished Status`, the
 * division report's `Distinguished Club`.
 */
export interface ClubReportCells {
  district: string | null
  division: string | null
  area: string | null
  clubName: string | null
  distinguishedStatus: string | null
}

/** Which report a club's `division` and `area` were taken from (docs/upstream.md#divisionperformance). */
export type PlacementSource = 'divisionperformance' | 'clubperformance' | 'districtperformance'

export interface ClubStats {
  clubNumber: string
  /** The club report's `Club Name` (the other reports' spellings are in `reportCells`). */
  clubName: string
  /** Placement: from `placementSource`, the same division and area the club is counted in. */
  division: string
  area: string
  /** Version 2: the report the placement came from (absent in version-1 files). */
  placementSource?: PlacementSource
  /** Version 2: each report's own repeated cells; null for a report the club is missing from. */
  reportCells?: {
    club: ClubReportCells | null
    division: ClubReportCells | null
    district: ClubReportCells | null
  }
  status: string | null
  csp: boolean | null
  membershipBase: number | null
  activeMembers: number | null
  netGrowth: number | null
  goalsMet: number | null
  awards: {
    level1s: number | null
    level2s: number | null
    addLevel2s: number | null
    level3s: number | null
    level4s: number | null
    addLevel4s: number | null
  }
  newMembers: number | null
  addNewMembers: number | null
  officersTrainedRound1: number | null
  officersTrainedRound2: number | null
  duesOnTimeOct: number | null
  duesOnTimeApr: number | null
  officerListOnTime: number | null
  distinguishedStatus: string | null
  /** From the district (payments) report; null when the club is missing there. */
  payments: {
    new: number | null
    lateRenewals: number | null
    octRenewals: number | null
    aprRenewals: number | null
    totalRenewals: number | null
    charter: number | null
    totalToDate: number | null
  } | null
  /** From the division report; null when the club is missing there. */
  divisionReport: {
    octoberRenewals: number | null
    aprilRenewals: number | null
    novVisit: number | null
    mayVisit: number | null
    membershipToDate: number | null
    clubGoalsMet: number | null
    distinguishedClub: string | null
  } | null
  charterDate: IsoDate | null
  suspendDate: IsoDate | null
  /** `Charter Date/Suspend Date` cell verbatim (e.g. ` Susp 03/31/26`, leading space kept). */
  charterSuspendText: string | null
  /** Unknown or untyped columns per report, verbatim. */
  extra: {
    club: Record<string, string>
    division: Record<string, string>
    district: Record<string, string>
  }
}

export interface GoalLadder {
  distinguished: number | null
  select: number | null
  presidents: number | null
}

export interface AreaStats {
  division: string
  area: string
  clubBase: number | null
  paidClubGoals: GoalLadder
  totalPaidClubs: number | null
  distinguishedClubGoals: GoalLadder
  totalDistinguishedClubs: number | null
  recognition: string | null
  clubCount: number
  novVisits: number
  mayVisits: number
}

export interface DivisionStats {
  division: string
  clubBase: number | null
  paidClubGoals: GoalLadder
  totalPaidClubs: number | null
  distinguishedClubGoals: GoalLadder
  totalDistinguishedClubs: number | null
  recognition: string | null
  clubCount: number
  areas: AreaStats[]
}

export interface DistrictTotals {
  clubCount: number
  clubsByStatus: Record<string, number>
  membership: { base: number; active: number; netGrowth: number }
  payments: {
    new: number
    lateRenewals: number
    octRenewals: number
    aprRenewals: number
    totalRenewals: number
    charter: number
    totalToDate: number
  }
  /** Count of clubs per `Club Distinguished Status` letter (D, S, P, M, ... as published). */
  distinguishedByLevel: Record<string, number>
  distinguishedTotal: number
  dcp: { goalsMet: number; clubsByGoalsMet: number[] }
  awards: { [K in keyof ClubStats['awards']]: number } & { total: number }
  newMembers: number
  officersTrained: { round1: number; round2: number }
  charters: number
  suspensions: number
}

export interface DistrictStatistics {
  version: number
  districtId: string
  /** The district's row of the all-districts summary; null when it was not in the summary. */
  summary: DistrictSummaryStats | null
  /** Header rows of the per-district reports as received (full detail only). */
  headers: { club: string[]; division: string[]; district: string[] } | null
  totals: DistrictTotals | null
  divisions: DivisionStats[] | null
  clubs: ClubStats[] | null
}
