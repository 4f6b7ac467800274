/**
 * CSV bodies of the four reports for one snapshot. Every cell is found by its column's name
 * (a reader per column for the club-level reports, a header → value record per district for the
 * summary) and printed in the program year's header order, so a header change never shifts
 * values.
 */
import type { IsoDate, YearMonth } from '../shared/iso-date.ts'
import type { ReportKind } from '../shared/snapshot-types.ts'
import { compareDistrictIds } from '../shared/district-id.ts'
import type { ClubValues } from './club-values.ts'
import type { DistrictSnapshot, DistrictTotals, GroupStats } from './district-snapshot.ts'
import { csvLine, footerLine, formatPercent } from './format.ts'
import { headerFor } from './headers.ts'

type Row = Record<string, string>

/**
 * How each column of a club-level report reads its cell from one row's item. A report is
 * rendered by looking up each header's reader once and calling the readers for every club, so
 * no record of header → value is built per club (thousands of clubs per test run; see
 * docs/performance.md#simulator). A header the readers do not know prints empty.
 */
type Columns<T> = Readonly<Record<string, (item: T) => string>>

const str = (n: number): string => String(n)

const CLUB_COLUMNS: Columns<ClubValues> = {
  District: (c) => c.districtId,
  Division: (c) => c.division,
  Area: (c) => c.area,
  'Club Number': (c) => c.clubNumber,
  'Club Name': (c) => c.clubName,
  'Club Status': (c) => c.status,
  CSP: (c) => (c.csp ? 'Y' : 'N'),
  'Mem. Base': (c) => str(c.memBase),
  'Active Members': (c) => str(c.activeMembers),
  'Net Growth': (c) => str(c.netGrowth),
  'Goals Met': (c) => str(c.goalsMet),
  'Level 1s': (c) => str(c.level1s),
  'Level 2s': (c) => str(c.level2s),
  'Add. Level 2s': (c) => str(c.addLevel2s),
  'Level 2s or EOM': (c) => str(c.level2s),
  'Add. Level 2s or EOM': (c) => str(c.addLevel2s),
  'Level 3s': (c) => str(c.level3s),
  'Level 4s, Level 5s, or DTM award': (c) => str(c.level4s),
  'Add. Level 4s, Level 5s, or DTM award': (c) => str(c.addLevel4s),
  'Level 4s, Path Completions, or DTM Awards': (c) => str(c.level4s),
  'Add. Level 4s, Path Completions, or DTM award': (c) => str(c.addLevel4s),
  'New Members': (c) => str(c.newMembers),
  'Add. New Members': (c) => str(c.addNewMembers),
  'Off. Trained Round 1': (c) => str(c.offTrainedRound1),
  'Off. Trained Round 2': (c) => str(c.offTrainedRound2),
  'Mem. dues on time Oct': (c) => str(c.duesOnTimeOct),
  'Mem. dues on time Apr': (c) => str(c.duesOnTimeApr),
  'Off. List On Time': (c) => str(c.offListOnTime),
  'Club Distinguished Status': (c) => c.distinguishedStatus,
}

/** The identity columns the division and district performance reports start with. */
function identityColumns<T>(club: (item: T) => ClubValues): Columns<T> {
  return {
    District: (r) => club(r).districtId,
    Division: (r) => club(r).division,
    Area: (r) => club(r).area,
    Club: (r) => club(r).clubNumber,
    'Club Name': (r) => club(r).clubName,
  }
}

/** A club of the division performance report with its area's and its division's figures. */
interface DivisionRow {
  club: ClubValues
  area: GroupStats
  division: GroupStats
}

function groupColumns(
  scope: 'Area' | 'Division',
  group: (r: DivisionRow) => GroupStats,
): Columns<DivisionRow> {
  return {
    [`${scope} Club Base`]: (r) => str(group(r).clubBase),
    [`${scope} Paid Club Goal for Dist.`]: (r) => str(group(r).paidGoals[0]),
    [`${scope} Paid Club Goal for Select Dist.`]: (r) => str(group(r).paidGoals[1]),
    [`${scope} Paid Club Goal for Pres. Dist.`]: (r) => str(group(r).paidGoals[2]),
    [`Total Paid ${scope} Clubs`]: (r) => str(group(r).paidClubs),
    [`${scope} Dist. Club Goal for Dist.`]: (r) => str(group(r).distinguishedGoals[0]),
    [`${scope} Dist. Club Goal for Select Dist.`]: (r) => str(group(r).distinguishedGoals[1]),
    [`${scope} Dist. Club Goal for Pres. Dist.`]: (r) => str(group(r).distinguishedGoals[2]),
    [`Total Dist. ${scope} Clubs`]: (r) => str(group(r).distinguishedClubs),
    [`Distinguished ${scope}`]: (r) => group(r).recognition,
  }
}

const DIVISION_COLUMNS: Columns<DivisionRow> = {
  ...identityColumns((r: DivisionRow) => r.club),
  'October Renewals': (r) => str(r.club.duesOnTimeOct),
  'April Renewals': (r) => str(r.club.duesOnTimeApr),
  'Nov Visit award': (r) => str(r.club.novVisitAward),
  'May Visit award': (r) => str(r.club.mayVisitAward),
  'Membership to date': (r) => str(r.club.activeMembers),
  'Club Goals Met': (r) => str(r.club.goalsMet),
  'Distinguished Club': (r) => r.club.distinguishedStatus,
  ...groupColumns('Area', (r) => r.area),
  ...groupColumns('Division', (r) => r.division),
  'Charter Date/Suspend Date': (r) => r.club.charterSuspendDate,
}

const DISTRICT_COLUMNS: Columns<ClubValues> = {
  ...identityColumns((c: ClubValues) => c),
  New: (c) => str(c.payments.newMembers),
  'Late Ren.': (c) => str(c.payments.lateRenewals),
  'Oct. Ren.': (c) => str(c.payments.octRenewals),
  'Apr. Ren.': (c) => str(c.payments.aprRenewals),
  'Total Ren.': (c) => str(c.payments.totalRenewals),
  'Total Chart': (c) => str(c.payments.charter),
  'Total to Date': (c) => str(c.payments.totalToDate),
  'Distinguished Status': (c) => c.distinguishedStatus,
  'Charter Date/Suspend Date': (c) => c.charterSuspendDate,
}

function divisionRows(snapshot: DistrictSnapshot): DivisionRow[] {
  return snapshot.clubs.map((club) => {
    const area = snapshot.areas.get(`${club.division}|${club.area}`)
    const division = snapshot.divisions.get(club.division)
    if (!area || !division) throw new Error(`no aggregates for club ${club.clubNumber}`)
    return { club, area, division }
  })
}

export function summaryRecord(t: DistrictTotals): Row {
  return {
    REGION: t.region,
    DISTRICT: t.districtId,
    ...t.prerequisites,
    'New Payments': str(t.newPayments),
    'April Payments': str(t.aprilPayments),
    'October Payments': str(t.octoberPayments),
    'Late Payments': str(t.latePayments),
    'Charter Payments': str(t.charterPayments),
    'Total YTD Payments': str(t.totalYtdPayments),
    'Payment Base': str(t.paymentBase),
    '% Payment Growth': formatPercent(t.totalYtdPayments - t.paymentBase, t.paymentBase),
    'Paid Club Base': str(t.paidClubBase),
    'Paid Clubs': str(t.paidClubs),
    '% Club Growth': formatPercent(t.paidClubs - t.paidClubBase, t.paidClubBase),
    'Active Clubs': str(t.activeClubs),
    'Distinguished Clubs': str(t.distinguishedClubs),
    'Select Distinguished Clubs': str(t.selectDistinguishedClubs),
    'Presidents Distinguished Clubs': str(t.presidentsDistinguishedClubs),
    'Smedley Distinguished Clubs': str(t.smedleyDistinguishedClubs),
    'Total Distinguished Clubs': str(t.totalDistinguishedClubs),
    '% Distinguished Clubs': formatPercent(t.totalDistinguishedClubs, t.paidClubBase),
  }
}

/** Keeps only the columns of the year's header, in its order. */
export function pickColumns(row: Row, header: readonly string[]): Row {
  return Object.fromEntries(header.map((h) => [h, row[h] ?? '']))
}

function summaryRows(snapshots: readonly DistrictSnapshot[]): Row[] {
  return [...snapshots]
    .map((s) => s.totals)
    .sort((a, b) =>
      a.region !== b.region
        ? a.region < b.region
          ? -1
          : 1
        : compareDistrictIds(a.districtId, b.districtId),
    )
    .map(summaryRecord)
}

function renderTable<T>(
  header: readonly string[],
  items: readonly T[],
  columns: Columns<T>,
  dataMonth: YearMonth,
  footerAsOf: IsoDate,
): string {
  const readers = header.map((h) => (Object.hasOwn(columns, h) ? columns[h]! : () => ''))
  const lines = [csvLine(header)]
  for (const item of items) lines.push(csvLine(readers.map((read) => read(item))))
  lines.push(footerLine(dataMonth, footerAsOf))
  return lines.join('')
}

export function renderReportCsv(
  report: ReportKind,
  programYear: string,
  snapshots: readonly DistrictSnapshot[],
  dataMonth: YearMonth,
  footerAsOf: IsoDate,
): string {
  const header = headerFor(report, programYear)
  const table = <T>(items: readonly T[], columns: Columns<T>) =>
    renderTable(header, items, columns, dataMonth, footerAsOf)
  if (report === 'districtsummary') {
    const rows = summaryRows(snapshots)
    const columns: Columns<Row> = Object.fromEntries(header.map((h) => [h, (r: Row) => r[h] ?? '']))
    return table(rows, columns)
  }
  const snapshot = snapshots[0]
  const clubs = snapshot?.clubs ?? []
  if (report === 'clubperformance') return table(clubs, CLUB_COLUMNS)
  if (report === 'divisionperformance')
    return table(snapshot ? divisionRows(snapshot) : [], DIVISION_COLUMNS)
  return table(clubs, DISTRICT_COLUMNS)
}
