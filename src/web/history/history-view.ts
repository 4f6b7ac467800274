/** Pure helpers of the district page: chart measures, program-year marks, changes over time. */
import { addDays } from '../../shared/iso-date.ts'
import type { SeriesMeasure, SeriesPoint } from '../../shared/api-schemas.ts'

export type PointMeasure =
  | 'paidClubs'
  | 'activeClubs'
  | 'paymentsYtd'
  | 'activeMembers'
  | 'distinguished'
  | 'select'
  | 'presidents'
  | 'smedley'
  | 'distinguishedTotal'

export const MEASURE_LABELS: Record<PointMeasure, string> = {
  paidClubs: 'Paid clubs',
  activeClubs: 'Active clubs',
  paymentsYtd: 'Payments (YTD)',
  activeMembers: 'Active members',
  distinguished: 'Distinguished',
  select: 'Select Distinguished',
  presidents: "President's Distinguished",
  smedley: 'Smedley Distinguished',
  distinguishedTotal: 'Distinguished clubs (all levels)',
}

export const ALL_DISTRICTS_MEASURE_LABELS: Record<SeriesMeasure, string> = {
  paidClubs: 'Paid clubs',
  activeClubs: 'Active clubs',
  paymentsYtd: 'Payments (YTD)',
  distinguished: 'Distinguished clubs',
}

export function valueOf(point: SeriesPoint, measure: PointMeasure): number | null {
  switch (measure) {
    case 'distinguished':
    case 'select':
    case 'presidents':
    case 'smedley':
      return point.distinguished[measure]
    case 'distinguishedTotal':
      return point.distinguished.total
    default:
      return point[measure]
  }
}

/** One chart of the district page: a title and the measures it draws. */
export interface ChartSpec {
  id: string
  title: string
  measures: PointMeasure[]
}

export const DISTRICT_CHARTS: readonly ChartSpec[] = [
  { id: 'clubs', title: 'Clubs', measures: ['paidClubs', 'activeClubs'] },
  {
    id: 'membership',
    title: 'Membership and payments',
    measures: ['paymentsYtd', 'activeMembers'],
  },
  {
    id: 'distinguished',
    title: 'Distinguished clubs by level',
    measures: ['distinguished', 'select', 'presidents', 'smedley'],
  },
]

/** Measures a chart draws that hold at least one value in the series (a summary-only district has no members). */
export function measuresWithData(
  points: readonly SeriesPoint[],
  measures: readonly PointMeasure[],
) {
  return measures.filter((m) => points.some((p) => valueOf(p, m) !== null))
}

/** Dates where a new program year starts in the data (the first point of each year but the first). */
export function programYearStarts(
  points: readonly SeriesPoint[],
): { asOf: string; programYear: string }[] {
  const out: { asOf: string; programYear: string }[] = []
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.programYear !== points[i - 1]!.programYear) {
      out.push({ asOf: points[i]!.asOf, programYear: points[i]!.programYear })
    }
  }
  return out
}

/**
 * The year-end values: the last point of each run of points whose data month is June (the
 * program year's final month; its closing period runs into July).
 */
export function yearEndPoints(points: readonly SeriesPoint[]): SeriesPoint[] {
  const isJune = (p: SeriesPoint | undefined) => p?.dataMonth.endsWith('-06') ?? false
  return points.filter((p, i) => isJune(p) && !isJune(points[i + 1]))
}

export interface Change {
  measure: PointMeasure
  latest: number | null
  /** Change since the first point of the latest point's program year. */
  sinceYearStart: { from: string; delta: number } | null
  /** Change since the point one year earlier (or the nearest one up to a week before it). */
  sinceLastYear: { from: string; delta: number } | null
}

export const LATEST_MEASURES: readonly PointMeasure[] = [
  'paidClubs',
  'activeClubs',
  'paymentsYtd',
  'activeMembers',
  'distinguishedTotal',
]

export function latestChanges(
  points: readonly SeriesPoint[],
): { asOf: string; changes: Change[] } | null {
  const latest = points.at(-1)
  if (!latest) return null
  const yearStart = points.find((p) => p.programYear === latest.programYear)!
  const yearAgo = addDays(latest.asOf, -365)
  const earliest = addDays(yearAgo, -7)
  const lastYear = [...points].reverse().find((p) => p.asOf <= yearAgo && p.asOf >= earliest)
  const delta = (base: SeriesPoint | undefined, m: PointMeasure) => {
    const now = valueOf(latest, m)
    const then = base && base !== latest ? valueOf(base, m) : null
    return now !== null && then !== null && base ? { from: base.asOf, delta: now - then } : null
  }
  return {
    asOf: latest.asOf,
    changes: LATEST_MEASURES.map((measure) => ({
      measure,
      latest: valueOf(latest, measure),
      sinceYearStart: delta(yearStart, measure),
      sinceLastYear: delta(lastYear, measure),
    })).filter((c) => c.latest !== null),
  }
}

export function formatDelta(delta: number): string {
  return delta > 0 ? `+${delta.toLocaleString('en-US')}` : delta.toLocaleString('en-US')
}

export function formatValue(value: number | null): string {
  return value === null ? '—' : value.toLocaleString('en-US')
}

export const DETAIL_LABELS: Record<SeriesPoint['detail'], string> = {
  full: 'full detail',
  summary: 'summary only',
  'summary-row': 'all-districts summary',
}
