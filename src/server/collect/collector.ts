/**
 * The collection methods (`getAllDistricts`, `getDistrictPerformance`,
 * `getMultipleDistricts`) that the RefreshService and the backfill executor both call. They
 * fetch, validate and normalize, and return district files ready to store; they never write
 * snapshots themselves, so refresh and backfill share them. A district that fails is a value in the result, not an exception.
 */
import pLimit from 'p-limit'
import { addMonths, yearMonthOf, type IsoDate, type YearMonth } from '../../shared/iso-date.ts'
import { normalizeDistrictId } from '../../shared/district-id.ts'
import {
  SNAPSHOT_SCHEMA_VERSION,
  type DetailLevel,
  type DistrictFile,
  type ReportKind,
} from '../../shared/snapshot-types.ts'
import type { DistrictStatistics } from '../../shared/district-statistics.ts'
import { normalizeFullDistrict, normalizeSummaryOnly } from '../normalize/index.ts'
import type { ReportData } from '../upstream/index.ts'
import { toCellError, type CellFailure } from './cell-error.ts'
import { toProvenance, type FetchContext, type ReportSource } from './report-source.ts'

export type SummaryData = ReportData<'districtsummary'> & { fromCache: boolean; attempts: number }

export type SummaryOutcome =
  | { kind: 'data'; summary: SummaryData; districtIds: string[] }
  | { kind: 'unavailable'; reason: string; attempts: number }

export type DistrictOutcome =
  | {
      kind: 'collected'
      districtId: string
      file: DistrictFile<DistrictStatistics>
      attempts: number
      bytes: number
    }
  | {
      kind: 'unavailable'
      districtId: string
      reason: string
      attempts: number
      /** The date's summary does not list the district (not "nothing published"). */
      notADistrict?: boolean
    }
  | { kind: 'failed'; districtId: string; error: CellFailure }

export interface CollectorDeps {
  source: ReportSource
  now: () => number
  toolVersion: string
}

export interface CollectContext extends FetchContext {
  jobId?: string | null
}

export function createCollector(deps: CollectorDeps) {
  const envelope = (
    districtId: string,
    detail: DetailLevel,
    anchor: ReportData,
    sources: (ReportData & { fromCache: boolean })[],
    statistics: DistrictStatistics,
    warnings: string[],
    jobId: string | null,
  ): DistrictFile<DistrictStatistics> => ({
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    districtId,
    asOf: anchor.asOf,
    detail,
    dataMonth: anchor.dataMonth,
    programYear: anchor.programYear,
    closingPeriod: anchor.closingPeriod,
    provenance: {
      sources: sources.map(toProvenance),
      jobId,
      toolVersion: deps.toolVersion,
      writtenAt: new Date(deps.now()).toISOString(),
    },
    warnings,
    statistics,
  })

  /** One summary request: every district's row for the date. */
  async function getAllDistricts(date: IsoDate, ctx: CollectContext = {}): Promise<SummaryOutcome> {
    const r = await deps.source.get('districtsummary', null, date, ctx)
    if (r.kind === 'unavailable')
      return { kind: 'unavailable', reason: r.reason, attempts: r.attempts }
    const districtIds = r.parsed.rows
      .map((row) => normalizeDistrictId(row.district))
      .filter((id) => id !== null)
    return { kind: 'data', summary: r, districtIds }
  }

  /** Summary-level file for one district from an already fetched summary. */
  function summaryFile(
    summary: SummaryData,
    districtId: string,
    ctx: CollectContext = {},
  ): DistrictOutcome {
    const { statistics, warnings } = normalizeSummaryOnly(summary.parsed, districtId)
    if (statistics.summary === null) {
      return {
        kind: 'unavailable',
        districtId,
        reason: `district ${districtId} is not in the summary of ${summary.asOf}`,
        attempts: 0,
        notADistrict: true,
      }
    }
    const file = envelope(
      districtId,
      'summary',
      summary,
      [summary],
      statistics,
      warnings,
      ctx.jobId ?? null,
    )
    return { kind: 'collected', districtId, file, attempts: summary.attempts, bytes: 0 }
  }

  /** The three per-district reports plus the summary row: a `full` file. */
  async function getDistrictPerformance(
    districtId: string,
    date: IsoDate,
    summary: SummaryData | null,
    ctx: CollectContext = {},
  ): Promise<DistrictOutcome> {
    try {
      // A cached body of the summary's month only: the other month's bodies of the same as-of
      // are not this month's (docs/architecture.md#one-as-of-two-data-months).
      const fetchCtx =
        ctx.dataMonth === undefined && summary ? { ...ctx, dataMonth: summary.dataMonth } : ctx
      const club = await deps.source.get('clubperformance', districtId, date, fetchCtx)
      if (club.kind === 'unavailable') return unavailable(districtId, club)
      const division = await deps.source.get('divisionperformance', districtId, date, fetchCtx)
      if (division.kind === 'unavailable') return unavailable(districtId, division)
      const district = await deps.source.get('districtperformance', districtId, date, fetchCtx)
      if (district.kind === 'unavailable') return unavailable(districtId, district)
      const { statistics, warnings } = normalizeFullDistrict(
        districtId,
        { club: club.parsed, division: division.parsed, district: district.parsed },
        summary?.parsed ?? null,
      )
      const months = new Set(
        [club.dataMonth, division.dataMonth, district.dataMonth, summary?.dataMonth].filter(
          Boolean,
        ),
      )
      if (months.size > 1)
        warnings.push(`reports disagree on the data month: ${[...months].join(', ')}`)
      const sources = [...(summary ? [summary] : []), club, division, district]
      const file = envelope(
        districtId,
        'full',
        club,
        sources,
        statistics,
        warnings,
        ctx.jobId ?? null,
      )
      const attempts = club.attempts + division.attempts + district.attempts
      const bytes = club.sizeBytes + division.sizeBytes + district.sizeBytes
      return { kind: 'collected', districtId, file, attempts, bytes }
    } catch (error) {
      return { kind: 'failed', districtId, error: toCellError(error, deps.now()) }
    }
  }

  /**
   * Summary once (or the one the caller already fetched, so every district file is built from
   * the same body the caller stores), then the per-district reports of each id, `concurrency`
   * districts at a time.
   */
  async function getMultipleDistricts(
    districtIds: readonly string[],
    date: IsoDate,
    ctx: CollectContext & {
      concurrency?: number
      detail?: DetailLevel
      summary?: SummaryOutcome
    } = {},
  ): Promise<{ summary: SummaryOutcome; districts: DistrictOutcome[] }> {
    const summary = ctx.summary ?? (await getAllDistricts(date, ctx))
    if (summary.kind === 'unavailable') return { summary, districts: [] }
    const limit = pLimit(ctx.concurrency ?? 3)
    const districts = await Promise.all(
      districtIds.map((id) =>
        limit(() =>
          (ctx.detail ?? 'full') === 'full'
            ? getDistrictPerformance(id, date, summary.summary, ctx)
            : Promise.resolve(summaryFile(summary.summary, id, ctx)),
        ),
      ),
    )
    return { summary, districts }
  }

  /** Whether every body a file of `detail` is built from is in the raw CSV cache. */
  async function hasCachedBodies(
    districtId: string,
    date: IsoDate,
    detail: DetailLevel,
  ): Promise<boolean> {
    // Every body of one data month: the month a cache read of the summary answers (the later
    // one cached), as the collection would then read them.
    const own = yearMonthOf(date)
    let month: YearMonth | null | undefined
    for (const m of [own, addMonths(own, -1), null])
      if (await deps.source.isCached('districtsummary', null, date, m)) {
        month = m
        break
      }
    if (month === undefined) return false
    if (detail === 'full')
      for (const r of PER_DISTRICT_REPORTS)
        if (!(await deps.source.isCached(r, districtId, date, month))) return false
    return true
  }

  return {
    getAllDistricts,
    getDistrictPerformance,
    getMultipleDistricts,
    summaryFile,
    hasCachedBodies,
  }
}

export type Collector = ReturnType<typeof createCollector>

const PER_DISTRICT_REPORTS: readonly ReportKind[] = [
  'clubperformance',
  'divisionperformance',
  'districtperformance',
]

function unavailable(districtId: string, r: { reason: string; attempts: number }): DistrictOutcome {
  return { kind: 'unavailable', districtId, reason: r.reason, attempts: r.attempts }
}
