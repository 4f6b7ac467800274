/**
 * The backfill domain's public surface: the service, the job queue and the worker the
 * composition root builds, the event stream they publish, and the few helpers the HTTP layer
 * and tests read it with. Everything else in this folder (request validation, scope, strategy,
 * the pure plan, the job reducer and the executor) is reached through them; see
 * docs/architecture.md#the-job-model for how those pieces fit together.
 */
export { cellKey } from './cell-ref.ts'
export type { JobEvent } from './job-events.ts'
export type { JobState } from './job-state.ts'
export { toBackfillResponse } from './job-view.ts'
export { BackfillError } from './errors.ts'
export type { BackfillErrorCode } from './errors.ts'
export { parseBackfillRequest } from './resolve-request.ts'
export { createBackfillService } from './backfill-service.ts'
export { createInProcessJobQueue } from './in-process-job-queue.ts'
export { startJobWorker } from './job-worker.ts'
export type { BackfillService, InitiateOptions } from './backfill-service.ts'
