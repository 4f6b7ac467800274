/**
 * Works out, before any request is made, what a job will do for every (date, district) cell
 * and how many upstream requests that costs (docs/architecture.md#plan-then-execute). A dry run
 * returns the plan as is. The executor (run-backfill.ts) walks the job's cells date by date and,
 * when it reaches a date, classifies its cells again with the same `planDateCells`, fed what
 * it then knows: the stored file checked, who wrote it, the districts of an open-scope date.
 */
import type {
  CellState,
  CollectionStrategy,
  Reprocess,
  ResolvedBackfillRequest,
} from '../../shared/backfill-api.ts'
import type { DistrictId } from '../../shared/district-id.ts'
import { requestedDates } from './cadence.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { DetailLevel } from '../../shared/snapshot-types.ts'
import { compareCellRefs, WHOLE_DATE } from './cell-ref.ts'
import type { CellRef } from './cell-ref.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { REPORTS_PER_DISTRICT } from './data-source-selector.ts'
import type { ResolvedScope } from './scope-manager.ts'

export type CellAction = 'fetch' | 'skip' | 'unavailable' | 'not-a-district'

/** Why a cell got its action. */
export type CellWhy =
  /** unavailable: the date is after the newest published as-of. */
  | 'unpublished'
  /** not-a-district: the date's stored summary does not list the district. */
  | 'not-in-summary'
  /** skip: stored at the needed detail (and skipExisting is on). */
  | 'stored'
  /** skip: this very job stored it (before a restart lost the event); never fetched twice. */
  | 'stored-by-this-job'
  /** fetch: */
  | 'not-stored'
  | 'less-detail'
  /** fetch: a stored file that fails its checks, or whose raw bodies the cache lost. */
  | 'not-intact'
  /** fetch: stored, but skipExisting is off. */
  | 'refetch'
  /**
   * Not stored, and the date's snapshot records a failure for the district: skip with reprocess
   * `missing`, fetch otherwise.
   */
  | 'recorded-failure'

export interface PlannedCell {
  date: IsoDate
  districtId: DistrictId
  action: CellAction
  why: CellWhy
  /** What storage already holds for the cell (null: nothing valid). */
  stored: DetailLevel | null
}

/** An open-scope date: its districts are whoever the date's summary lists. */
export interface PlannedOpenDate {
  date: IsoDate
  action: 'fetch-summary' | 'unavailable'
  districts: 'from-summary'
}

export interface PlanCounts {
  /** Cells, plus one per open-scope date (it becomes its districts' cells once expanded). */
  total: number
  fetch: number
  skip: number
  unavailable: number
  notADistrict: number
}

export interface PlanRequests {
  summary: number
  perDistrict: number
  total: number
  /** False for an open scope collected per district: those requests depend on the summaries. */
  exact: boolean
}

export interface BackfillPlan {
  dates: IsoDate[]
  /** Known cells, date ascending then district order. Empty for an open scope. */
  cells: PlannedCell[]
  /** Open scope only: one entry per date. */
  openDates: PlannedOpenDate[]
  counts: PlanCounts
  requests: PlanRequests
  strategy: CollectionStrategy
  scope: ResolvedScope
}

/** What storage holds for a cell, as far as the caller has looked. */
export interface StoredCell {
  detail: DetailLevel
  /** The job that wrote it, when known. */
  jobId?: string | null
  /**
   * False when the file fails its checks (parses, detail, sha256 against the manifest) or, with
   * caching on, a raw body it is built from is gone. A plan takes the coverage report's word
   * (unknown = intact); the executor checks before it really skips a cell.
   */
  intact?: boolean
}

export type ExistingCell = (date: IsoDate, districtId: DistrictId) => StoredCell | null

export interface PlanBackfillInput {
  request: ResolvedBackfillRequest
  scope: ResolvedScope
  strategy: CollectionStrategy
  existing: ExistingCell
  /**
   * True when the date's stored summary does not list the district (a snapshot holds only the
   * districts of its own summary); absent or false when it does or no summary is stored.
   */
  notListed?: (date: IsoDate, districtId: DistrictId) => boolean
  /** True when the date's snapshot records a failure for the district (see `isRecordedFailure`). */
  recordedFailure?: (date: IsoDate, districtId: DistrictId) => boolean
  /** Newest as-of the dashboard has published; later dates have nothing to fetch. */
  latestPublishedAsOf: IsoDate | null
  /**
   * Plan only these cells (a retry of failed cells) instead of the request's whole range.
   * WHOLE_DATE refs become open-scope dates.
   */
  only?: readonly CellRef[]
}

/** `full` holds everything `summary` does; `summary` never satisfies `full`. */
export function satisfiesDetail(stored: DetailLevel, needed: DetailLevel): boolean {
  return stored === 'full' || needed === 'summary'
}

/**
 * A recorded failure that counts as one for reprocess `missing`: an error a fetch met. "Not stored
 * yet" announcements and cancellations record that nothing was tried to the end, so those cells
 * are plainly missing.
 */
export function isRecordedFailure(failure: { code: string }): boolean {
  return failure.code !== ErrorCode.NOT_COLLECTED && failure.code !== ErrorCode.CANCELLED
}

/** The request's reprocess choice; a job stored before the field existed has only skipExisting. */
export function reprocessOf(
  request: Pick<ResolvedBackfillRequest, 'skipExisting'> & { reprocess?: Reprocess },
): Reprocess {
  return request.reprocess ?? (request.skipExisting ? 'missing-and-failed' : 'all')
}

export function isUnpublished(date: IsoDate, latestPublishedAsOf: IsoDate | null): boolean {
  return latestPublishedAsOf !== null && date > latestPublishedAsOf
}

export interface PlanDateCellsInput extends Omit<PlanBackfillInput, 'scope' | 'only'> {
  date: IsoDate
  districtIds: readonly DistrictId[]
  /** The job the cells belong to, once it runs: a cell it stored itself is never fetched again. */
  jobId?: string
}

/** The one decision about a cell, for the dry run and for the run. */
function classify(
  input: Omit<PlanDateCellsInput, 'districtIds'>,
  districtId: DistrictId,
): Pick<PlannedCell, 'action' | 'why' | 'stored'> {
  const { date, request, strategy, latestPublishedAsOf, jobId } = input
  // A date not yet published has nothing to fetch, whatever a stale lookup says.
  if (isUnpublished(date, latestPublishedAsOf))
    return { action: 'unavailable', why: 'unpublished', stored: null }
  if (input.notListed?.(date, districtId) === true)
    return { action: 'not-a-district', why: 'not-in-summary', stored: null }
  const found = input.existing(date, districtId)
  const stored = found?.detail ?? null
  const reprocess = reprocessOf(request)
  if (!found) {
    if (input.recordedFailure?.(date, districtId) !== true)
      return { action: 'fetch', why: 'not-stored', stored }
    const action = reprocess === 'missing' ? 'skip' : 'fetch'
    return { action, why: 'recorded-failure', stored }
  }
  if (!satisfiesDetail(found.detail, strategy.detail))
    return { action: 'fetch', why: 'less-detail', stored }
  if (found.intact === false) return { action: 'fetch', why: 'not-intact', stored }
  if (jobId !== undefined && found.jobId === jobId)
    return { action: 'skip', why: 'stored-by-this-job', stored }
  if (reprocess === 'all') return { action: 'fetch', why: 'refetch', stored }
  return { action: 'skip', why: 'stored', stored }
}

/** The cells of one date, classified as planBackfill classifies the cells of a closed scope. */
export function planDateCells(input: PlanDateCellsInput): PlannedCell[] {
  return input.districtIds.map((districtId) => ({
    date: input.date,
    districtId,
    ...classify(input, districtId),
  }))
}

/**
 * Requests the plan makes if every date answers at its first candidate URL. A date costs
 * nothing when none of its cells is fetched; otherwise one summary, plus three reports per
 * fetched cell when collecting per district.
 */
export function countRequests(
  strategy: CollectionStrategy,
  cells: readonly PlannedCell[],
  openDates: readonly PlannedOpenDate[],
): PlanRequests {
  const fetchDates = new Set<IsoDate>()
  let fetchCells = 0
  for (const cell of cells) {
    if (cell.action !== 'fetch') continue
    fetchDates.add(cell.date)
    fetchCells++
  }
  for (const open of openDates) if (open.action === 'fetch-summary') fetchDates.add(open.date)
  const perDistrict = strategy.type === 'per-district' ? REPORTS_PER_DISTRICT * fetchCells : 0
  return {
    summary: fetchDates.size,
    perDistrict,
    total: fetchDates.size + perDistrict,
    exact: !(
      strategy.type === 'per-district' && openDates.some((d) => d.action === 'fetch-summary')
    ),
  }
}

function countActions(cells: readonly PlannedCell[], openDates: readonly PlannedOpenDate[]) {
  const counts: PlanCounts = {
    total: cells.length + openDates.length,
    fetch: 0,
    skip: 0,
    unavailable: 0,
    notADistrict: 0,
  }
  for (const cell of cells)
    counts[cell.action === 'not-a-district' ? 'notADistrict' : cell.action]++
  for (const open of openDates) counts[open.action === 'fetch-summary' ? 'fetch' : 'unavailable']++
  return counts
}

/** An open-scope date before its summary is read: the run asks for the summary exactly when this says so. */
export function planOpenDate(date: IsoDate, latestPublishedAsOf: IsoDate | null): PlannedOpenDate {
  const action = isUnpublished(date, latestPublishedAsOf) ? 'unavailable' : 'fetch-summary'
  return { date, action, districts: 'from-summary' }
}

function refsToPlan(input: PlanBackfillInput): CellRef[] {
  if (input.only) {
    const wanted = input.scope.openScope
      ? input.only
      : input.only.filter((r) => input.scope.targetDistricts.includes(r.districtId))
    return [...wanted].sort(compareCellRefs)
  }
  const dates = requestedDates(input.request)
  if (input.scope.openScope) return dates.map((date) => ({ date, districtId: WHOLE_DATE }))
  return dates.flatMap((date) =>
    input.scope.targetDistricts.map((districtId) => ({ date, districtId })),
  )
}

/**
 * The whole plan of a job. Cells come only from the resolved scope, so nothing outside the
 * configuration is ever planned (Property 7 of docs/properties.md); a retry's cells are
 * filtered the same way.
 */
export function planBackfill(input: PlanBackfillInput): BackfillPlan {
  const refs = refsToPlan(input)
  const cells: PlannedCell[] = []
  const openDates: PlannedOpenDate[] = []
  for (const ref of refs) {
    if (ref.districtId === WHOLE_DATE)
      openDates.push(planOpenDate(ref.date, input.latestPublishedAsOf))
    else cells.push(...planDateCells({ ...input, date: ref.date, districtIds: [ref.districtId] }))
  }
  const dates = [...new Set(refs.map((r) => r.date))]
  return {
    dates,
    cells,
    openDates,
    counts: countActions(cells, openDates),
    requests: countRequests(input.strategy, cells, openDates),
    strategy: input.strategy,
    scope: input.scope,
  }
}

/** The ledger refs a job starts with: every planned cell and open date, pending. */
export function planCellRefs(plan: BackfillPlan): CellRef[] {
  const refs: CellRef[] = [
    ...plan.cells.map(({ date, districtId }) => ({ date, districtId })),
    ...plan.openDates.map(({ date }) => ({ date, districtId: WHOLE_DATE })),
  ]
  return refs.sort(compareCellRefs)
}

const SETTLED: readonly CellState[] = ['completed', 'skipped', 'unavailable', 'not-a-district']

/**
 * Cells of a finished job to run again: every one not settled (completed, skipped,
 * unavailable or not a district): failed ones, and those still pending or cancelled (never run, or in flight)
 * when the job ended by error or cancel.
 */
export function planRetry(ledger: Iterable<CellRef & { state: CellState }>): CellRef[] {
  const out: CellRef[] = []
  for (const cell of ledger) {
    if (!SETTLED.includes(cell.state)) out.push({ date: cell.date, districtId: cell.districtId })
  }
  return out.sort(compareCellRefs)
}
