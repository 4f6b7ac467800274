/**
 * One report for one date, from the raw CSV cache when allowed, else from the dashboard through
 * the politeness budget with retries. Every body fetched is stored in the cache exactly as
 * received, so history can be re-derived later with no network (`rebuild`).
 *
 * A report another caller (another job) is collecting right now is awaited, then read from the
 * cache, rather than collected a second time: a cell two overlapping jobs share costs its
 * requests once.
 */
import type { Logger } from 'pino'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import type { ReportKind, SourceProvenance } from '../../shared/snapshot-types.ts'
import { withRetries, type RetryPolicy } from '../politeness/index.ts'
import type { RawCsvCache } from '../storage/index.ts'
import {
  UpstreamCancelledError,
  parseReportBody,
  toReportData,
  type DashboardClient,
  type Lane,
  type ReportData,
  type ReportResult,
} from '../upstream/index.ts'

export interface FetchContext {
  signal?: AbortSignal
  /** Use the raw CSV cache. @default true */
  useCache?: boolean
  /** Retry retryable failures. @default true */
  retry?: boolean
  /**
   * The data month a cache hit must carry (null = a body without a footer); network answers are
   * not filtered. @default the latest month the cache holds for the date
   * (docs/architecture.md#one-as-of-two-data-months)
   */
  dataMonth?: YearMonth | null
  /** The budget's lane every request of this fetch is billed to. @default the client's default lane */
  lane?: Lane
  onRetry?: (info: {
    report: ReportKind
    districtId: string | null
    attempt: number
    error: unknown
  }) => void
}

export type SourcedReport<R extends ReportKind> =
  | (ReportData<R> & { fromCache: boolean; attempts: number })
  | (Extract<ReportResult<R>, { kind: 'unavailable' }> & { attempts: number })

export interface ReportSourceDeps {
  client: DashboardClient
  rawCache: RawCsvCache
  retryPolicy: RetryPolicy
  /** Retries of a body that names another as-of or month (a stale or wrong-date answer). */
  wrongAnswerRetries: number
  logger: Logger
}

export function createReportSource(deps: ReportSourceDeps) {
  /** Cache-or-fetch collections under way, by date, report and district. */
  const collecting = new Map<string, Promise<unknown>>()

  async function fromCache<R extends ReportKind>(
    report: R,
    districtId: string | null,
    date: IsoDate,
    dataMonth: YearMonth | null | undefined,
  ): Promise<SourcedReport<R> | null> {
    const hit = await deps.rawCache.get(date, report, districtId, dataMonth)
    if (!hit || !hit.meta.footer) return null
    try {
      const parsed = parseReportBody(report, hit.body, hit.meta.url)
      if (parsed.rows.length === 0) return null
      const data = toReportData({
        report,
        districtId,
        requestedAsOf: date,
        asOf: hit.meta.asOf,
        dataMonth: hit.meta.footer.dataMonth,
        url: hit.meta.url,
        httpStatus: hit.meta.status,
        fetchedAt: hit.meta.fetchedAt,
        body: hit.body,
        sizeBytes: hit.meta.sizeBytes,
        sha256: hit.meta.sha256,
        footer: hit.meta.footer,
        parsed,
      })
      return { ...data, fromCache: true, attempts: 0 }
    } catch (error) {
      deps.logger.warn(
        { err: error, report, districtId, date },
        'cached body no longer parses; fetching again',
      )
      return null
    }
  }

  async function fromNetwork<R extends ReportKind>(
    report: R,
    districtId: string | null,
    date: IsoDate | null,
    ctx: FetchContext,
  ): Promise<SourcedReport<R>> {
    const request = { report, districtId, signal: ctx.signal, lane: ctx.lane }
    const retry = ctx.retry ?? true
    const { value, attempts } = await withRetries(
      () =>
        date === null
          ? deps.client.fetchLatest<R>(request)
          : deps.client.fetchReport<R>({ ...request, asOf: date }),
      {
        policy: retry ? deps.retryPolicy : { ...deps.retryPolicy, maxAttempts: 1 },
        wrongAnswerRetries: retry ? deps.wrongAnswerRetries : 0,
        signal: ctx.signal,
        onRetry: (n, error) => ctx.onRetry?.({ report, districtId, attempt: n, error }),
      },
    )
    if (value.kind === 'unavailable') return { ...value, attempts }
    await store(value)
    return { ...value, fromCache: false, attempts }
  }

  async function store(data: ReportData): Promise<void> {
    try {
      await deps.rawCache.put({
        asOf: data.asOf,
        report: data.report,
        districtId: data.districtId,
        body: data.body,
        meta: {
          url: data.url,
          fetchedAt: data.fetchedAt,
          status: data.httpStatus,
          footer: data.footer,
          requestedAsOf: data.requestedAsOf,
        },
      })
    } catch (error) {
      // The snapshot can still be written; only the ability to rebuild offline is lost.
      deps.logger.error(
        { err: error, report: data.report, asOf: data.asOf },
        'could not store raw CSV body',
      )
    }
  }

  return {
    /** The report as published for `date`; cache first when allowed. */
    async get<R extends ReportKind>(
      report: R,
      districtId: string | null,
      date: IsoDate,
      ctx: FetchContext = {},
    ): Promise<SourcedReport<R>> {
      if (!(ctx.useCache ?? true)) return fromNetwork(report, districtId, date, ctx)
      const key = `${date}|${report}|${districtId ?? ''}|${ctx.dataMonth === undefined ? '*' : (ctx.dataMonth ?? '')}`
      for (let other = collecting.get(key); other; other = collecting.get(key)) {
        // Whatever its outcome: a success is in the cache now, a failure is retried here.
        await settledOrAborted(other, ctx.signal)
      }
      const collection = (async () =>
        (await fromCache(report, districtId, date, ctx.dataMonth)) ??
        fromNetwork(report, districtId, date, ctx))()
      collecting.set(key, collection)
      void collection
        .catch(() => undefined)
        .then(() => {
          if (collecting.get(key) === collection) collecting.delete(key)
        })
      return collection
    },
    /** Whether the raw CSV cache holds this report's body for `date` (no network). */
    isCached(
      report: ReportKind,
      districtId: string | null,
      date: IsoDate,
      dataMonth?: YearMonth | null,
    ): Promise<boolean> {
      return deps.rawCache.has(date, report, districtId, dataMonth)
    },
    /** The newest published body (root, empty date slots); never from the cache. */
    latest<R extends ReportKind>(report: R, districtId: string | null, ctx: FetchContext = {}) {
      return fromNetwork(report, districtId, null, ctx)
    },
    /** Bypasses the cache: used by refresh to notice restatements under an unchanged as-of. */
    fresh<R extends ReportKind>(
      report: R,
      districtId: string | null,
      date: IsoDate,
      ctx: FetchContext = {},
    ) {
      return fromNetwork(report, districtId, date, ctx)
    },
  }
}

export type ReportSource = ReturnType<typeof createReportSource>

export function toProvenance(data: ReportData & { fromCache: boolean }): SourceProvenance {
  return {
    report: data.report,
    districtId: data.districtId,
    url: data.url,
    fetchedAt: data.fetchedAt,
    httpStatus: data.httpStatus,
    sizeBytes: data.sizeBytes,
    sha256: data.sha256,
    footer: data.footer,
    rowCount: data.rowCount,
    fromCache: data.fromCache,
  }
}

/** Resolves once `other` settles; rejects at once as cancelled when `signal` aborts first. */
function settledOrAborted(other: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new UpstreamCancelledError(null, { cause: signal.reason }))
    const onAbort = () => reject(new UpstreamCancelledError(null, { cause: signal?.reason }))
    signal?.addEventListener('abort', onAbort, { once: true })
    const done = () => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }
    other.then(done, done)
  })
}
