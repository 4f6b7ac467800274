/**
 * Query keys, fetchers and polling defined once (docs/architecture.md#web-page): hooks and components only pick a
 * factory. Every factory takes the ApiClient so tests can hand in their own.
 */
import { queryOptions, skipToken } from '@tanstack/react-query'
import { isTerminal, type BackfillResponse } from '../../shared/backfill-api.ts'
import type { AllDistrictsQuery, ApiClient } from './client.ts'
import { ApiError } from './api-error.ts'
import type { CoverageQuery, HistoryQuery, RefreshStatusView } from './types.ts'

/** How often a running job is polled. */
export const JOB_POLL_MS = 1000
/** How often the history list is polled while one of its jobs is still running. */
export const HISTORY_POLL_MS = 3000
/** How often the refresh status is polled while a run (e.g. the scheduled one) is going. */
export const REFRESH_POLL_MS = 2000

export const queryKeys = {
  backfills: ['backfills'] as const,
  job: (backfillId: string, districtId: string | null) =>
    ['backfills', 'job', backfillId, districtId] as const,
  history: (q: HistoryQuery) => ['backfills', 'history', q] as const,
  coverage: (q: CoverageQuery) => ['coverage', q] as const,
  districtFile: (date: string, districtId: string) => ['district-file', date, districtId] as const,
  snapshot: (date: string) => ['snapshot', date] as const,
  snapshotDates: ['snapshot', 'dates'] as const,
  districtSeries: (districtId: string) => ['series', 'district', districtId] as const,
  allDistrictsSeries: (q: AllDistrictsQuery) => ['series', 'all-districts', q] as const,
  configured: ['districts', 'configured'] as const,
  available: ['districts', 'available'] as const,
  health: ['health'] as const,
  alerts: ['alerts'] as const,
  jobEvents: (backfillId: string, offset: number) =>
    ['backfills', 'events', backfillId, offset] as const,
  refresh: ['refresh'] as const,
}

/**
 * What a refresh can change: the grid, stored snapshots and district files (a restatement
 * rewrites them), health (current as-of, circuit), the newest summary's districts, and its
 * own status. Prefixes, so every range and date is covered.
 */
export const REFRESH_AFFECTS: readonly (readonly string[])[] = [
  ['coverage'],
  ['snapshot'],
  ['district-file'],
  ['series'],
  queryKeys.health,
  queryKeys.available,
  queryKeys.refresh,
]

/** Poll until the job ends; a job the server no longer knows is not polled either. */
export function jobPollInterval(job: BackfillResponse | undefined, error: unknown): number | false {
  if (error instanceof ApiError && error.status === 404) return false
  return job && isTerminal(job.status) ? false : JOB_POLL_MS
}

export function historyPollInterval(jobs: readonly BackfillResponse[] | undefined): number | false {
  return jobs?.some((j) => !isTerminal(j.status)) ? HISTORY_POLL_MS : false
}

export function refreshPollInterval(status: RefreshStatusView | undefined): number | false {
  return status?.state === 'running' ? REFRESH_POLL_MS : false
}

export function backfillStatusOptions(
  api: ApiClient,
  backfillId: string | null,
  districtId?: string,
) {
  return queryOptions({
    queryKey: queryKeys.job(backfillId ?? '', districtId ?? null),
    queryFn: backfillId
      ? ({ signal }) => api.getBackfill(backfillId, districtId, signal)
      : skipToken,
    refetchInterval: (q) => jobPollInterval(q.state.data, q.state.error),
  })
}

export function jobHistoryOptions(api: ApiClient, q: HistoryQuery) {
  return queryOptions({
    queryKey: queryKeys.history(q),
    queryFn: ({ signal }) => api.listBackfills(q, signal),
    refetchInterval: (query) => historyPollInterval(query.state.data?.jobs),
    placeholderData: (previous) => previous,
  })
}

export function coverageOptions(api: ApiClient, q: CoverageQuery | null) {
  return queryOptions({
    queryKey: queryKeys.coverage(q ?? { from: '', to: '' }),
    queryFn: q ? ({ signal }) => api.coverage(q, signal) : skipToken,
  })
}

export function districtFileOptions(api: ApiClient, date: string, districtId: string) {
  return queryOptions({
    queryKey: queryKeys.districtFile(date, districtId),
    queryFn: ({ signal }) => api.districtFile(date, districtId, signal),
  })
}

export function districtSeriesOptions(api: ApiClient, districtId: string) {
  return queryOptions({
    queryKey: queryKeys.districtSeries(districtId),
    queryFn: ({ signal }) => api.districtSeries(districtId, signal),
  })
}

export function allDistrictsSeriesOptions(api: ApiClient, q: AllDistrictsQuery) {
  return queryOptions({
    queryKey: queryKeys.allDistrictsSeries(q),
    queryFn: ({ signal }) => api.allDistrictsSeries(q, signal),
    placeholderData: (previous) => previous,
  })
}

/** Every stored date: the coverage view opens on the range that holds data. */
export function snapshotDatesOptions(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.snapshotDates,
    queryFn: ({ signal }) => api.snapshotDates(signal),
  })
}

export function snapshotOptions(api: ApiClient, date: string) {
  return queryOptions({
    queryKey: queryKeys.snapshot(date),
    queryFn: ({ signal }) => api.snapshot(date, signal),
  })
}

export function configuredDistrictsOptions(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.configured,
    queryFn: ({ signal }) => api.configuredDistricts(signal),
  })
}

export function availableDistrictsOptions(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.available,
    queryFn: ({ signal }) => api.availableDistricts(signal),
    staleTime: 60_000,
  })
}

/** How often health and alerts are polled: the header follows the circuit within seconds. */
export const HEALTH_POLL_MS = 3000

export function healthOptions(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.health,
    queryFn: ({ signal }) => api.health(signal),
    refetchInterval: HEALTH_POLL_MS,
  })
}

export function alertsOptions(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.alerts,
    queryFn: ({ signal }) => api.alerts(signal),
    refetchInterval: HEALTH_POLL_MS,
  })
}

/** Events shown per page of a job's event log. */
export const JOB_EVENTS_PAGE = 50

export function jobEventsOptions(api: ApiClient, backfillId: string, offset: number) {
  return queryOptions({
    queryKey: queryKeys.jobEvents(backfillId, offset),
    queryFn: ({ signal }) => api.jobEvents(backfillId, { offset, limit: JOB_EVENTS_PAGE }, signal),
    placeholderData: (previous) => previous,
  })
}

export function refreshStatusOptions(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.refresh,
    queryFn: ({ signal }) => api.refreshStatus(signal),
    refetchInterval: (q) => refreshPollInterval(q.state.data),
  })
}
