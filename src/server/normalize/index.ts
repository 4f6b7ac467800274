/** Parsed dashboard reports → one district's statistics (summary-only or full). */
export {
  findSummaryRow,
  normalizeFullDistrict,
  normalizeSummaryOnly,
} from './normalize-district.ts'
export type { DistrictReports, NormalizedDistrict } from './normalize-district.ts'
export { summaryStatsByDistrict } from './all-districts-rows.ts'
