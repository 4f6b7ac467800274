/**
 * What `tm-backfill migrate` and `export` need from PostgreSQL's job history: the ids of the
 * recorded jobs, a job's events, and recording a job exactly as given. Implemented by the
 * PostgreSQL job queue's history (src/server/pg/pg-job-history.ts exports the same names).
 */
import type { JobEvent } from '../backfill/index.ts'

export interface JobHistoryStore {
  listJobIds(): Promise<string[]>
  readEvents(backfillId: string): Promise<JobEvent[]>
  /** Records a job's events exactly as given; false (and nothing written) if the job is already recorded. */
  importJob(backfillId: string, events: JobEvent[]): Promise<boolean>
}
