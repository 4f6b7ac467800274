/**
 * Response shapes of the read endpoints the page uses, as the server sends them (see
 * `src/server/http/*-routes.ts`). The backfill job view itself is shared: `BackfillResponse`.
 */
import type { BackfillResponse } from '../../shared/backfill-api.ts'
import type { DistrictStatistics } from '../../shared/district-statistics.ts'
import type { RefreshResult, RefreshStatus } from '../../shared/refresh-api.ts'
import type {
  DistrictFile,
  SnapshotManifest,
  SnapshotMetadata,
} from '../../shared/snapshot-types.ts'

export interface JobPage {
  total: number
  jobs: BackfillResponse[]
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

// Shapes the server defines in src/shared, under the names the page already uses.
export type {
  CoverageCell,
  CoverageDate,
  CoverageReport,
  CoverageStatus,
} from '../../shared/snapshot-types.ts'
export type { DryRunPlan, PlannedCellView } from '../../shared/backfill-api.ts'
export type { RefreshOutcome } from '../../shared/refresh-api.ts'
export type RefreshResultView = RefreshResult
export type RefreshStatusView = RefreshStatus
