/** What the client returns for one report request. JSON-safe apart from the typed rows. */
import { programYearOf, yearMonthOf, type IsoDate, type YearMonth } from '../../shared/iso-date.ts'
import type { ReportKind } from '../../shared/snapshot-types.ts'
import type { ReportFooter } from './classify-body.ts'
import type { ParsedReport } from './reports/parse-report.ts'

export interface ReportData<R extends ReportKind = ReportKind> {
  kind: 'data'
  report: R
  /** null for the all-districts summary. */
  districtId: string | null
  /** The as-of asked for; for "latest" the footer's as-of. */
  requestedAsOf: IsoDate
  /** The as-of printed in the footer (= requestedAsOf, or requested for a footer-less archive body). */
  asOf: IsoDate
  dataMonth: YearMonth
  /** Program year of the data month. */
  programYear: string
  /** True when the data month is not the as-of's month (month-end closing period). */
  closingPeriod: boolean
  url: string
  httpStatus: number
  /** ISO timestamp when the body was received. */
  fetchedAt: string
  /** The body exactly as received (UTF-8, BOM kept if any). */
  body: string
  sizeBytes: number
  /** Hex SHA-256 of the body bytes. */
  sha256: string
  /** null only for an archive body without footer (as-of not verifiable). */
  footer: ReportFooter | null
  rowCount: number
  parsed: ParsedReport<R>
}

/** The fields of ReportData that are not derived from the others. */
export type ReportDataFacts<R extends ReportKind = ReportKind> = Omit<
  ReportData<R>,
  'kind' | 'programYear' | 'closingPeriod' | 'rowCount'
>

/**
 * The one place a ReportData is built, from a fresh answer or a cached body alike: program
 * year, closing-period flag and row count are derived here, never by the caller.
 */
export function toReportData<R extends ReportKind>(facts: ReportDataFacts<R>): ReportData<R> {
  return {
    kind: 'data',
    report: facts.report,
    districtId: facts.districtId,
    requestedAsOf: facts.requestedAsOf,
    asOf: facts.asOf,
    dataMonth: facts.dataMonth,
    programYear: programYearOf(facts.dataMonth),
    closingPeriod: facts.dataMonth !== yearMonthOf(facts.asOf),
    url: facts.url,
    httpStatus: facts.httpStatus,
    fetchedAt: facts.fetchedAt,
    body: facts.body,
    sizeBytes: facts.sizeBytes,
    sha256: facts.sha256,
    footer: facts.footer,
    rowCount: facts.parsed.rows.length,
    parsed: facts.parsed,
  }
}

export interface ReportUnavailable<R extends ReportKind = ReportKind> {
  kind: 'unavailable'
  report: R
  districtId: string | null
  /** null only when a "latest" request could not tell which as-of it got. */
  requestedAsOf: IsoDate | null
  /** Every URL requested, in order (empty when nothing could be published yet). */
  urls: string[]
  reason: string
}

export type ReportResult<R extends ReportKind = ReportKind> = ReportData<R> | ReportUnavailable<R>
