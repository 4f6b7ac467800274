/**
 * Body text → typed rows for each of the four reports. Checks the report's key columns
 * (UPSTREAM_BAD_HEADER) and row widths (UPSTREAM_PARSE); unknown columns go to each row's `extra`.
 */
import type { IsoDate } from '../../../shared/iso-date.ts'
import type { ReportKind } from '../../../shared/snapshot-types.ts'
import { assertRowWidths, parseCsvBody } from '../csv-body.ts'
import type { CsvBody } from '../csv-body.ts'
import type { FooterLine } from '../dashboard-date.ts'
import { UpstreamBodyError } from '../errors.ts'
import { createRowReader, headerHasAll, indexHeader } from '../row-reader.ts'
import type { RowReader } from '../row-reader.ts'
import { CLUB_PERFORMANCE_KEY_COLUMNS, toClubPerformanceRow } from './club-performance.ts'
import type { ClubPerformanceRow } from './club-performance.ts'
import {
  DISTRICT_PERFORMANCE_KEY_COLUMNS,
  toDistrictPerformanceRow,
} from './district-performance.ts'
import type { DistrictPerformanceRow } from './district-performance.ts'
import { DISTRICT_SUMMARY_KEY_COLUMNS, toDistrictSummaryRow } from './district-summary.ts'
import type { DistrictSummaryRow } from './district-summary.ts'
import {
  DIVISION_PERFORMANCE_KEY_COLUMNS,
  toDivisionPerformanceRow,
} from './division-performance.ts'
import type { DivisionPerformanceRow } from './division-performance.ts'

export interface ReportRowMap {
  districtsummary: DistrictSummaryRow
  clubperformance: ClubPerformanceRow
  divisionperformance: DivisionPerformanceRow
  districtperformance: DistrictPerformanceRow
}

export interface ParsedReport<R extends ReportKind = ReportKind> {
  report: R
  /** Header cells exactly as received. */
  header: string[]
  rows: ReportRowMap[R][]
  footer: FooterLine | null
  hasBom: boolean
}

interface ReportParser<Row> {
  keyColumns: readonly string[]
  toRow: (reader: RowReader) => Row
}

const REPORT_PARSERS: { [R in ReportKind]: ReportParser<ReportRowMap[R]> } = {
  districtsummary: { keyColumns: DISTRICT_SUMMARY_KEY_COLUMNS, toRow: toDistrictSummaryRow },
  clubperformance: { keyColumns: CLUB_PERFORMANCE_KEY_COLUMNS, toRow: toClubPerformanceRow },
  divisionperformance: {
    keyColumns: DIVISION_PERFORMANCE_KEY_COLUMNS,
    toRow: toDivisionPerformanceRow,
  },
  districtperformance: {
    keyColumns: DISTRICT_PERFORMANCE_KEY_COLUMNS,
    toRow: toDistrictPerformanceRow,
  },
}

/** Header names without which a body is not that report (docs/upstream.md#accepting-a-body, rule 2). */
export const REPORT_KEY_COLUMNS: { readonly [R in ReportKind]: readonly string[] } = {
  districtsummary: DISTRICT_SUMMARY_KEY_COLUMNS,
  clubperformance: CLUB_PERFORMANCE_KEY_COLUMNS,
  divisionperformance: DIVISION_PERFORMANCE_KEY_COLUMNS,
  districtperformance: DISTRICT_PERFORMANCE_KEY_COLUMNS,
}

/**
 * Typed view of an already split body. Throws UPSTREAM_BAD_HEADER or UPSTREAM_PARSE. `asOf`
 * (default: the footer's) is the date two-digit years in cells are read against.
 */
export function parseReportCsv<R extends ReportKind>(
  report: R,
  body: CsvBody,
  url: string | null = null,
  asOf: IsoDate | null = body.footer?.asOf ?? null,
): ParsedReport<R> {
  const parser = REPORT_PARSERS[report] as ReportParser<ReportRowMap[R]>
  const index = indexHeader(body.header)
  if (body.header.length === 0 || !headerHasAll(body.header, parser.keyColumns)) {
    const first = body.header.slice(0, 4).join(',')
    throw new UpstreamBodyError(
      'UPSTREAM_BAD_HEADER',
      `Not a ${report} export: header lacks ${parser.keyColumns.join(' + ')} (starts ${JSON.stringify(first)})`,
      url,
    )
  }
  assertRowWidths(body, url)
  const year = asOf === null ? null : Number(asOf.slice(0, 4))
  const rows = body.rows.map((cells) => parser.toRow(createRowReader(index, cells, year)))
  return { report, header: body.header, rows, footer: body.footer, hasBom: body.hasBom }
}

export function parseReportBody<R extends ReportKind>(
  report: R,
  text: string,
  url: string | null = null,
): ParsedReport<R> {
  return parseReportCsv(report, parseCsvBody(text, url), url)
}

export function parseDistrictSummary(text: string): ParsedReport<'districtsummary'> {
  return parseReportBody('districtsummary', text)
}

export function parseClubPerformance(text: string): ParsedReport<'clubperformance'> {
  return parseReportBody('clubperformance', text)
}

export function parseDivisionPerformance(text: string): ParsedReport<'divisionperformance'> {
  return parseReportBody('divisionperformance', text)
}

export function parseDistrictPerformance(text: string): ParsedReport<'districtperformance'> {
  return parseReportBody('districtperformance', text)
}
