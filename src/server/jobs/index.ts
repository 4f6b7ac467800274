/** The durable, append-only job event log (JSONL per job). Import from here. */
export { assertJobId, createFileJobEventLog, createMemoryJobEventLog } from './job-event-log.ts'
export type { JobEventLog } from './job-event-log.ts'
