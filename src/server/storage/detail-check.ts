/**
 * What a district file's `detail` promises, checked against what it holds: `summary` = the
 * district's row of the all-districts summary (statistics.summary, from a districtsummary
 * source); `full` = that plus the club, division and district reports (clubs, divisions and
 * totals, each from its own source). Pure: `verify` and `rebuild` both use it.
 */
import type { DetailLevel, DistrictFile, ReportKind } from '../../shared/snapshot-types.ts'

const SOURCES_BY_DETAIL: Readonly<Record<DetailLevel, readonly ReportKind[]>> = {
  summary: ['districtsummary'],
  full: ['districtsummary', 'clubperformance', 'divisionperformance', 'districtperformance'],
}

const STATISTICS_BY_DETAIL: Readonly<Record<DetailLevel, readonly string[]>> = {
  summary: ['summary'],
  full: ['summary', 'clubs', 'divisions', 'totals'],
}

const DETAIL_RANK: Readonly<Record<DetailLevel, number>> = { summary: 0, full: 1 }

export function sourceReports(file: DistrictFile): ReportKind[] {
  return [...new Set(file.provenance.sources.map((s) => s.report))].sort()
}

/** Why the file does not hold what its `detail` says, or null when it does. */
export function detailMismatch(file: DistrictFile): string | null {
  const have = new Set(file.provenance.sources.map((s) => s.report))
  const missingSources = SOURCES_BY_DETAIL[file.detail].filter((r) => !have.has(r))
  const stats = (
    typeof file.statistics === 'object' && file.statistics !== null ? file.statistics : {}
  ) as Record<string, unknown>
  const missingStats = STATISTICS_BY_DETAIL[file.detail].filter(
    (k) => typeof stats[k] !== 'object' || stats[k] === null,
  )
  const parts = [
    missingSources.length > 0 ? `no ${missingSources.join(', ')} source` : null,
    missingStats.length > 0 ? `no statistics.${missingStats.join(', statistics.')}` : null,
  ].filter((p) => p !== null)
  return parts.length === 0 ? null : `detail ${file.detail} but ${parts.join('; ')}`
}

/**
 * Why writing `next` over `stored` would lose something (lower detail, or a source the stored
 * file has and `next` lacks), or null when it would not.
 */
export function downgradeReason(stored: DistrictFile, next: DistrictFile): string | null {
  if (DETAIL_RANK[next.detail] < DETAIL_RANK[stored.detail])
    return `the stored file is ${stored.detail}; the new one would only be ${next.detail}`
  const nextReports = new Set(sourceReports(next))
  const lost = sourceReports(stored).filter((r) => !nextReports.has(r))
  return lost.length > 0 ? `the new file would lose the ${lost.join(', ')} source` : null
}
