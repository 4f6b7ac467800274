/**
 * Downloads the dashboard's four CSV exports (docs/upstream.md#client-recipe). One attempt per URL; retries and
 * backoff belong to the layer above. Stateless apart from the live-program-year cache.
 */
import { ErrorCode } from '../../shared/error-codes.ts'
import { createHash } from 'node:crypto'
import { assertIsoDate, programYearOf, todayUtc } from '../../shared/iso-date.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import { parseDistrictId } from '../../shared/district-id.ts'
import type { ReportKind } from '../../shared/snapshot-types.ts'
import { classifyBody } from './classify-body.ts'
import type { BodyExpectation, BodyVerdict } from './classify-body.ts'
import { DEFAULT_CLOSING_CALENDAR, resolveDataMonths } from './closing-calendar.ts'
import type { ClosingCalendar } from './closing-calendar.ts'
import { UpstreamWrongAnswerError } from './errors.ts'
import { httpGet, runImmediately } from './http-get.ts'
import { createInFlight } from './in-flight.ts'
import type {
  HttpExchange,
  HttpGetConfig,
  RequestOptions,
  ResponseInfo,
  Schedule,
} from './http-get.ts'
import { createLiveStatusCache, liveStatusFromFooter, liveYearMaySwitch } from './live-status.ts'
import type { LiveStatus } from './live-status.ts'
import { DEFAULT_DASHBOARD_URL, buildLatestUrl, planReportRequests } from './request-plan.ts'
import type { PlannedRequest, RequestPlan } from './request-plan.ts'
import { toReportData, type ReportData, type ReportResult } from './report-result.ts'
import { DEFAULT_USER_AGENT } from './user-agent.ts'

export interface DashboardClientOptions {
  /** @default 'https://dashboards.toastmasters.org' */
  baseUrl?: string
  /** Per request, including reading the body. @default 30_000 */
  timeoutMs?: number
  /** @default 'toastmasters-backfill/<package version>' */
  userAgent?: string
  /** How long the learned live program year is trusted. @default 600_000 (10 min) */
  liveStatusTtlMs?: number
  /** @default Date.now */
  now?: () => number
  /** Politeness limiter / circuit breaker hook. @default run the task immediately */
  schedule?: Schedule
  onResponse?: (info: ResponseInfo) => void
  /** For tests only; prefer a real loopback server. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch
  /** @default the bundled closing table with the corrections of docs/upstream.md#month-end-closing-periods */
  closingCalendar?: ClosingCalendar
}

export interface ReportRequest<R extends ReportKind> extends RequestOptions {
  report: R
  /** Required for the three district reports, absent for `districtsummary`. */
  districtId?: string | null
  asOf: IsoDate
}

export interface DashboardClient {
  fetchReport<R extends ReportKind>(request: ReportRequest<R>): Promise<ReportResult<R>>
  fetchLatest<R extends ReportKind>(
    request: Omit<ReportRequest<R>, 'asOf'>,
  ): Promise<ReportResult<R>>
  getLiveStatus(request?: RequestOptions): Promise<LiveStatus>
}

interface ClientConfig extends HttpGetConfig {
  baseUrl: string
  liveStatusTtlMs: number
  calendar: ClosingCalendar
}

function resolveConfig(options: DashboardClientOptions): ClientConfig {
  return {
    baseUrl: options.baseUrl ?? DEFAULT_DASHBOARD_URL,
    timeoutMs: options.timeoutMs ?? 30_000,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    liveStatusTtlMs: options.liveStatusTtlMs ?? 600_000,
    now: options.now ?? Date.now,
    schedule: options.schedule ?? runImmediately,
    onResponse: options.onResponse ?? null,
    fetch: options.fetch ?? globalThis.fetch,
    calendar: options.closingCalendar ?? DEFAULT_CLOSING_CALENDAR,
    inFlight: createInFlight<HttpExchange>(),
  }
}

export function createDashboardClient(options: DashboardClientOptions = {}): DashboardClient {
  const config = resolveConfig(options)
  const live = createLiveStatusCache({
    load: (lane) =>
      loadLatest(config, 'districtsummary', null, guessProgramYear(config), { lane }).then(toLive),
    ttlMs: config.liveStatusTtlMs,
    now: config.now,
  })

  async function fetchLatest<R extends ReportKind>(
    request: Omit<ReportRequest<R>, 'asOf'>,
  ): Promise<ReportResult<R>> {
    const districtId = checkDistrict(request.report, request.districtId)
    const programYear = live.peek()?.programYear ?? guessProgramYear(config)
    const outcome = await loadLatest(config, request.report, districtId, programYear, request)
    if (request.report === 'districtsummary') live.remember(toLive(outcome))
    return latestResult(request.report, districtId, outcome)
  }

  return {
    getLiveStatus: (request) => live.get(request),
    fetchLatest,
    fetchReport: async (request) => {
      assertIsoDate(request.asOf, 'asOf')
      const districtId = checkDistrict(request.report, request.districtId)
      const plan = (status: LiveStatus) =>
        planReportRequests(
          { report: request.report, districtId, asOf: request.asOf },
          {
            liveProgramYear: status.programYear,
            calendar: config.calendar,
            baseUrl: config.baseUrl,
          },
        )
      const run = (status: LiveStatus) =>
        runPlan(config, { ...request, districtId }, plan(status), status)
      const held = await live.forDatedRequest(request)
      // July before the switch: a root answer that is empty or of another month may be the
      // switch itself, so the year is asked again (at most once per TTL) and the request planned
      // again if it did switch (docs/performance.md#live-status). A month left out as not live
      // is no such sign: it is what every July date shows before the switch.
      const switched = async () => {
        const fresh = await live.get(request)
        return fresh.programYear !== held.programYear ? fresh : null
      }
      if (!liveYearMaySwitch(held, config.now())) return run(held)
      let result: Awaited<ReturnType<typeof run>>
      try {
        result = await run(held)
      } catch (error) {
        const wrongMonth =
          error instanceof UpstreamWrongAnswerError && error.code === ErrorCode.UPSTREAM_WRONG_MONTH
        const fresh = wrongMonth ? await switched() : null
        if (fresh === null) throw error
        return run(fresh)
      }
      if (result.kind !== 'unavailable') return result
      const fresh = await switched()
      return fresh === null ? result : run(fresh)
    },
  }
}

function checkDistrict(report: ReportKind, districtId: string | null | undefined): string | null {
  if (report === 'districtsummary') {
    if (districtId != null)
      throw new RangeError('districtsummary is for all districts: omit districtId')
    return null
  }
  return parseDistrictId(districtId)
}

/** The root ignores the PY slot (docs/upstream.md#what-each-request-shape-returns), so the calendar's year is a fine first guess. */
function guessProgramYear(config: ClientConfig): string {
  return programYearOf(todayUtc(config.now()))
}

interface LatestOutcome<R extends ReportKind> {
  exchange: HttpExchange
  verdict: BodyVerdict<R>
}

async function loadLatest<R extends ReportKind>(
  config: ClientConfig,
  report: R,
  districtId: string | null,
  programYear: string,
  request: RequestOptions,
): Promise<LatestOutcome<R>> {
  const url = buildLatestUrl({ report, districtId, programYear, baseUrl: config.baseUrl })
  const exchange = await httpGet(config, url, request)
  const expect: BodyExpectation<R> = { report, path: 'root', asOf: null, acceptedMonths: [] }
  return { exchange, verdict: classifyBody(exchange, expect, config.now()) }
}

/** Root answers always carry a footer (classifyBody throws UPSTREAM_NO_FOOTER otherwise). */
function toLive(outcome: LatestOutcome<ReportKind>): LiveStatus {
  const footer = outcome.verdict.footer
  if (footer === null) throw new Error('invariant: root answer without footer was accepted')
  return liveStatusFromFooter(footer)
}

function latestResult<R extends ReportKind>(
  report: R,
  districtId: string | null,
  { exchange, verdict }: LatestOutcome<R>,
): ReportResult<R> {
  const asOf = verdict.footer?.asOf ?? null
  if (verdict.kind === 'data') return toData(report, districtId, verdict.asOf, exchange, verdict)
  const reason = `latest ${report} has zero data rows`
  return {
    kind: 'unavailable',
    report,
    districtId,
    requestedAsOf: asOf,
    urls: [exchange.url],
    reason,
  }
}

async function runPlan<R extends ReportKind>(
  config: ClientConfig,
  request: ReportRequest<R> & { districtId: string | null },
  plan: RequestPlan,
  status: LiveStatus,
): Promise<ReportResult<R>> {
  const candidates = resolveDataMonths(request.asOf, config.calendar)
  const urls: string[] = []
  let wrongMonth: UpstreamWrongAnswerError | null = null
  for (const planned of plan.requests) {
    urls.push(planned.url)
    const exchange = await httpGet(config, planned.url, request)
    const verdict = classifyPlanned(config, request, planned, candidates, exchange)
    if (verdict instanceof UpstreamWrongAnswerError) wrongMonth = verdict
    else if (verdict.kind === 'data') {
      return toData(request.report, request.districtId, request.asOf, exchange, verdict)
    }
  }
  if (wrongMonth !== null) throw wrongMonth
  const reason = unavailableReason(plan, status)
  return {
    kind: 'unavailable',
    report: request.report,
    districtId: request.districtId,
    requestedAsOf: request.asOf,
    urls,
    reason,
  }
}

/** An archive answer for another month is a reason to try the next candidate, not to stop. */
function classifyPlanned<R extends ReportKind>(
  config: ClientConfig,
  request: ReportRequest<R>,
  planned: PlannedRequest,
  candidates: string[],
  exchange: HttpExchange,
): BodyVerdict<R> | UpstreamWrongAnswerError {
  const acceptedMonths = planned.path === 'root' ? candidates : [planned.dataMonth]
  const expect = { report: request.report, path: planned.path, asOf: request.asOf, acceptedMonths }
  try {
    return classifyBody(exchange, expect, config.now())
  } catch (error) {
    const isWrongMonth =
      error instanceof UpstreamWrongAnswerError && error.code === ErrorCode.UPSTREAM_WRONG_MONTH
    if (isWrongMonth && planned.path === 'archive') return error
    throw error
  }
}

function unavailableReason(plan: RequestPlan, status: LiveStatus): string {
  const tried = plan.requests.map((r) => r.dataMonth)
  const parts = tried.length > 0 ? [`zero data rows for data month ${tried.join(', then ')}`] : []
  for (const s of plan.skipped) {
    parts.push(
      `${s.dataMonth} (program year ${s.programYear}) is not published yet: live year is ${status.programYear}`,
    )
  }
  return parts.join('; ')
}

function toData<R extends ReportKind>(
  report: R,
  districtId: string | null,
  requestedAsOf: IsoDate,
  exchange: HttpExchange,
  verdict: Extract<BodyVerdict<R>, { kind: 'data' }>,
): ReportData<R> {
  return toReportData({
    report,
    districtId,
    requestedAsOf,
    asOf: verdict.asOf,
    dataMonth: verdict.dataMonth,
    url: exchange.url,
    httpStatus: exchange.status,
    fetchedAt: new Date(exchange.receivedAtMs).toISOString(),
    body: exchange.text,
    sizeBytes: exchange.bytes.byteLength,
    sha256: createHash('sha256').update(exchange.bytes).digest('hex'),
    footer: verdict.footer,
    parsed: verdict.parsed,
  })
}
