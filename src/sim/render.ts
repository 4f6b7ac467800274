/**
 * CSV bodies of the four reports for one snapshot. Rows are built as header → value records
 * and printed in the program year's header order, so a header change never shifts values.
 */
import type { IsoDate, YearMonth } from '../shared/iso-date.ts'
import type { ReportKind } from '../shared/snapshot-types.ts'
import { compareDistrictIds } from '../shared/district-id.ts'
import type { ClubValues } from './club-values.ts'
import type { DistrictSnapshot, DistrictTotals, GroupStats } from './district-snapshot.ts'
import { csvLine, footerLine, formatPercent } from './format.ts'
import { headerFor } from './headers.ts'

type Row = Record<string, string>

const str = (n: number): string => String(n)

export function clubRow(c: ClubValues): Row {
  return {
    District: c.districtId,
    Division: c.division,
    Area: c.area,
    'Club Number': c.clubNumber,
    'Club Name': c.clubName,
    'Club Status': c.status,
    CSP: c.csp ? 'Y' : 'N',
    'Mem. Base': str(c.memBase),
    'Active Members': str(c.activeMembers),
    'Net Growth': str(c.netGrowth),
    'Goals Met': str(c.goalsMet),
    'Level 1s': str(c.level1s),
    'Level 2s': str(c.level2s),
    'Add. Level 2s': str(c.addLevel2s),
    'Level 2s or EOM': str(c.level2s),
    'Add. Level 2s or EOM': str(c.addLevel2s),
    'Level 3s': str(c.level3s),
    'Level 4s, Level 5s, or DTM award': str(c.level4s),
    'Add. Level 4s, Level 5s, or DTM award': str(c.addLevel4s),
    'Level 4s, Path Completions, or DTM Awards': str(c.level4s),
    'Add. Level 4s, Path Completions, or DTM award': str(c.addLevel4s),
    'New Members': str(c.newMembers),
    'Add. New Members': str(c.addNewMembers),
    'Off. Trained Round 1': str(c.offTrainedRound1),
    'Off. Trained Round 2': str(c.offTrainedRound2),
    'Mem. dues on time Oct': str(c.duesOnTimeOct),
    'Mem. dues on time Apr': str(c.duesOnTimeApr),
    'Off. List On Time': str(c.offListOnTime),
    'Club Distinguished Status': c.distinguishedStatus,
  }
}

function groupCells(scope: 'Area' | 'Division', g: GroupStats): Row {
  const [pd, ps, pp] = g.paidGoals
  const [dd, ds, dp] = g.distinguishedGoals
  return {
    [`${scope} Club Base`]: str(g.clubBase),
    [`${scope} Paid Club Goal for Dist.`]: str(pd),
    [`${scope} Paid Club Goal for Select Dist.`]: str(ps),
    [`${scope} Paid Club Goal for Pres. Dist.`]: str(pp),
    [`Total Paid ${scope} Clubs`]: str(g.paidClubs),
    [`${scope} Dist. Club Goal for Dist.`]: str(dd),
    [`${scope} Dist. Club Goal for Select Dist.`]: str(ds),
    [`${scope} Dist. Club Goal for Pres. Dist.`]: str(dp),
    [`Total Dist. ${scope} Clubs`]: str(g.distinguishedClubs),
    [`Distinguished ${scope}`]: g.recognition,
  }
}

const clubIdentity = (c: ClubValues): Row => ({
  District: c.districtId,
  Division: c.division,
  Area: c.area,
  Club: c.clubNumber,
  'Club Name': c.clubName,
})

function divisionRow(c: ClubValues, snapshot: DistrictSnapshot): Row {
  const area = snapshot.areas.get(`${c.division}|${c.area}`)
  const division = snapshot.divisions.get(c.division)
  if (!area || !division) throw new Error(`no aggregates for club ${c.clubNumber}`)
  return {
    ...clubIdentity(c),
    'October Renewals': str(c.duesOnTimeOct),
    'April Renewals': str(c.duesOnTimeApr),
    'Nov Visit award': str(c.novVisitAward),
    'May Visit award': str(c.mayVisitAward),
    'Membership to date': str(c.activeMembers),
    'Club Goals Met': str(c.goalsMet),
    'Distinguished Club': c.distinguishedStatus,
    ...groupCells('Area', area),
    ...groupCells('Division', division),
    'Charter Date/Suspend Date': c.charterSuspendDate,
  }
}

function districtPerformanceRow(c: ClubValues): Row {
  const p = c.payments
  return {
    ...clubIdentity(c),
    New: str(p.newMembers),
    'Late Ren.': str(p.lateRenewals),
    'Oct. Ren.': str(p.octRenewals),
    'Apr. Ren.': str(p.aprRenewals),
    'Total Ren.': str(p.totalRenewals),
    'Total Chart': str(p.charter),
    'Total to Date': str(p.totalToDate),
    'Distinguished Status': c.distinguishedStatus,
    'Charter Date/Suspend Date': c.charterSuspendDate,
  }
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

export function rowsOf(report: ReportKind, snapshots: readonly DistrictSnapshot[]): Row[] {
  if (report === 'districtsummary') {
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
  const snapshot = snapshots[0]
  if (!snapshot) return []
  if (report === 'clubperformance') return snapshot.clubs.map(clubRow)
  if (report === 'divisionperformance') return snapshot.clubs.map((c) => divisionRow(c, snapshot))
  return snapshot.clubs.map(districtPerformanceRow)
}

export function renderCsv(
  header: readonly string[],
  rows: readonly Row[],
  dataMonth: YearMonth,
  footerAsOf: IsoDate,
): string {
  const lines = [csvLine(header)]
  for (const row of rows) lines.push(csvLine(header.map((h) => row[h] ?? '')))
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
  return renderCsv(headerFor(report, programYear), rowsOf(report, snapshots), dataMonth, footerAsOf)
}
