/**
 * Fetchers for the same-origin API. Created once with its `fetch` and token source, so tests
 * hand a component a client without touching globals.
 */
import type { BackfillRequest, BackfillResponse } from '../../shared/backfill-api.ts'
import { ApiError } from './api-error.ts'
import type {
  AlertList,
  AvailableDistricts,
  ConfiguredDistricts,
  CoverageQuery,
  CoverageReport,
  DistrictFileView,
  DistrictListUpdate,
  DryRunPlan,
  HealthView,
  HistoryQuery,
  JobEventPage,
  JobPage,
  RefreshResultView,
  RefreshStatusView,
  SnapshotView,
} from './types.ts'
import type { AllDistrictsSeries, DistrictSeries, SeriesMeasure } from '../../shared/api-schemas.ts'

export interface ApiClientOptions {
  /** @default '' (same origin) */
  baseUrl?: string
  fetch?: typeof fetch
  /** Read at each call, so a token typed into the page applies at once. */
  getToken?: () => string | null
}

/** One measure across districts: the `districts` given, or the `top` ones by it. */
export interface AllDistrictsQuery {
  measure: SeriesMeasure
  top?: number
  districts?: string[]
}

interface CallOptions {
  body?: unknown
  signal?: AbortSignal
}

const enc = encodeURIComponent

function backfillPath(backfillId: string, districtId?: string): string {
  return districtId === undefined
    ? `/api/districts/backfill/${enc(backfillId)}`
    : `/api/districts/${enc(districtId)}/backfill/${enc(backfillId)}`
}

function startPath(districtId?: string): string {
  return districtId === undefined
    ? '/api/districts/backfill'
    : `/api/districts/${enc(districtId)}/backfill`
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

async function toApiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '')
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; details?: unknown }
    }
    if (body.error?.message) {
      return new ApiError(
        res.status,
        body.error.code ?? 'ERROR',
        body.error.message,
        body.error.details,
      )
    }
  } catch {
    // Not JSON (a proxy's HTML page): fall through to a generic message.
  }
  return new ApiError(
    res.status,
    'HTTP_ERROR',
    `the server answered ${res.status} ${res.statusText}`,
  )
}

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? ''
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const getToken = options.getToken ?? (() => null)

  async function call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (opts.body !== undefined) headers['content-type'] = 'application/json'
    const token = method === 'GET' ? null : getToken()
    if (token) headers['authorization'] = `Bearer ${token}`
    const res = await doFetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    })
    if (!res.ok) throw await toApiError(res)
    return (await res.json()) as T
  }

  return {
    initiateBackfill: (request: BackfillRequest, districtId?: string) =>
      call<BackfillResponse>('POST', startPath(districtId), {
        body: { ...request, dryRun: false },
      }),
    previewBackfill: (request: BackfillRequest, districtId?: string) =>
      call<DryRunPlan>('POST', startPath(districtId), { body: { ...request, dryRun: true } }),
    getBackfill: (backfillId: string, districtId?: string, signal?: AbortSignal) =>
      call<BackfillResponse>('GET', backfillPath(backfillId, districtId), { signal }),
    cancelBackfill: (backfillId: string, districtId?: string) =>
      call<BackfillResponse>('DELETE', backfillPath(backfillId, districtId)),
    retryBackfill: (backfillId: string) =>
      call<BackfillResponse>('POST', `${backfillPath(backfillId)}/retry`),
    listBackfills: (q: HistoryQuery, signal?: AbortSignal) =>
      call<JobPage>('GET', `/api/districts/backfill${query({ ...q })}`, { signal }),
    coverage: (q: CoverageQuery, signal?: AbortSignal) =>
      call<CoverageReport>(
        'GET',
        `/api/coverage${query({ from: q.from, to: q.to, districts: q.districts?.join(',') })}`,
        { signal },
      ),
    districtFile: (date: string, districtId: string, signal?: AbortSignal) =>
      call<DistrictFileView>('GET', `/api/snapshots/${enc(date)}/districts/${enc(districtId)}`, {
        signal,
      }),
    districtSeries: (districtId: string, signal?: AbortSignal) =>
      call<DistrictSeries>('GET', `/api/districts/${enc(districtId)}/series`, { signal }),
    allDistrictsSeries: (q: AllDistrictsQuery, signal?: AbortSignal) =>
      call<AllDistrictsSeries>(
        'GET',
        `/api/all-districts/series${query({ measure: q.measure, top: q.top, districts: q.districts?.join(',') })}`,
        { signal },
      ),
    snapshotDates: (signal?: AbortSignal) =>
      call<{ current: string | null; snapshots: { asOf: string }[] }>('GET', '/api/snapshots', {
        signal,
      }),
    snapshot: (date: string, signal?: AbortSignal) =>
      call<SnapshotView>('GET', `/api/snapshots/${enc(date)}`, { signal }),
    configuredDistricts: (signal?: AbortSignal) =>
      call<ConfiguredDistricts>('GET', '/api/districts', { signal }),
    replaceDistricts: (districts: readonly string[]) =>
      call<DistrictListUpdate>('PUT', '/api/districts', { body: { districts } }),
    removeDistrict: (districtId: string) =>
      call<DistrictListUpdate>('DELETE', `/api/districts/${enc(districtId)}`),
    availableDistricts: (signal?: AbortSignal) =>
      call<AvailableDistricts>('GET', '/api/districts/available', { signal }),
    health: (signal?: AbortSignal) => call<HealthView>('GET', '/api/health', { signal }),
    alerts: (signal?: AbortSignal) => call<AlertList>('GET', '/api/alerts?limit=100', { signal }),
    jobEvents: (
      backfillId: string,
      page: { offset: number; limit: number },
      signal?: AbortSignal,
    ) =>
      call<JobEventPage>('GET', `${backfillPath(backfillId)}/events${query({ ...page })}`, {
        signal,
      }),
    /** Waits for the run to finish: the answer is its result, not a 202. */
    refresh: () => call<RefreshResultView>('POST', '/api/refresh?wait=true'),
    refreshStatus: (signal?: AbortSignal) =>
      call<RefreshStatusView>('GET', '/api/refresh', { signal }),
  }
}

export type ApiClient = ReturnType<typeof createApiClient>
