/**
 * Wire types of the backfill API (docs/architecture.md#wire-and-disk-shapes). JSON-safe: ISO strings, arrays
 * and records only. Wire names existing clients already use (`processing`, `partial_success`) keep
 * their spelling.
 */
import type { ErrorCode } from './error-codes.ts'
import type { DetailLevel } from './snapshot-types.ts'

export type CollectionType = 'system-wide' | 'per-district' | 'auto'

/**
 * Which as-of days of the range are asked for (README's "Backfill request"): every day, every
 * 7th day from startDate, each data month's final as-of, each program year's final as-of.
 */
export const CADENCES = ['daily', 'weekly', 'month-end', 'year-end'] as const
export type Cadence = (typeof CADENCES)[number]

/**
 * Which cells of the range a job fetches again (README's "Backfill request"): only those never
 * stored (a recorded failure is skipped), those and the recorded failures, or every cell.
 */
export const REPROCESS_CHOICES = ['missing', 'missing-and-failed', 'all'] as const
export type Reprocess = (typeof REPROCESS_CHOICES)[number]

export interface BackfillRequest {
  targetDistricts?: string[]
  /** Required unless `dates` is given (then it defaults to the first of them). */
  startDate?: string
  /** @default startDate (with `dates`: the last of them) */
  endDate?: string
  /** @default 'daily'; not together with `dates` */
  cadence?: Cadence | null
  /** An explicit list of as-of days instead of a cadence. */
  dates?: string[] | null
  /** @default 'auto' */
  collectionType?: CollectionType
  /** Districts processed at once within the job. @default 3 */
  concurrency?: number
  /** Retry retryable failures with backoff. @default true */
  retryFailures?: boolean
  /** Skip cells already stored at the needed detail and valid. @default true */
  skipExisting?: boolean
  /** @default 'missing-and-failed' ('all' when skipExisting is false) */
  reprocess?: Reprocess
  /** Minimum gap between two upstream requests of this job. @default 0 */
  rateLimitDelayMs?: number
  /** Use the raw CSV cache instead of the network when it holds the body. @default true */
  enableCaching?: boolean
  /** Return the plan without starting anything. @default false */
  dryRun?: boolean
}

/** Request after defaults: every field present. */
export interface ResolvedBackfillRequest {
  targetDistricts: string[] | null
  startDate: string
  endDate: string
  /** null when `dates` lists the days. */
  cadence: Cadence | null
  /** Sorted, without duplicates; null when a cadence chooses the days. */
  dates: string[] | null
  collectionType: CollectionType
  concurrency: number
  retryFailures: boolean
  /** False exactly when `reprocess` is 'all'. */
  skipExisting: boolean
  reprocess: Reprocess
  rateLimitDelayMs: number
  enableCaching: boolean
  dryRun: boolean
}

export const JOB_STATUSES = [
  'queued',
  'processing',
  'complete',
  'partial_success',
  'error',
  'cancelled',
] as const

export type JobStatus = (typeof JOB_STATUSES)[number]

export const TERMINAL_STATUSES: readonly JobStatus[] = [
  'complete',
  'partial_success',
  'error',
  'cancelled',
]

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status)
}

export interface ScopeExclusion {
  districtId: string
  reason: 'not-configured' | 'malformed' | 'not-in-summary'
  message: string
}

export interface BackfillScope {
  targetDistricts: string[]
  configuredDistricts: string[]
  scopeType: 'system-wide' | 'targeted' | 'single-district'
  validationPassed: boolean
  excluded: ScopeExclusion[]
}

export interface CollectionStrategy {
  type: 'system-wide' | 'per-district'
  detail: DetailLevel
  refreshMethod: { name: 'getAllDistricts' | 'getDistrictPerformance' | 'getMultipleDistricts' }
  rationale: string
  /** Upstream requests per district-date. */
  estimatedEfficiency: number
  targetDistricts?: string[]
}

/**
 * `unavailable` = nothing published for the cell; `not-a-district` = the date's own summary does
 * not list the district (docs/upstream.md#the-district-set-of-a-date), so nothing was asked.
 */
export type CellState =
  | 'pending'
  | 'completed'
  | 'skipped'
  | 'unavailable'
  | 'not-a-district'
  | 'failed'
  | 'cancelled'

export interface CellError {
  code: ErrorCode
  message: string
  retryable: boolean
  attempts: number
  at: string
  httpStatus?: number
}

export interface DistrictProgress {
  districtId: string
  status: 'pending' | 'processing' | 'completed' | 'failed' | 'skipped'
  datesProcessed: number
  datesTotal: number
  lastError?: string
  successfulDates: string[]
  failedDates: string[]
  retryCount: number
}

export interface BackfillProgress {
  total: number
  completed: number
  skipped: number
  unavailable: number
  /** Cells whose district is not in that date's summary. */
  notADistrict: number
  failed: number
  current: string
  /** A record, not a Map: JSON has no Map. */
  districtProgress: Record<string, DistrictProgress>
  partialSnapshots: number
  totalErrors: number
  retryableErrors: number
  permanentErrors: number
  /** Estimated time of completion from measured throughput; null until measurable. */
  etaSeconds: number | null
  cellsPerMinute: number | null
}

export interface PartialSnapshotResult {
  snapshotId: string
  successfulDistricts: string[]
  failedDistricts: string[]
  errors: { districtId: string; code: ErrorCode; message: string }[]
}

export interface PerformanceStatus {
  rateLimiter: { currentCount: number; maxRequests: number; windowMs: number; nextResetAt: string }
  concurrencyLimiter: { activeSlots: number; maxConcurrent: number; queueLength: number }
  intermediateCache: { hitRate: number; entryCount: number; sizeBytes: number }
}

export interface BackfillResponse {
  backfillId: string
  status: JobStatus
  type: 'global' | 'district'
  districtId?: string
  request: ResolvedBackfillRequest
  scope: BackfillScope
  progress: BackfillProgress
  collectionStrategy: CollectionStrategy
  /** A retry: the job whose unfinished cells this one runs. */
  retryOf?: string
  error?: string
  /** Dates on which none of the requested districts is a district (the job is not `complete`). */
  warnings?: string[]
  snapshotIds: string[]
  createdAt: string
  startedAt: string | null
  completedAt: string | null
  /** Why the job is waiting (circuit open, queued behind others), and until when. */
  pausedReason: string | null
  pausedUntil: string | null
  errorSummary?: {
    totalErrors: number
    retryableErrors: number
    permanentErrors: number
    affectedDistricts: string[]
    partialSnapshots: number
  }
  partialSnapshots?: PartialSnapshotResult[]
  performanceStatus?: PerformanceStatus
}

export interface PlannedCellView {
  date: string
  districtId: string
  action: 'fetch' | 'skip' | 'unavailable' | 'not-a-district'
  /** What storage already holds for the cell (null: nothing valid). */
  stored: DetailLevel | null
  /** Present when the date's snapshot records a failure for the district (see `Reprocess`). */
  why?: 'recorded-failure'
}

/** `POST .../backfill` with `dryRun: true` answers this plan instead of starting a job. */
export interface DryRunPlan {
  dryRun: true
  request: ResolvedBackfillRequest
  scope: BackfillScope
  collectionStrategy: CollectionStrategy
  dates: number
  /** The as-of days the request's cadence (or dates list) chose, oldest first. */
  chosenDates: string[]
  counts: { total: number; fetch: number; skip: number; unavailable: number; notADistrict: number }
  requests: { summary: number; perDistrict: number; total: number; exact: boolean }
  cells: PlannedCellView[]
  openDates: { date: string; action: 'fetch-summary' | 'unavailable'; districts: 'from-summary' }[]
}
