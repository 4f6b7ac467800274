/**
 * An in-memory JobHistoryStore (src/server/pg/job-history-port.ts) standing in for PostgreSQL's
 * job history in the migrate/export tests: records exactly what it is given, once per job.
 */
import type { JobEvent } from '../../src/server/backfill/index.ts'
import type { JobHistoryStore } from '../../src/server/pg/job-history-port.ts'

export function createMemoryJobHistory(): JobHistoryStore & { jobs: Map<string, JobEvent[]> } {
  const jobs = new Map<string, JobEvent[]>()
  return {
    jobs,
    listJobIds: async () => [...jobs.keys()],
    readEvents: async (id) => structuredClone(jobs.get(id) ?? []),
    async importJob(id, events) {
      if (jobs.has(id)) return false
      jobs.set(id, structuredClone(events))
      return true
    },
  }
}
