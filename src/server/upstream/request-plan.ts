/**
 * Pure request building (docs/upstream.md#export-tokens, docs/upstream.md#client-recipe): which URLs to try, in which order, for a report of a
 * district on an as-of day, given the live program year and the closing calendar.
 */
import { assertIsoDate, lastDayOfMonth, programYearOf } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import type { ReportKind } from '../../shared/snapshot-types.ts'
import { isDistrictId } from '../../shared/district-id.ts'
import { resolveDataMonths } from './closing-calendar.ts'
import type { ClosingCalendar } from './closing-calendar.ts'
import { formatDashboardDate } from './dashboard-date.ts'

export const DEFAULT_DASHBOARD_URL = 'https://dashboards.toastmasters.org'

export interface ReportTokenParts {
  report: ReportKind
  /** Required for the three district reports; must be null/absent for `districtsummary`. */
  districtId?: string | null
  /** Last day of the data month; null leaves the slot empty ("latest of …"). */
  monthEnd: IsoDate | null
  asOf: IsoDate | null
  programYear: string
}

/** `{R}~{X}~{monthEnd}~{asOf}~{PY}` (summary: no `{X}`), dates `M/D/YYYY`, empty slots kept. */
export function buildReportToken(parts: ReportTokenParts): string {
  const dates = [parts.monthEnd, parts.asOf].map((d) => (d === null ? '' : formatDashboardDate(d)))
  const district = parts.districtId ?? null
  if (parts.report === 'districtsummary') {
    if (district !== null) throw new RangeError('districtsummary takes no districtId')
    return [parts.report, ...dates, parts.programYear].join('~')
  }
  if (district === null || !isDistrictId(district)) {
    throw new RangeError(
      `${parts.report} needs a district id such as 61, got ${JSON.stringify(district)}`,
    )
  }
  return [parts.report, district, ...dates, parts.programYear].join('~')
}

/**
 * `{base}[/{PY}]/export.aspx?type=CSV&report={token}`. The token goes through encodeURIComponent
 * (`/` → `%2F`, `~` kept) so a server that decodes the query string gets the literal token back.
 */
export function buildExportUrl(init: {
  baseUrl?: string
  /** null = root path (live program year); `2023-2024` = archive path. */
  archiveProgramYear: string | null
  token: string
}): string {
  const base = (init.baseUrl ?? DEFAULT_DASHBOARD_URL).replace(/\/+$/, '')
  const prefix = init.archiveProgramYear === null ? '' : `/${init.archiveProgramYear}`
  return `${base}${prefix}/export.aspx?type=CSV&report=${encodeURIComponent(init.token)}`
}

export type PathKind = 'root' | 'archive'

export interface PlannedRequest {
  dataMonth: YearMonth
  programYear: string
  path: PathKind
  token: string
  url: string
}

export interface RequestPlan {
  /** In order: the next one is tried only when the previous answered zero rows / another month. */
  requests: PlannedRequest[]
  /** Candidate months that cannot be published yet (program year after the live one). */
  skipped: { dataMonth: YearMonth; programYear: string }[]
}

export interface PlanContext {
  liveProgramYear: string
  calendar: ClosingCalendar
  baseUrl?: string
}

export function planReportRequests(
  target: { report: ReportKind; districtId?: string | null; asOf: IsoDate },
  context: PlanContext,
): RequestPlan {
  assertIsoDate(target.asOf, 'asOf')
  const plan: RequestPlan = { requests: [], skipped: [] }
  for (const dataMonth of resolveDataMonths(target.asOf, context.calendar)) {
    const programYear = programYearOf(dataMonth)
    // 'YYYY-YYYY' strings order like the years they name.
    if (programYear > context.liveProgramYear) {
      plan.skipped.push({ dataMonth, programYear })
      continue
    }
    const path: PathKind = programYear === context.liveProgramYear ? 'root' : 'archive'
    const token = buildReportToken({
      report: target.report,
      districtId: target.districtId ?? null,
      monthEnd: lastDayOfMonth(dataMonth),
      asOf: target.asOf,
      programYear,
    })
    const archiveProgramYear = path === 'root' ? null : programYear
    const url = buildExportUrl({ baseUrl: context.baseUrl, archiveProgramYear, token })
    plan.requests.push({ dataMonth, programYear, path, token, url })
  }
  return plan
}

/** Root "whatever is current" token: `…~~~{PY}` (docs/upstream.md#client-recipe, step 5). */
export function buildLatestUrl(init: {
  report: ReportKind
  districtId?: string | null
  programYear: string
  baseUrl?: string
}): string {
  const token = buildReportToken({ ...init, monthEnd: null, asOf: null })
  return buildExportUrl({ baseUrl: init.baseUrl, archiveProgramYear: null, token })
}
