/**
 * The circuit per upstream host shared by every process (migration 3's `upstream_circuit`):
 * failures anywhere count towards opening it, the transition is one row update made by one
 * process (so its `onChange`, and the alert, happens once), one probe at a time for all
 * processes decides closing, and every request checks the row before it enters the scheduler.
 * The row is also read every `watchMs`, and a request whose start comes while the state read last
 * is not closed does not go (src/server/politeness/resilience.ts): once one process opened the
 * circuit, the others send nothing more after `watchMs` plus one query (docs/decisions/shared-budget.md#circuit).
 *
 * While the database cannot be asked, `check` answers 'wait' (no request without knowing), and
 * a result that cannot be recorded is dropped (reported to the database health).
 *
 * The row's instants are the database's clock; the status hands them out on this process's clock
 * (`now`), since the give-up after CIRCUIT_MAX_OUTAGE_MS compares them with it
 * (src/server/politeness/resilience.ts). The offset between the two clocks is measured with every
 * read of the row (the database's `now()` against the midpoint of the round trip; changes under a
 * second are ignored, so an instant stays the same from read to read), so a database
 * host whose clock differs, or an injected clock, does not keep an outage from ending a job.
 */
import type pg from 'pg'
import type { CircuitBreaker, CircuitState, CircuitStatus } from '../politeness/index.ts'
import type { DatabaseHealth } from './database-health.ts'

export interface PgCircuitOptions {
  pool: Pick<pg.Pool, 'query'>
  host: string
  failureThreshold: number
  openMs: number
  /** A claimed probe not answered within this is given to another request. @default 60000 */
  probeMs?: number
  health?: DatabaseHealth
  /** How often the shared state is read. @default 500 */
  watchMs?: number
  /** This process's clock, the one the status's instants are given in. @default Date.now */
  now?: () => number
}

export interface PgCircuit extends CircuitBreaker {
  /** Ends the watch. */
  stop(): void
}

interface Row {
  state: CircuitState
  failures: number
  reason: string | null
  opened_at: Date | null
  outage_since: Date | null
}

/** How far a new measurement of the clocks' offset must differ before it replaces the old. */
const OFFSET_SLACK_MS = 1000

export function createPgCircuit(options: PgCircuitOptions): PgCircuit {
  const now = options.now ?? Date.now
  /** This process's clock minus the database's, in ms; null until measured. */
  let offset: number | null = null
  const local = (t: Date | null) => (t === null ? null : t.getTime() + (offset ?? 0))
  const listeners = new Set<(s: CircuitStatus) => void>()
  let cached: CircuitStatus = {
    state: 'closed',
    consecutiveFailures: 0,
    reason: null,
    openedAt: null,
    outageSince: null,
    nextProbeAt: null,
  }
  let probing = false
  const remember = (row: Row) => {
    const openedAt = local(row.opened_at)
    cached = {
      state: row.state,
      consecutiveFailures: row.failures,
      reason: row.reason,
      openedAt: openedAt === null ? null : new Date(openedAt).toISOString(),
      outageSince: ((t) => (t === null ? null : new Date(t).toISOString()))(
        local(row.outage_since),
      ),
      nextProbeAt:
        openedAt === null || row.state === 'closed'
          ? null
          : new Date(openedAt + options.openMs).toISOString(),
    }
  }
  const notify = () => {
    for (const l of listeners) l(cached)
  }
  const query = async <T extends pg.QueryResultRow>(sql: string, values: unknown[]) => {
    try {
      const result = await options.pool.query<T>(sql, values)
      options.health?.succeeded()
      return result.rows
    } catch (error) {
      options.health?.failed(error)
      return null
    }
  }
  /** Reads the row and the database's clock; measures the offset; null when unreachable. */
  const read = async (): Promise<Row | null> => {
    const before = now()
    const rows = await query<Partial<Row> & { db_now: Date }>(
      `SELECT c.state, c.failures, c.reason, c.opened_at, c.outage_since, now() AS db_now
         FROM (SELECT 1) AS one LEFT JOIN upstream_circuit c ON c.host = $1`,
      [options.host],
    )
    const row = rows?.[0]
    if (!row) return null
    const measured = Math.round((before + now()) / 2) - row.db_now.getTime()
    // Kept while within a second: round-trip jitter must not move an outage's start (its alert
    // key), only a real change of the clocks' difference does.
    if (offset === null || Math.abs(measured - offset) > OFFSET_SLACK_MS) offset = measured
    return row.state ? (row as Row) : null
  }
  let watching = false
  const watch = setInterval(() => {
    if (watching) return
    watching = true
    void read()
      .then((row) => {
        if (row) remember(row)
      })
      .finally(() => (watching = false))
  }, options.watchMs ?? 500)
  watch.unref()
  return {
    stop: () => clearInterval(watch),
    async check() {
      // The first check of this process: learn the clocks' offset before handing out instants.
      if (offset === null) await read()
      const rows = await query<Row & { decision: 'go' | 'wait'; probe: boolean; wait_ms: number }>(
        'SELECT * FROM tm_circuit_check($1, $2, $3)',
        [options.host, options.openMs, options.probeMs ?? 60_000],
      )
      const row = rows?.[0]
      if (!row) return { decision: 'wait', untilMs: now() + 1000, reason: 'database unreachable' }
      const before = cached.state
      remember(row)
      if (row.probe) {
        probing = true
        if (before !== 'half-open') notify()
      }
      if (row.decision === 'go') return { decision: 'go' }
      return {
        decision: 'wait',
        untilMs: now() + Math.min(Math.max(row.wait_ms, 50), 1000),
        reason: row.reason ?? 'circuit open',
      }
    },
    async onSuccess() {
      probing = false
      if (cached.state === 'closed' && cached.consecutiveFailures === 0) return
      const rows = await query<{ was: CircuitState }>(
        `WITH old AS (SELECT state FROM upstream_circuit WHERE host = $1 FOR UPDATE)
         UPDATE upstream_circuit c SET state = 'closed', failures = 0, reason = NULL,
           opened_at = NULL, outage_since = NULL, probe_until = NULL
         FROM old WHERE c.host = $1 AND (old.state <> 'closed' OR c.failures > 0)
         RETURNING old.state AS was`,
        [options.host],
      )
      if (rows === null) return
      remember({ state: 'closed', failures: 0, reason: null, opened_at: null, outage_since: null })
      if (rows[0] && rows[0].was !== 'closed') notify()
    },
    async onFailure(reason) {
      const probe = probing
      probing = false
      const rows = await query<Row & { opened: boolean }>(
        'SELECT * FROM tm_circuit_failure($1, $2, $3, $4)',
        [options.host, options.failureThreshold, reason, probe],
      )
      const row = rows?.[0]
      if (!row) return
      remember(row)
      if (row.opened) notify()
    },
    status: () => cached,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
