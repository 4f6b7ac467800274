/**
 * PostgreSQL mode's politeness parts, made in one place for the composition root: the pool they
 * share, the database health every call reports to, and the shared start budget
 * (docs/decisions/shared-budget.md). Their first query applies the migrations (safe from several
 * processes at once; retried after a failure), so a CLI command that never calls `start()` works
 * too; `start()` applies them up front and starts the health ping; `close()` ends both.
 */
import type { Logger } from 'pino'
import { createDatabaseHealth, type DatabaseHealth } from './database-health.ts'
import { migrate } from './migrate.ts'
import { createPgBudget, type PgBudget } from './pg-budget.ts'
import { createPgAlertStore } from './pg-alert-store.ts'
import { createPgCircuit, type PgCircuit } from './pg-circuit.ts'
import type { AlertStore } from '../alerts/index.ts'
import type { CircuitBreaker } from '../politeness/index.ts'
import { createPgPool, redactDatabaseUrl, type PgPool } from './pool.ts'

export interface PgPoliteness {
  pool: PgPool
  health: DatabaseHealth
  budget: PgBudget
  /** The shared circuit of a host (resilience's `createBreaker`). */
  circuit(host: string, breaker: { failureThreshold: number; openMs: number }): CircuitBreaker
  /** Alerts shared by every process (the alert manager's `store`). */
  alertStore: AlertStore
  start(): Promise<void>
  close(): Promise<void>
}

export function createPgPoliteness(options: {
  databaseUrl: string
  logger: Logger
  now?: () => number
  /** How often the database is pinged for health. @default 1000 */
  pingMs?: number
}): PgPoliteness {
  const health = createDatabaseHealth({ now: options.now })
  const pool = createPgPool({
    databaseUrl: options.databaseUrl,
    applicationName: 'tm-backfill-politeness',
    max: 4,
    // A broken idle connection: the pool drops it; health hears of it from the next call.
    onError: (error) => health.failed(error),
  })
  const database = redactDatabaseUrl(options.databaseUrl)
  health.onChange((s) =>
    s.reachable
      ? options.logger.info({ database }, 'database reachable again; upstream requests resume')
      : options.logger.error(
          { database, error: s.lastError?.message },
          'database unreachable; upstream requests paused (no budget grant, no request)',
        ),
  )
  let migrated: Promise<unknown> | null = null
  const ready = () => {
    migrated ??= migrate(pool).catch((error: unknown) => {
      migrated = null
      throw error
    })
    return migrated
  }
  /** The pool as the parts use it: migrated before their first query. */
  const db = {
    query: (async (...args: Parameters<PgPool['query']>) => {
      await ready()
      return (pool.query as (...a: unknown[]) => unknown)(...args)
    }) as PgPool['query'],
    connect: (async () => {
      await ready()
      return pool.connect()
    }) as PgPool['connect'],
  }
  const budget = createPgBudget({ pool: db, health })
  const circuits: PgCircuit[] = []
  return {
    pool,
    health,
    budget,
    alertStore: createPgAlertStore({ pool: db, health }),
    circuit(host, breaker) {
      const circuit = createPgCircuit({ pool: db, host, health, now: options.now, ...breaker })
      circuits.push(circuit)
      return circuit
    },
    async start() {
      await ready()
      health.startPing(pool, options.pingMs)
    },
    async close() {
      health.stop()
      for (const c of circuits) c.stop()
      await budget.flush()
      await pool.end()
    },
  }
}
