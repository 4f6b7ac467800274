/** A stored all-districts file (rows verbatim, keyed by header cell) → summary statistics per district. */
import type { DistrictSummaryStats } from '../../shared/district-statistics.ts'
import { normalizeDistrictId } from '../../shared/district-id.ts'
import type { AllDistrictsFile } from '../../shared/snapshot-types.ts'
import { parseReportCsv } from '../upstream/index.ts'
import { normalizeSummaryRow } from './normalize-summary.ts'

/** Re-reads the verbatim rows with the same parser the collection used; ids normalized. */
export function summaryStatsByDistrict(file: AllDistrictsFile): Map<string, DistrictSummaryStats> {
  const header = file.header
  const parsed = parseReportCsv('districtsummary', {
    hasBom: false,
    header,
    rows: file.rows.map((row) => header.map((h) => row[h] ?? '')),
    footer: null,
    endsWithLineBreak: true,
    lineBreak: '\n',
  })
  const out = new Map<string, DistrictSummaryStats>()
  for (const row of parsed.rows) {
    const id = normalizeDistrictId(row.district)
    if (id) out.set(id, normalizeSummaryRow(parsed.header, row))
  }
  return out
}
