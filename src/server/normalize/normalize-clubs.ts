import type {
  ClubReportCells,
  ClubStats,
  PlacementSource,
} from '../../shared/district-statistics.ts'
import type {
  ParsedReport,
  ClubPerformanceRow,
  DistrictPerformanceRow,
  DivisionPerformanceRow,
} from '../upstream/index.ts'
import { untypedCells } from './untyped-cells.ts'

const CHARTER_SUSPEND_COLUMN = 'Charter Date/Suspend Date'

export interface ClubJoin {
  clubs: ClubStats[]
  warnings: string[]
}

/**
 * Joins the three per-district reports on the club number. A club missing from one report is
 * kept (with that report's part null) and reported as a warning, never dropped.
 */
export function joinClubs(
  club: ParsedReport<'clubperformance'>,
  division: ParsedReport<'divisionperformance'>,
  district: ParsedReport<'districtperformance'>,
): ClubJoin {
  const warnings: string[] = []
  const byNumber = new Map<string, ClubStats>()
  for (const row of club.rows) {
    if (byNumber.has(row.clubNumber))
      warnings.push(`club ${row.clubNumber} appears twice in clubperformance`)
    const c = fromClubRow(club.header, row)
    c.reportCells = { club: cellsOf(row, row.distinguishedStatus), division: null, district: null }
    byNumber.set(row.clubNumber, c)
  }
  for (const row of division.rows) {
    const c =
      byNumber.get(row.clubNumber) ?? addMissing(byNumber, row, 'divisionperformance', warnings)
    c.divisionReport = {
      octoberRenewals: row.octoberRenewals,
      aprilRenewals: row.aprilRenewals,
      novVisit: row.novVisitAward,
      mayVisit: row.mayVisitAward,
      membershipToDate: row.membershipToDate,
      clubGoalsMet: row.clubGoalsMet,
      distinguishedClub: row.distinguishedClub,
    }
    reportCellsOf(c).division = cellsOf(row, row.distinguishedClub)
    c.extra.division = untypedCells(division.header, row)
    applyCharterSuspend(c, row, c.extra.division)
  }
  for (const row of district.rows) {
    const c =
      byNumber.get(row.clubNumber) ?? addMissing(byNumber, row, 'districtperformance', warnings)
    c.payments = {
      new: row.newPayments,
      lateRenewals: row.lateRenewals,
      octRenewals: row.octoberRenewals,
      aprRenewals: row.aprilRenewals,
      totalRenewals: row.totalRenewals,
      charter: row.charterPayments,
      totalToDate: row.totalToDate,
    }
    reportCellsOf(c).district = cellsOf(row, row.distinguishedStatus)
    c.extra.district = untypedCells(district.header, row)
    applyCharterSuspend(c, row, c.extra.district)
  }
  for (const c of byNumber.values()) {
    warnings.push(...place(c), ...compareRepeatedCells(c))
    if (c.divisionReport === null)
      warnings.push(`club ${c.clubNumber} is missing from divisionperformance`)
    if (c.payments === null)
      warnings.push(`club ${c.clubNumber} is missing from districtperformance`)
  }
  return { clubs: [...byNumber.values()], warnings }
}

type RepeatedRow = ClubPerformanceRow | DivisionPerformanceRow | DistrictPerformanceRow

function cellsOf(row: RepeatedRow, distinguishedStatus: string | null): ClubReportCells {
  return {
    district: row.district,
    division: row.division,
    area: row.area,
    clubName: row.clubName,
    distinguishedStatus,
  }
}

function reportCellsOf(c: ClubStats): NonNullable<ClubStats['reportCells']> {
  c.reportCells ??= { club: null, division: null, district: null }
  return c.reportCells
}

/** Placement order: the division report's rows carry the area and division aggregates. */
const PLACEMENT_ORDER: [PlacementSource, keyof NonNullable<ClubStats['reportCells']>][] = [
  ['divisionperformance', 'division'],
  ['clubperformance', 'club'],
  ['districtperformance', 'district'],
]

const where = (cells: ClubReportCells) =>
  `division ${JSON.stringify(cells.division ?? '')} area ${JSON.stringify(cells.area ?? '')}`

/**
 * Division and area come from one report (docs/upstream.md#which-report-places-a-club): the
 * division report when the club is in it, else the club report, else the district report. One
 * warning per club names every report that places it elsewhere, with both values.
 */
function place(c: ClubStats): string[] {
  const cells = reportCellsOf(c)
  const found = PLACEMENT_ORDER.find(([, key]) => cells[key] !== null)
  if (!found) return []
  const [source, key] = found
  const chosen = cells[key] as ClubReportCells
  c.placementSource = source
  c.division = chosen.division ?? ''
  c.area = chosen.area ?? ''
  const others = PLACEMENT_ORDER.filter(([, k]) => k !== key).flatMap(([name, k]) => {
    const other = cells[k]
    if (other === null || (other.division === chosen.division && other.area === chosen.area))
      return []
    return [`${name} says ${where(other)}`]
  })
  if (others.length === 0) return []
  return [`club ${c.clubNumber}: placed in ${where(chosen)} by ${source}; ${others.join('; ')}`]
}

/** Club Name and the distinguished letter of the division and district reports vs the club report. */
function compareRepeatedCells(c: ClubStats): string[] {
  const cells = reportCellsOf(c)
  const own = cells.club
  if (own === null) return []
  const out: string[] = []
  const compare = (
    report: string,
    other: ClubReportCells | null,
    field: keyof ClubReportCells,
    column: string,
    ownColumn: string,
  ) => {
    if (other === null || other[field] === own[field]) return
    out.push(
      `club ${c.clubNumber}: ${report} ${column} ${JSON.stringify(other[field] ?? '')} != clubperformance ${ownColumn} ${JSON.stringify(own[field] ?? '')}`,
    )
  }
  compare('divisionperformance', cells.division, 'clubName', 'Club Name', 'Club Name')
  compare('districtperformance', cells.district, 'clubName', 'Club Name', 'Club Name')
  compare(
    'divisionperformance',
    cells.division,
    'distinguishedStatus',
    'Distinguished Club',
    'Club Distinguished Status',
  )
  compare(
    'districtperformance',
    cells.district,
    'distinguishedStatus',
    'Distinguished Status',
    'Club Distinguished Status',
  )
  return out
}

function emptyClub(
  clubNumber: string,
  name: string | null,
  division: string | null,
  area: string | null,
): ClubStats {
  return {
    clubNumber,
    clubName: name ?? '',
    division: division ?? '',
    area: area ?? '',
    status: null,
    csp: null,
    membershipBase: null,
    activeMembers: null,
    netGrowth: null,
    goalsMet: null,
    awards: {
      level1s: null,
      level2s: null,
      addLevel2s: null,
      level3s: null,
      level4s: null,
      addLevel4s: null,
    },
    newMembers: null,
    addNewMembers: null,
    officersTrainedRound1: null,
    officersTrainedRound2: null,
    duesOnTimeOct: null,
    duesOnTimeApr: null,
    officerListOnTime: null,
    distinguishedStatus: null,
    payments: null,
    divisionReport: null,
    charterDate: null,
    suspendDate: null,
    charterSuspendText: null,
    placementSource: 'clubperformance',
    reportCells: { club: null, division: null, district: null },
    extra: { club: {}, division: {}, district: {} },
  }
}

function fromClubRow(header: readonly string[], r: ClubPerformanceRow): ClubStats {
  return {
    ...emptyClub(r.clubNumber, r.clubName, r.division, r.area),
    status: r.clubStatus,
    csp: r.csp,
    membershipBase: r.membershipBase,
    activeMembers: r.activeMembers,
    netGrowth: r.netGrowth,
    goalsMet: r.goalsMet,
    awards: {
      level1s: r.level1s,
      level2s: r.level2s,
      addLevel2s: r.addLevel2s,
      level3s: r.level3s,
      level4s: r.level4s,
      addLevel4s: r.addLevel4s,
    },
    newMembers: r.newMembers,
    addNewMembers: r.addNewMembers,
    officersTrainedRound1: r.officersTrainedRound1,
    officersTrainedRound2: r.officersTrainedRound2,
    duesOnTimeOct: r.duesOnTimeOct,
    duesOnTimeApr: r.duesOnTimeApr,
    officerListOnTime: r.officerListOnTime,
    distinguishedStatus: r.distinguishedStatus,
    extra: { club: untypedCells(header, r), division: {}, district: {} },
  }
}

function addMissing(
  byNumber: Map<string, ClubStats>,
  row: DivisionPerformanceRow | DistrictPerformanceRow,
  report: string,
  warnings: string[],
): ClubStats {
  warnings.push(`club ${row.clubNumber} of ${report} is missing from clubperformance`)
  const c = emptyClub(row.clubNumber, row.clubName, row.division, row.area)
  byNumber.set(row.clubNumber, c)
  return c
}

/** Both reports carry the cell; a second, different text is kept in that report's extra. */
function applyCharterSuspend(
  c: ClubStats,
  row: DivisionPerformanceRow | DistrictPerformanceRow,
  extra: Record<string, string>,
): void {
  const cs = row.charterSuspend
  if (!cs || cs.text.trim() === '') return
  if (c.charterSuspendText !== null && c.charterSuspendText !== cs.text) {
    extra[CHARTER_SUSPEND_COLUMN] = cs.text
    return
  }
  c.charterSuspendText = cs.text
  c.charterDate ??= cs.charterDate
  c.suspendDate ??= cs.suspendDate
}
