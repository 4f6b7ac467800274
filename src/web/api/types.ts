/**
 * Response shapes of the endpoints the page uses. They are declared once, in src/shared (the
 * zod schemas of `api-schemas.ts`, which the routes answer with, and the wire types); this file
 * gives them the names the page uses, plus the page's own query shapes.
 */
import type { BackfillResponse } from '../../shared/backfill-api.ts'
import type { DistrictStatistics } from '../../shared/district-statistics.ts'
import type { RefreshResult, RefreshStatus } from '../../shared/refresh-api.ts'
import type { DistrictFile } from '../../shared/snapshot-types.ts'

export type DistrictFileView = DistrictFile<DistrictStatistics>

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
  AlertList,
  AlertView,
  AvailableDistricts,
  ConfiguredDistricts,
  DistrictListUpdate,
  HealthView,
  JobEventPage,
  JobPage,
  SnapshotView,
} from '../../shared/api-schemas.ts'
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
