/**
 * Periodic work run once across every process of a PostgreSQL deployment: each process's
 * timer asks, and only the first to ask within a period gets to run it (one atomic upsert on
 * `scheduled_runs`, so two processes never both win).
 */
import type pg from 'pg'

/**
 * The claim's moment on the database's clock (microseconds since the epoch) when this caller
 * should run `name` now: nobody ran it within the last `everyMs` (less a tenth, so timers ticking
 * a little early in other processes do not skip a period). Null when another caller has it.
 */
export async function claimScheduledRun(
  pool: pg.Pool,
  name: string,
  everyMs: number,
): Promise<number | null> {
  const { rows } = await pool.query<{ at_us: string }>(
    `INSERT INTO scheduled_runs (name, last_run_at) VALUES ($1, now())
     ON CONFLICT (name) DO UPDATE SET last_run_at = now()
       WHERE scheduled_runs.last_run_at <= now() - make_interval(secs => $2::double precision / 1000)
     RETURNING (extract(epoch FROM last_run_at) * 1000000)::bigint AS at_us`,
    [name, everyMs * 0.9],
  )
  // Microseconds since 1970 stay below 2^53 until the year 2255: exact as a number.
  return rows[0] === undefined ? null : Number(rows[0].at_us)
}
