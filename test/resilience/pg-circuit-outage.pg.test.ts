/**
 * An upstream outage longer than CIRCUIT_MAX_OUTAGE_MS in PostgreSQL mode, answered as 503s
 * (`mode: 'status'`) or as reset connections: either way the job ends `error` naming the
 * unreachable upstream, with one `circuit:open` alert for the outage. The server's clock is the
 * anchored test clock, days away from the database's: the shared circuit's instants are handed
 * out on the process's clock (src/server/pg/pg-circuit.ts), so the give-up still comes.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_RETRY_POLICY } from '../../src/server/politeness/index.ts'
import {
  configureDistricts,
  startAnchoredStack,
  startJob,
  waitForJob,
  type Json,
} from '../helpers/jobs.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/pg-database.ts'
import type { Stack } from '../helpers/stack.ts'

let stack: Stack | null = null
let db: TestDatabase | null = null
afterEach(async () => {
  await stack?.close()
  await db?.drop()
})

describe.each(['status', 'reset'] as const)('an outage answered as %s', (mode) => {
  it('ends the job error within the outage limit, with one circuit:open alert', async () => {
    db = await createTestDatabase('outage')
    stack = await startAnchoredStack(DEFAULT_RETRY_POLICY, {
      env: {
        DATABASE_URL: db.url,
        UPSTREAM_MAX_REQUESTS: '4',
        CIRCUIT_FAILURE_THRESHOLD: '5',
        CIRCUIT_OPEN_MS: '500',
        CIRCUIT_MAX_OUTAGE_MS: '3000',
      },
    })
    await configureDistricts(stack, ['02', '21', '61'])
    const job = await startJob(stack, {
      startDate: '2026-11-02',
      endDate: '2026-11-07',
      collectionType: 'per-district',
      concurrency: 3,
    })
    await waitForJob(stack, job.backfillId, (j) => j.progress.completed >= 1)
    stack.sim.addFault({ kind: 'outage', mode })
    // Generous for a loaded machine: the limit is 3 s; before the fix it never came.
    const ended = await waitForJob(stack, job.backfillId, undefined, 60_000)
    expect(ended.status).toBe('error')
    expect(ended.error).toMatch(/unreachable/)
    const alerts = (await stack.api<Json>('GET', '/api/alerts')).body.alerts as Json[]
    expect(alerts.filter((a) => a.kind === 'circuit:open')).toHaveLength(1)
  }, 90_000)
})
