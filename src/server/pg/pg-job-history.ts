/**
 * Job histories as recorded in PostgreSQL (`backfill_job_events`), for moving them between a
 * file DATA_DIR and a database: read a job's events as they were appended, or record a whole
 * history at once. An imported job's row holds the job reducer's fold of all its events (its
 * checkpoint at the last one), the state appending them one by one comes to (pg-job-queue.ts).
 */
import type pg from 'pg'
import type { JobEvent } from '../backfill/job-events.ts'
import type { RunHints } from '../backfill/job-queue.ts'
import { replayJobEvents, type JobState } from '../backfill/job-state.ts'

export interface JobHistoryStore {
  listJobIds(): Promise<string[]>
  readEvents(backfillId: string): Promise<JobEvent[]>
  /** Records a job's events exactly as given; false (and nothing written) if the job is already recorded. */
  importJob(backfillId: string, events: JobEvent[]): Promise<boolean>
}

export function createPgJobHistory(pool: pg.Pool): JobHistoryStore {
  return {
    async listJobIds() {
      const { rows } = await pool.query<{ backfill_id: string }>(
        'SELECT backfill_id FROM backfill_jobs ORDER BY created_at, ord',
      )
      return rows.map((r) => r.backfill_id)
    },

    async readEvents(backfillId) {
      const { rows } = await pool.query<{ event: JobEvent }>(
        'SELECT event FROM backfill_job_events WHERE backfill_id = $1 ORDER BY seq',
        [backfillId],
      )
      return rows.map((r) => r.event)
    },

    async importJob(backfillId, events) {
      // Throws on a history that does not start with job:queued: nothing is written then.
      const state = replayJobEvents(events)
      if (state.backfillId !== backfillId) {
        throw new TypeError(
          `the history of ${backfillId} is queued as ${state.backfillId}: refusing to import it`,
        )
      }
      const client = await pool.connect()
      let broken = false
      try {
        await client.query('BEGIN')
        if (!(await insertJobRecord(client, state, { latestPublishedAsOf: null }, events))) {
          await client.query('ROLLBACK')
          return false
        }
        await client.query('COMMIT')
        return true
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true))
        throw error
      } finally {
        client.release(broken)
      }
    },
  }
}

/**
 * Records a new job's row (the fold of `events`, its checkpoint at the last of them) and its
 * events in the caller's transaction; false, writing nothing, when a job of that id is already
 * recorded.
 */
export async function insertJobRecord(
  client: pg.PoolClient,
  state: JobState,
  hints: RunHints,
  events: JobEvent[],
): Promise<boolean> {
  const inserted = await client.query(
    `INSERT INTO backfill_jobs (backfill_id, created_at, status, kind, district_id,
       target_districts, ended_at, state, hints, event_count, state_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (backfill_id) DO NOTHING`,
    [
      state.backfillId,
      state.createdAt,
      state.status,
      state.kind,
      state.districtId,
      state.scope.targetDistricts,
      state.completedAt,
      JSON.stringify(state),
      JSON.stringify(hints),
      events.length,
    ],
  )
  if (inserted.rowCount === 0) return false
  for (const [i, event] of events.entries()) {
    await client.query(
      'INSERT INTO backfill_job_events (backfill_id, seq, event) VALUES ($1, $2, $3)',
      [state.backfillId, i + 1, JSON.stringify(event)],
    )
  }
  return true
}
