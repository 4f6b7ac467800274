/**
 * What `tm-backfill migrate` and `export` need from PostgreSQL's job history: the ids of the
 * recorded jobs, a job's events, and recording a job exactly as given. The PostgreSQL job queue's
 * history (pg-job-history.ts) implements it.
 */
export type { JobHistoryStore } from './pg-job-history.ts'
