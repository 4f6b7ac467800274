/**
 * `districtsummary` rows: one per district (docs/upstream.md#districtsummary). Variants: 2025-26 (25 columns with
 * `Market Analysis`, `Communication Plan`, `Region Advisor Visit`, `Smedley Distinguished
 * Clubs`), 2026-27 (no `Region Advisor Visit`), before 2025-26 (only `DSP` and `Training`).
 */
import type { PercentValue, RowBase, RowReader } from '../row-reader.ts'

/** Prerequisite flags (Y/N) are null when the column does not exist that year. */
export interface DistrictSummaryRow extends RowBase {
  /** `01`…`14`, `DNAR` for district U. */
  region: string | null
  /** Bare id as printed: `02`, `61`, `128`, `F`, `U`. */
  district: string
  dsp: boolean | null
  training: boolean | null
  marketAnalysis: boolean | null
  communicationPlan: boolean | null
  regionAdvisorVisit: boolean | null
  newPayments: number | null
  aprilPayments: number | null
  octoberPayments: number | null
  latePayments: number | null
  charterPayments: number | null
  totalYtdPayments: number | null
  paymentBase: number | null
  paymentGrowth: PercentValue | null
  paidClubBase: number | null
  paidClubs: number | null
  clubGrowth: PercentValue | null
  activeClubs: number | null
  distinguishedClubs: number | null
  selectDistinguishedClubs: number | null
  presidentsDistinguishedClubs: number | null
  /** From 2025-26 only. */
  smedleyDistinguishedClubs: number | null
  totalDistinguishedClubs: number | null
  distinguishedClubsPercent: PercentValue | null
}

export const DISTRICT_SUMMARY_KEY_COLUMNS = ['DISTRICT'] as const

export function toDistrictSummaryRow(r: RowReader): DistrictSummaryRow {
  return {
    region: r.text('REGION'),
    district: r.text('DISTRICT') ?? '',
    dsp: r.flag('DSP'),
    training: r.flag('Training'),
    marketAnalysis: r.flag('Market Analysis'),
    communicationPlan: r.flag('Communication Plan'),
    regionAdvisorVisit: r.flag('Region Advisor Visit'),
    newPayments: r.int('New Payments'),
    aprilPayments: r.int('April Payments'),
    octoberPayments: r.int('October Payments'),
    latePayments: r.int('Late Payments'),
    charterPayments: r.int('Charter Payments'),
    totalYtdPayments: r.int('Total YTD Payments'),
    paymentBase: r.int('Payment Base'),
    paymentGrowth: r.percent('% Payment Growth'),
    paidClubBase: r.int('Paid Club Base'),
    paidClubs: r.int('Paid Clubs'),
    clubGrowth: r.percent('% Club Growth'),
    activeClubs: r.int('Active Clubs'),
    distinguishedClubs: r.int('Distinguished Clubs'),
    selectDistinguishedClubs: r.int('Select Distinguished Clubs'),
    presidentsDistinguishedClubs: r.int('Presidents Distinguished Clubs'),
    smedleyDistinguishedClubs: r.int('Smedley Distinguished Clubs'),
    totalDistinguishedClubs: r.int('Total Distinguished Clubs'),
    distinguishedClubsPercent: r.percent('% Distinguished Clubs'),
    ...r.finish(),
  }
}
