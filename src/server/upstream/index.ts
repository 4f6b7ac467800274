/** Public surface of the dashboard client. Import from here, not from the files behind it. */
export { createDashboardClient } from './dashboard-client.ts'
export type { DashboardClient, DashboardClientOptions, ReportRequest } from './dashboard-client.ts'
export { toReportData } from './report-result.ts'
export type { ReportData, ReportResult, ReportUnavailable } from './report-result.ts'
export type { LiveStatus } from './live-status.ts'
export { DEFAULT_LANE, runImmediately } from './http-get.ts'
export type {
  HttpExchange,
  Lane,
  RequestOptions,
  ResponseInfo,
  Schedule,
  ScheduleRequest,
  SendPermit,
} from './http-get.ts'
export { DEFAULT_USER_AGENT } from './user-agent.ts'

export {
  DEFAULT_DASHBOARD_URL,
  buildExportUrl,
  buildLatestUrl,
  buildReportToken,
  planReportRequests,
} from './request-plan.ts'
export type {
  PathKind,
  PlanContext,
  PlannedRequest,
  ReportTokenParts,
  RequestPlan,
} from './request-plan.ts'
export {
  CLOSING_DATE_CORRECTIONS,
  DEFAULT_CLOSING_CALENDAR,
  createClosingCalendar,
  resolveDataMonths,
} from './closing-calendar.ts'
export type { ClosingCalendar } from './closing-calendar.ts'
export { MONTH_ABBREVIATIONS, formatDashboardDate, parseFooter } from './dashboard-date.ts'
export type { FooterLine } from './dashboard-date.ts'

export { classifyBody, looksLikeHtml, parseRetryAfter } from './classify-body.ts'
export type { BodyExpectation, BodyVerdict, ReportFooter, UpstreamAnswer } from './classify-body.ts'
export { parseCsvBody } from './csv-body.ts'
export type { CsvBody } from './csv-body.ts'

export {
  RETRYABLE_CODES,
  UpstreamBodyError,
  UpstreamCancelledError,
  UpstreamError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  UpstreamWrongAnswerError,
  isRetryableCode,
  isRetryableStatus,
  isWrongAnswerCode,
  toUpstreamError,
} from './errors.ts'
export type { BodyErrorCode, UpstreamErrorCode } from './errors.ts'

export {
  REPORT_KEY_COLUMNS,
  parseClubPerformance,
  parseDistrictPerformance,
  parseDistrictSummary,
  parseDivisionPerformance,
  parseReportBody,
  parseReportCsv,
} from './reports/parse-report.ts'
export type { ParsedReport, ReportRowMap } from './reports/parse-report.ts'
export type { ClubPerformanceRow, DistinguishedCode } from './reports/club-performance.ts'
export type { DivisionPerformanceRow, RecognitionGoals } from './reports/division-performance.ts'
export type { DistrictPerformanceRow } from './reports/district-performance.ts'
export type { DistrictSummaryRow } from './reports/district-summary.ts'
export type { CharterSuspendValue, PercentValue, RowBase } from './row-reader.ts'
