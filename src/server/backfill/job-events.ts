/**
 * Everything that can happen to a backfill job, as typed `noun:verb` events (docs/architecture.md#the-job-model). The
 * executor emits them; the reducer in job-state.ts folds them into the job's state, and the
 * registry, logs and tests subscribe to the same stream. Every event carries `at`, an ISO
 * instant from the injected clock, so folding stays pure.
 */
import type {
  CellError,
  CollectionStrategy,
  ResolvedBackfillRequest,
} from '../../shared/backfill-api.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { DetailLevel } from '../../shared/snapshot-types.ts'
import type { CellRef } from './cell-ref.ts'
import type { JobKind, ResolvedScope } from './scope-manager.ts'

/** What a job is: fixed when it is queued. */
export interface JobSpec {
  backfillId: string
  kind: JobKind
  /** The district of a district-scoped job, else null. */
  districtId: string | null
  request: ResolvedBackfillRequest
  scope: ResolvedScope
  strategy: CollectionStrategy
  /** The ledger to start with, all pending (see `planCellRefs`). */
  cells: CellRef[]
  /** The job whose unfinished cells this one runs (a retry); absent otherwise. */
  retryOf?: string | null
}

interface At {
  at: string
}

/** Cell events name the cell they move. */
type CellEventBase = At & CellRef

export type JobEvent =
  | (At & { type: 'job:queued'; job: JobSpec })
  | (At & { type: 'job:started' })
  /** Open scope: the date's summary named its districts; the whole-date cell becomes theirs. */
  | (At & { type: 'date:expanded'; date: IsoDate; districtIds: string[] })
  | (CellEventBase & { type: 'cell:started' })
  | (CellEventBase & {
      type: 'cell:completed'
      asOf: IsoDate
      snapshotId: string
      bytes: number
      detail: DetailLevel
    })
  /** Already stored at the needed detail; `detail` is what storage holds. */
  | (CellEventBase & { type: 'cell:skipped'; detail?: DetailLevel })
  | (CellEventBase & { type: 'cell:unavailable'; reason?: string })
  /** The date's summary (as of `summaryAsOf`) does not list the district: nothing was asked. */
  | (CellEventBase & { type: 'cell:not-a-district'; summaryAsOf: IsoDate; reason: string })
  /** Attempt number `attempt` failed with a retryable error; another attempt follows. */
  | (CellEventBase & { type: 'cell:retrying'; attempt: number; error: CellError })
  | (CellEventBase & { type: 'cell:failed'; error: CellError })
  | (At & { type: 'job:cancelled' })
  /** Every cell has run: the reducer works out the final status. */
  | (At & { type: 'job:finished' })
  /** The whole job cannot go on (storage gone, bug): status `error`. */
  | (At & { type: 'job:failed'; message: string })

export type JobEventType = JobEvent['type']

export type JobEventOf<T extends JobEventType> = Extract<JobEvent, { type: T }>
