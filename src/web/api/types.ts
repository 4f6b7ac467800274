/**
 * Response shapes of the read endpoints the page uses, as the server sends them (see
 * `src/server/http/*-routes.ts`). The backfill job view itself is shared: `BackfillResponse`.
 */
import type {
  BackfillResponse,
  CellError,
  ResolvedBackfillRequest,
} from '../../shared/backfill-api.ts'
import type { DistrictStatistics } from '../../shared/district-statistics.ts'
import type {
  DetailLevel,
  DistrictFile,
  SnapshotManifest,
  SnapshotMetadata,
} from '../../shared/snapshot-types.ts'

export interface PlannedCellView {
  date: string
  districtId: string
  action: 'fetch' | 'skip' | 'unavailable'
  stored: DetailLevel | null
}

/** `POST .../backfill` with `dryRun: true` answers this plan instead of starting a job. */
export interface DryRunPlan {
  dryRun: true
  request: ResolvedBackfillRequest
  scope: BackfillResponse['scope']
  collectionStrategy: BackfillResponse['collectionStrategy']
  dates: number
  counts: { total: number; fetch: number; skip: number; unavailable: number }
  requests: { summary: number; perDistrict: number; total: number; exact: boolean }
  cells: PlannedCellView[]
  openDates: { date: string; action: 'fetch-summary' | 'unavailable'; districts: 'from-summary' }[]
}

export interface JobPage {
  total: number
  jobs: BackfillResponse[]
}

export type CoverageStatus = 'ok' | 'failed' | 'missing'

export interface CoverageCell {
  detail: DetailLevel | null
  status: CoverageStatus
}

export interface CoverageDate {
  asOf: string
  /** Status of that date's snapshot; null when none is stored. */
  snapshot: SnapshotMetadata['status'] | null
  districts: Record<string, CoverageCell>
}

export interface CoverageReport {
  from: string
  to: string
  districtIds: string[]
  dates: CoverageDate[]
}

export type DistrictFileView = DistrictFile<DistrictStatistics>

export interface SnapshotView {
  metadata: SnapshotMetadata
  manifest: SnapshotManifest | null
}

export interface ConfiguredDistricts {
  configured: string[]
  mode: 'all-in-summary' | 'configured'
}

/** What `PUT /api/districts` and `DELETE /api/districts/:id` answer: the list now stored. */
export interface DistrictListUpdate {
  configured: string[]
}

export type RefreshOutcome = 'written' | 'unchanged' | 'partial' | 'unavailable' | 'failed'

/** One run of the daily refresh (`POST /api/refresh?wait=true`, and `last` of its status). */
export interface RefreshResultView {
  status: RefreshOutcome
  asOf: string | null
  startedAt: string
  finishedAt: string
  districts: {
    written: string[]
    unchanged: string[]
    unavailable: string[]
    failed: { districtId: string; error: CellError }[]
  }
  restated: string[]
  currentMoved: boolean
  message: string
}

export interface RefreshStatusView {
  state: 'idle' | 'running'
  last: RefreshResultView | null
}

export interface AvailableDistricts {
  asOf: string
  districts: { districtId: string; region: string }[]
}

export interface HealthView {
  status: 'ok' | 'degraded'
  version: string
  upstream: { baseUrl: string; circuit: { state: string } }
}

export interface HistoryQuery {
  status?: BackfillResponse['status']
  districtId?: string
  limit: number
  offset: number
}

export interface CoverageQuery {
  from: string
  to: string
  districts?: string[]
}
