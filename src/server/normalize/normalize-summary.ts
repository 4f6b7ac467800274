import type { DistrictSummaryStats, PercentCell } from '../../shared/district-statistics.ts'
import type { PercentValue, DistrictSummaryRow } from '../upstream/index.ts'
import { untypedCells } from './untyped-cells.ts'

/** Prerequisite columns by program year (docs/upstream.md#districtsummary, docs/upstream.md#domain-rules-behind-the-columns). */
const PREREQUISITES: [string, keyof DistrictSummaryRow][] = [
  ['DSP', 'dsp'],
  ['Training', 'training'],
  ['Market Analysis', 'marketAnalysis'],
  ['Communication Plan', 'communicationPlan'],
  ['Region Advisor Visit', 'regionAdvisorVisit'],
]

const pct = (p: PercentValue | null): PercentCell | null =>
  p ? { value: p.value, text: p.text } : null

export function normalizeSummaryRow(
  header: readonly string[],
  row: DistrictSummaryRow,
): DistrictSummaryStats {
  const prerequisites: Record<string, boolean | null> = {}
  for (const [column, field] of PREREQUISITES) {
    if (header.includes(column)) prerequisites[column] = row[field] as boolean | null
  }
  return {
    region: row.region,
    prerequisites,
    payments: {
      new: row.newPayments,
      april: row.aprilPayments,
      october: row.octoberPayments,
      late: row.latePayments,
      charter: row.charterPayments,
      totalYtd: row.totalYtdPayments,
      base: row.paymentBase,
      growth: pct(row.paymentGrowth),
    },
    clubs: {
      paidBase: row.paidClubBase,
      paid: row.paidClubs,
      growth: pct(row.clubGrowth),
      active: row.activeClubs,
    },
    distinguished: {
      distinguished: row.distinguishedClubs,
      select: row.selectDistinguishedClubs,
      presidents: row.presidentsDistinguishedClubs,
      smedley: row.smedleyDistinguishedClubs,
      total: row.totalDistinguishedClubs,
      percent: pct(row.distinguishedClubsPercent),
    },
    extra: untypedCells(header, row),
  }
}
