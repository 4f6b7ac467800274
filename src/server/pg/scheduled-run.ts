/**
 * Periodic work run once across every process of a PostgreSQL deployment: each process's
 * timer asks, and only the first to ask within a period gets to run it (one atomic upsert on
 * `scheduled_runs`, so two processes never both win).
 */
import type pg from 'pg'

/**
 * True when this caller should run `name` now: nobody ran it within the last `everyMs`
 * (less a tenth, so timers ticking a little early in other processes do not skip a period).
 */
export async function claimScheduledRun(
  pool: pg.Pool,
  name: string,
  everyMs: number,
): Promise<boolean> {
  const { rows } = await pool.query(
    `INSERT INTO scheduled_runs (name, last_run_at) VALUES ($1, now())
     ON CONFLICT (name) DO UPDATE SET last_run_at = now()
       WHERE scheduled_runs.last_run_at <= now() - make_interval(secs => $2::double precision / 1000)
     RETURNING name`,
    [name, everyMs * 0.9],
  )
  return rows.length > 0
}
