import {
  DISTRICT_STATISTICS_VERSION,
  type DistrictStatistics,
  type DistrictSummaryStats,
} from '../../shared/district-statistics.ts'
import { normalizeDistrictId } from '../../shared/district-id.ts'
import type { ParsedReport, DistrictSummaryRow } from '../upstream/index.ts'
import { computeTotals, crossCheck } from './district-totals.ts'
import { joinClubs } from './normalize-clubs.ts'
import { buildDivisions } from './normalize-divisions.ts'
import { normalizeSummaryRow } from './normalize-summary.ts'

export interface NormalizedDistrict {
  statistics: DistrictStatistics
  warnings: string[]
}

export interface DistrictReports {
  club: ParsedReport<'clubperformance'>
  division: ParsedReport<'divisionperformance'>
  district: ParsedReport<'districtperformance'>
}

/** Finds a district's row in the all-districts summary (ids compared as printed). */
export function findSummaryRow(
  summary: ParsedReport<'districtsummary'>,
  districtId: string,
): DistrictSummaryRow | null {
  return summary.rows.find((r) => normalizeDistrictId(r.district) === districtId) ?? null
}

/** Summary-level statistics: the all-districts row alone (detail `summary`). */
export function normalizeSummaryOnly(
  summary: ParsedReport<'districtsummary'>,
  districtId: string,
): NormalizedDistrict {
  const row = findSummaryRow(summary, districtId)
  return {
    statistics: base(districtId, row ? normalizeSummaryRow(summary.header, row) : null),
    warnings: row ? [] : [`district ${districtId} is not in the all-districts summary`],
  }
}

/** Full statistics: summary row (when given) plus the three per-district reports (detail `full`). */
export function normalizeFullDistrict(
  districtId: string,
  reports: DistrictReports,
  summary: ParsedReport<'districtsummary'> | null,
): NormalizedDistrict {
  const row = summary ? findSummaryRow(summary, districtId) : null
  const summaryStats = row && summary ? normalizeSummaryRow(summary.header, row) : null
  const { clubs, warnings } = joinClubs(reports.club, reports.division, reports.district)
  const { divisions, warnings: divisionWarnings } = buildDivisions(reports.division.rows)
  const totals = computeTotals(clubs)
  const districtWarnings = wrongDistrictRows(districtId, reports)
  if (summary && !row)
    districtWarnings.push(`district ${districtId} is not in the all-districts summary`)
  return {
    statistics: {
      ...base(districtId, summaryStats),
      headers: {
        club: reports.club.header,
        division: reports.division.header,
        district: reports.district.header,
      },
      totals,
      divisions,
      clubs,
    },
    warnings: [
      ...districtWarnings,
      ...warnings,
      ...divisionWarnings,
      ...crossCheck(clubs, totals, summaryStats),
    ],
  }
}

function base(districtId: string, summary: DistrictSummaryStats | null): DistrictStatistics {
  return {
    version: DISTRICT_STATISTICS_VERSION,
    districtId,
    summary,
    headers: null,
    totals: null,
    divisions: null,
    clubs: null,
  }
}

function wrongDistrictRows(districtId: string, reports: DistrictReports): string[] {
  const out: string[] = []
  for (const [name, rep] of Object.entries(reports) as [
    string,
    { rows: { district: string | null }[] },
  ][]) {
    const foreign = rep.rows.filter(
      (r) => r.district !== null && normalizeDistrictId(r.district) !== districtId,
    )
    if (foreign.length > 0)
      out.push(`${name} report has ${foreign.length} rows of another district than ${districtId}`)
  }
  return out
}
