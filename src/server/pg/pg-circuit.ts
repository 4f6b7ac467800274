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

export function createPgCircuit(options: PgCircuitOptions): PgCircuit {
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
    const openedAt = row.opened_at?.getTime() ?? null
    cached = {
      state: row.state,
      consecutiveFailures: row.failures,
      reason: row.reason,
      openedAt: openedAt === null ? null : new Date(openedAt).toISOString(),
      outageSince: row.outage_since?.toISOString() ?? null,
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
  let watching = false
  const watch = setInterval(() => {
    if (watching) return
    watching = true
    void query<Row>(
      'SELECT state, failures, reason, opened_at, outage_since FROM upstream_circuit WHERE host = $1',
      [options.host],
    )
      .then((rows) => {
        if (rows?.[0]) remember(rows[0])
      })
      .finally(() => (watching = false))
  }, options.watchMs ?? 500)
  watch.unref()
  return {
    stop: () => clearInterval(watch),
    async check() {
      const rows = await query<Row & { decision: 'go' | 'wait'; probe: boolean; wait_ms: number }>(
        'SELECT * FROM tm_circuit_check($1, $2, $3)',
        [options.host, options.openMs, options.probeMs ?? 60_000],
      )
      const row = rows?.[0]
      if (!row)
        return { decision: 'wait', untilMs: Date.now() + 1000, reason: 'database unreachable' }
      const before = cached.state
      remember(row)
      if (row.probe) {
        probing = true
        if (before !== 'half-open') notify()
      }
      if (row.decision === 'go') return { decision: 'go' }
      return {
        decision: 'wait',
        untilMs: Date.now() + Math.min(Math.max(row.wait_ms, 50), 1000),
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
