/** Pure helpers of the coverage view: cell kinds and classes, ranges, district file summary. */
import { addDays, diffDays, isIsoDate } from '../../shared/iso-date.ts'
import type { SourceProvenance } from '../../shared/snapshot-types.ts'
import type { CoverageCell, CoverageReport, DistrictFileView } from '../api/types.ts'

/** The grid cell the user clicked. */
export interface SelectedCell {
  date: string
  districtId: string
}

export type CoverageKind = 'full' | 'summary' | 'failed' | 'not-a-district' | 'missing'

export const COVERAGE_KINDS: readonly CoverageKind[] = [
  'full',
  'summary',
  'failed',
  'not-a-district',
  'missing',
]

export const COVERAGE_LEGEND: Record<CoverageKind, { label: string; glyph: string }> = {
  full: { label: 'Full detail (summary + club, division, district reports)', glyph: '●' },
  summary: { label: 'Summary only (all-districts report)', glyph: '◐' },
  failed: { label: 'Failed (the snapshot records an error)', glyph: '✕' },
  'not-a-district': {
    label: "Not a district on that date (not in the date's summary)",
    glyph: '–',
  },
  missing: { label: 'Nothing stored', glyph: '' },
}

/** The page's longest coverage range (the API allows 400 days; a wider grid is unreadable). */
export const MAX_COVERAGE_RANGE_DAYS = 400

export function coverageCellKind(cell: CoverageCell | undefined): CoverageKind {
  if (!cell) return 'missing'
  if (cell.status === 'failed') return 'failed'
  if (cell.status === 'ok') return cell.detail === 'full' ? 'full' : 'summary'
  if (cell.status === 'not-a-district') return 'not-a-district'
  return 'missing'
}

export function coverageCellClass(cell: CoverageCell | undefined): string {
  return `cov cov--${coverageCellKind(cell)}`
}

export function coverageCellLabel(
  date: string,
  districtId: string,
  cell: CoverageCell | undefined,
): string {
  const kind = coverageCellKind(cell)
  const what =
    kind === 'full'
      ? 'full detail'
      : kind === 'summary'
        ? 'summary only'
        : kind === 'failed'
          ? 'failed'
          : kind === 'not-a-district'
            ? 'not a district on that date'
            : 'nothing stored'
  return `District ${districtId} on ${date}: ${what}`
}

/** The two weeks up to yesterday: the newest dates that can be published. */
export function defaultCoverageRange(today: string): { from: string; to: string } {
  return { from: addDays(today, -14), to: addDays(today, -1) }
}

/** How many days the coverage view opens on when data is stored: the newest two months. */
export const OPENING_RANGE_DAYS = 60

/**
 * The range the view opens on: the newest stored dates (up to {@link OPENING_RANGE_DAYS}, not
 * before the oldest), or the last fortnight when nothing is stored.
 */
export function openingCoverageRange(
  storedDates: readonly string[],
  today: string,
): { from: string; to: string } {
  if (storedDates.length === 0) return defaultCoverageRange(today)
  const sorted = [...storedDates].sort()
  const to = sorted.at(-1)!
  const earliest = addDays(to, -(OPENING_RANGE_DAYS - 1))
  return { from: sorted[0]! > earliest ? sorted[0]! : earliest, to }
}

/**
 * The coverage range of a job's dates; a longer range (a cadence other than daily) keeps its
 * newest MAX_COVERAGE_RANGE_DAYS days. Null when the job's dates are unknown.
 */
export function jobCoverageRange(job: {
  startDate?: string
  endDate?: string
}): { from: string; to: string } | null {
  const { startDate: from, endDate: to } = job
  if (!isIsoDate(from) || !isIsoDate(to) || to < from) return null
  const earliest = addDays(to, -(MAX_COVERAGE_RANGE_DAYS - 1))
  return { from: from < earliest ? earliest : from, to }
}

export function checkCoverageRange(from: string, to: string): string | null {
  if (!isIsoDate(from) || !isIsoDate(to)) return 'Both dates must be real dates (YYYY-MM-DD).'
  if (to < from) return `"To" must not be before "From" (${to} < ${from}).`
  const days = diffDays(from, to) + 1
  if (days > MAX_COVERAGE_RANGE_DAYS) {
    return `A range may span at most ${MAX_COVERAGE_RANGE_DAYS} days (this one is ${days}).`
  }
  return null
}

export function coverageCounts(report: CoverageReport): Record<CoverageKind, number> {
  const counts: Record<CoverageKind, number> = {
    full: 0,
    summary: 0,
    failed: 0,
    'not-a-district': 0,
    missing: 0,
  }
  for (const d of report.dates) {
    for (const id of report.districtIds) counts[coverageCellKind(d.districts[id])]++
  }
  return counts
}

export interface DistrictFileSummary {
  districtId: string
  asOf: string
  detail: string
  dataMonth: string
  programYear: string
  closingPeriod: boolean
  clubs: string
  membership: string
  payments: string
  warnings: number
  sources: Pick<
    SourceProvenance,
    'report' | 'url' | 'httpStatus' | 'sizeBytes' | 'rowCount' | 'fromCache' | 'fetchedAt'
  >[]
  jobId: string | null
}

const n = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : String(v)

/** What the inspector shows of one stored district file; full files add club-level totals. */
export function summarizeDistrictFile(file: DistrictFileView): DistrictFileSummary {
  const s = file.statistics
  const totals = s?.totals ?? null
  const summary = s?.summary ?? null
  const clubs = totals
    ? `${totals.clubCount} clubs`
    : summary
      ? `${n(summary.clubs.active)} active, ${n(summary.clubs.paid)} paid (base ${n(summary.clubs.paidBase)})`
      : '—'
  const membership = totals
    ? `${totals.membership.active} active (base ${totals.membership.base}, net ${totals.membership.netGrowth >= 0 ? '+' : ''}${totals.membership.netGrowth})`
    : summary
      ? `payment base ${n(summary.payments.base)}`
      : '—'
  const payments = totals
    ? `${totals.payments.totalToDate} to date (new ${totals.payments.new}, renewals ${totals.payments.totalRenewals})`
    : summary
      ? `${n(summary.payments.totalYtd)} year to date (new ${n(summary.payments.new)})`
      : '—'
  return {
    districtId: file.districtId,
    asOf: file.asOf,
    detail: file.detail,
    dataMonth: file.dataMonth,
    programYear: file.programYear,
    closingPeriod: file.closingPeriod,
    clubs,
    membership,
    payments,
    warnings: file.warnings.length,
    sources: file.provenance.sources.map(
      ({ report, url, httpStatus, sizeBytes, rowCount, fromCache, fetchedAt }) => ({
        report,
        url,
        httpStatus,
        sizeBytes,
        rowCount,
        fromCache,
        fetchedAt,
      }),
    ),
    jobId: file.provenance.jobId,
  }
}
