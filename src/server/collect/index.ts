/**
 * Collecting and storing the dashboard's reports for one date: the report source (budget,
 * retries, raw CSV cache), the collection methods shared by refresh and backfill, storing a
 * date, and `rebuild` from the cache. Import from here.
 */
export { createReportSource, toProvenance } from './report-source.ts'
export type {
  FetchContext,
  ReportSource,
  ReportSourceDeps,
  SourcedReport,
} from './report-source.ts'
export { createCollector } from './collector.ts'
export type {
  CollectContext,
  Collector,
  CollectorDeps,
  DistrictOutcome,
  SummaryData,
  SummaryOutcome,
} from './collector.ts'
export { toCellError } from './cell-error.ts'
export type { CellFailure } from './cell-error.ts'
export { NOT_COLLECTED, storeDate, toAllDistrictsFile } from './store-date.ts'
export type { StoredDate } from './store-date.ts'
export { rebuildFromCache } from './rebuild.ts'
export type { RebuildResult } from './rebuild.ts'
