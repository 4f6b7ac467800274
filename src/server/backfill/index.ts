/**
 * The BackfillService (`createBackfillService`, listed last) and the pure core it builds on:
 * request validation, scope, strategy, plan and the job reducer. The core does no I/O; the
 * executor (`runBackfill`) and the service use it in this order:
 *
 * 1. `safeParseBackfillRequest(body, { today })`: 400 with `issues` when not ok.
 * 2. `resolveScope({ request, configuredDistricts, kind, districtId })`: 400 on SCOPE_EMPTY.
 * 3. `selectCollectionStrategy({ collectionType, scopeSize, openScope, targetDistricts })`.
 * 4. `planBackfill({ request, scope, strategy, existing, latestPublishedAsOf })`: a dry run
 *    answers with this plan.
 * 5. `createJobState({ type: 'job:queued', at, job: { ..., cells: planCellRefs(plan) } })`, then
 *    fold each event the executor emits with `applyJobEvent`: `cell:skipped` and
 *    `cell:unavailable` for the plan's skip and unavailable cells, fetch outcomes for the rest;
 *    for an open-scope date, `date:expanded` once its summary is read, then `planDateCells`
 *    tells which of the new cells to fetch.
 * 6. `toBackfillResponse(state, { nowMs, performanceStatus })` for the API.
 *
 * Retrying a finished job's failures: `planBackfill({ ..., only: planRetry(listCells(state)) })`.
 */
export {
  checkDateRange,
  FIRST_ARCHIVED_DATE,
  MAX_RANGE_DAYS,
  MAX_TARGET_DISTRICTS,
  safeParseBackfillRequest,
} from './resolve-request.ts'
export type {
  ParseRequestContext,
  RequestIssue,
  SafeParseBackfillRequestResult,
} from './resolve-request.ts'

export { isDistrictInScope, resolveScope, toWireScope } from './scope-manager.ts'
export type {
  JobKind,
  ResolvedScope,
  ResolveScopeInput,
  ResolveScopeResult,
} from './scope-manager.ts'

export {
  AUTO_PER_DISTRICT_MAX,
  OPEN_SCOPE_ASSUMED_DISTRICTS,
  REPORTS_PER_DISTRICT,
  requestsPerDistrictDate,
  selectCollectionStrategy,
} from './data-source-selector.ts'
export type { SelectStrategyInput } from './data-source-selector.ts'

export { cellKey, compareCellRefs, WHOLE_DATE } from './cell-ref.ts'
export type { CellRef } from './cell-ref.ts'

export {
  countRequests,
  isUnpublished,
  planBackfill,
  planCellRefs,
  planDateCells,
  planRetry,
  satisfiesDetail,
} from './plan-backfill.ts'
export type {
  BackfillPlan,
  CellAction,
  ExistingDetail,
  PlanBackfillInput,
  PlanCounts,
  PlanDateCellsInput,
  PlannedCell,
  PlannedOpenDate,
  PlanRequests,
} from './plan-backfill.ts'

export type { JobEvent, JobEventOf, JobEventType, JobSpec } from './job-events.ts'
export {
  applyJobEvent,
  createJobState,
  getCell,
  hasFailures,
  listCells,
  replayJobEvents,
} from './job-state.ts'
export type {
  CellLedger,
  CellRecord,
  JobDistrictProgress,
  JobProgress,
  JobState,
} from './job-state.ts'
export { getLedgerDay, listLedgerCells } from './cell-ledger.ts'
export type { LedgerDay } from './cell-ledger.ts'
export { recountDistrict } from './job-ledger.ts'
export { computeEta, computePartialSnapshots, toBackfillResponse } from './job-view.ts'
export type { BackfillViewExtras, Eta } from './job-view.ts'

export { BACKFILL_ERROR_STATUS, BackfillError } from './errors.ts'
export { parseBackfillRequest } from './resolve-request.ts'
export type { BackfillErrorCode } from './errors.ts'
export { FatalJobError, runBackfill } from './run-backfill.ts'
export type { RunContext, RunDeps } from './run-backfill.ts'
export { createBackfillService } from './backfill-service.ts'
export type {
  BackfillService,
  BackfillServiceDeps,
  InitiateOptions,
  InitiateResult,
  ListQuery,
} from './backfill-service.ts'
