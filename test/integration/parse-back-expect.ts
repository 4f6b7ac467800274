/**
 * Expected typed values, built from the simulator's generated values and the reference's rules
 * (docs/upstream.md: #districtsummary columns, #divisionperformance goals,
 * docs/upstream.md#domain-rules-behind-the-columns paid clubs), never from the client's code.
 */
import type { DistrictSummaryRow, DivisionPerformanceRow } from '../../src/server/upstream/index.ts'
import type { ClubValues } from '../../src/sim/index.ts'

type Kind = 'int' | 'flag' | 'percent' | 'text'

/** Summary header → typed field (docs/upstream.md#districtsummary; columns a year lacks must read as null). */
const SUMMARY_FIELDS: [string, keyof DistrictSummaryRow, Kind][] = [
  ['REGION', 'region', 'text'],
  ['DISTRICT', 'district', 'text'],
  ['DSP', 'dsp', 'flag'],
  ['Training', 'training', 'flag'],
  ['Market Analysis', 'marketAnalysis', 'flag'],
  ['Communication Plan', 'communicationPlan', 'flag'],
  ['Region Advisor Visit', 'regionAdvisorVisit', 'flag'],
  ['New Payments', 'newPayments', 'int'],
  ['April Payments', 'aprilPayments', 'int'],
  ['October Payments', 'octoberPayments', 'int'],
  ['Late Payments', 'latePayments', 'int'],
  ['Charter Payments', 'charterPayments', 'int'],
  ['Total YTD Payments', 'totalYtdPayments', 'int'],
  ['Payment Base', 'paymentBase', 'int'],
  ['% Payment Growth', 'paymentGrowth', 'percent'],
  ['Paid Club Base', 'paidClubBase', 'int'],
  ['Paid Clubs', 'paidClubs', 'int'],
  ['% Club Growth', 'clubGrowth', 'percent'],
  ['Active Clubs', 'activeClubs', 'int'],
  ['Distinguished Clubs', 'distinguishedClubs', 'int'],
  ['Select Distinguished Clubs', 'selectDistinguishedClubs', 'int'],
  ['Presidents Distinguished Clubs', 'presidentsDistinguishedClubs', 'int'],
  ['Smedley Distinguished Clubs', 'smedleyDistinguishedClubs', 'int'],
  ['Total Distinguished Clubs', 'totalDistinguishedClubs', 'int'],
  ['% Distinguished Clubs', 'distinguishedClubsPercent', 'percent'],
]

function typedCell(cell: string, kind: Kind): unknown {
  switch (kind) {
    case 'int':
      return Number(cell)
    case 'flag':
      return cell === 'Y'
    case 'percent':
      return { value: cell === 'N/A' ? null : Number(cell.replace('%', '')), text: cell }
    case 'text':
      return cell
  }
}

/** Typed fields expected for one truth summary row (header → text). */
export function summaryFieldsOf(truthRow: Record<string, string>): Record<string, unknown> {
  const expected: Record<string, unknown> = {}
  for (const [header, field, kind] of SUMMARY_FIELDS) {
    const cell = truthRow[header]
    expected[field] = cell === undefined ? null : typedCell(cell, kind)
  }
  // Every column the simulator printed must be one the mapping above knows.
  for (const header of Object.keys(truthRow))
    if (!SUMMARY_FIELDS.some(([h]) => h === header)) expected[`unmapped ${header}`] = true
  return expected
}

/** Paid = status Active (docs/upstream.md#domain-rules-behind-the-columns); distinguished = any letter code. */
function groupCounts(clubs: ClubValues[]): { base: number; paid: number; dist: number } {
  return {
    base: clubs.filter((c) => c.inClubBase).length,
    paid: clubs.filter((c) => c.status === 'Active').length,
    dist: clubs.filter((c) => c.distinguishedStatus !== '').length,
  }
}

const goals = (d: number, s: number, p: number) => ({
  distinguished: d,
  selectDistinguished: s,
  presidentsDistinguished: p,
})

/** Area goals: paid base/base/base+1, distinguished ⌈50%⌉/⌈50%⌉+1/⌈50%⌉+1 (docs/upstream.md#divisionperformance). */
export function expectedAreaCells(area: ClubValues[]): Partial<DivisionPerformanceRow> {
  const { base, paid, dist } = groupCounts(area)
  const half = Math.ceil(base / 2)
  return {
    areaClubBase: base,
    areaPaidClubGoals: goals(base, base, base + 1),
    totalPaidAreaClubs: paid,
    areaDistinguishedClubGoals: goals(half, half + 1, half + 1),
    totalDistinguishedAreaClubs: dist,
  }
}

/** Division goals: paid base/base+1/base+2, distinguished ⌈45%⌉/⌈50%⌉/⌈55%⌉ (docs/upstream.md#divisionperformance). */
export function expectedDivisionCells(division: ClubValues[]): Partial<DivisionPerformanceRow> {
  const { base, paid, dist } = groupCounts(division)
  const pct = (p: number) => Math.ceil((base * p) / 100)
  return {
    divisionClubBase: base,
    divisionPaidClubGoals: goals(base, base + 1, base + 2),
    totalPaidDivisionClubs: paid,
    divisionDistinguishedClubGoals: goals(pct(45), pct(50), pct(55)),
    totalDistinguishedDivisionClubs: dist,
  }
}
