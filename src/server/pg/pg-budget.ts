/**
 * The politeness budget shared by every process, in PostgreSQL (docs/decisions/shared-budget.md):
 * a start is granted by `tm_budget_acquire` (migration 3) under the host's row lock, on the
 * database's clock, so no two processes anywhere start closer than the spacing, whatever their
 * own clocks say. Plugged into the in-process scheduler as its `StartBudget`.
 */
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import type pg from 'pg'
import type { StartBudget } from '../politeness/index.ts'
import type { DatabaseHealth } from './database-health.ts'

export interface PgBudgetOptions {
  pool: Pick<pg.Pool, 'query'>
  health?: DatabaseHealth
  /** Written with every grant (audit). @default host:pid:random */
  processId?: string
}

export interface PgBudget extends StartBudget {
  /** Round-trip times of every acquire in ms, oldest first (the last 10,000). */
  latencies(): number[]
  readonly processId: string
}

export function createPgBudget(options: PgBudgetOptions): PgBudget {
  const processId =
    options.processId ?? `${os.hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`
  const latencies: number[] = []
  return {
    processId,
    latencies: () => [...latencies],
    async acquire(host, request) {
      const started = performance.now()
      try {
        const { rows } = await options.pool.query<{ granted: boolean; wait_ms: number }>(
          'SELECT granted, wait_ms FROM tm_budget_acquire($1, $2, $3, $4, $5, $6)',
          [host, request.spacingMs, request.headroom, request.priority, request.lane, processId],
        )
        options.health?.succeeded()
        const row = rows[0]
        if (!row) throw new Error('tm_budget_acquire answered no row')
        return row.granted ? { granted: true } : { granted: false, retryInMs: row.wait_ms }
      } catch (error) {
        options.health?.failed(error)
        throw error
      } finally {
        latencies.push(performance.now() - started)
        if (latencies.length > 10_000) latencies.shift()
      }
    },
  }
}
