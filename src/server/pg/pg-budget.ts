/**
 * The politeness budget shared by every process, in PostgreSQL (docs/decisions/shared-budget.md):
 * a start is granted by `tm_budget_grant` (migration 4) under the host's row lock, on the
 * database's clock, and holds only until a send-by deadline: a request that cannot be sent by
 * then gives its grant back and asks again, so sends, not only grants, keep to the limit. A 429's
 * pause and the 5xx slowdown are stored on the host's row (`tm_budget_report`), so every process
 * pauses and slows down together. Plugged into the in-process scheduler as its `StartBudget`.
 */
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import type pg from 'pg'
import type { BudgetState, StartBudget } from '../politeness/index.ts'
import type { SendPermit } from '../upstream/index.ts'
import type { DatabaseHealth } from './database-health.ts'

/**
 * How long a grant stays valid, at most: the window's rule leaves room for it, so a larger slack
 * costs rate (docs/decisions/shared-budget.md#the-rule-and-its-arithmetic).
 */
export const SEND_SLACK_MS = 50
/** The slack never exceeds this share of the window (a short window keeps its rate). */
export const SEND_SLACK_SHARE = 0.05

/**
 * How far ahead a grant may reserve its slot. 0: a grant is a start now. Reserving one step ahead
 * was measured worse on a loaded machine: the wait for the slot is one more wake-up, and a late
 * one expires the grant (docs/decisions/shared-budget.md#the-rule-and-its-arithmetic).
 */
export const GRANT_AHEAD_MS = 0

export function sendSlackMs(windowMs: number): number {
  return Math.min(SEND_SLACK_MS, windowMs * SEND_SLACK_SHARE)
}

export interface PgBudgetOptions {
  /** `connect` so the send-by clock starts when the query is written, not while the pool is busy. */
  pool: Pick<pg.Pool, 'query' | 'connect'>
  health?: DatabaseHealth
  /** Written with every grant (audit). @default host:pid:random */
  processId?: string
  /** Monotonic clock in ms. @default performance.now */
  monotonic?: () => number
  /** The sender's wall clock, recorded as a grant's `sent_at`. @default Date.now */
  now?: () => number
}

export interface PgBudget extends StartBudget {
  /** Round-trip times of every acquire in ms, oldest first (the last 10,000). */
  latencies(): number[]
  /** Grants this process gave back: expired before the send, or not used. */
  givenBack(): { expired: number; unused: number }
  /** Resolves once the audit writes made so far (sends, grants given back) have landed. */
  flush(): Promise<void>
  readonly processId: string
}

export function createPgBudget(options: PgBudgetOptions): PgBudget {
  const processId =
    options.processId ?? `${os.hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`
  const monotonic = options.monotonic ?? (() => performance.now())
  const wallClock = options.now ?? Date.now
  const latencies: number[] = []
  const given = { expired: 0, unused: 0 }

  const pending = new Set<Promise<unknown>>()
  /** Audit writes: best effort, never in the way of a request. */
  const record = (sql: string, params: unknown[]) => {
    const write = options.pool.query(sql, params).then(
      () => undefined,
      () => undefined,
    )
    pending.add(write)
    void write.finally(() => pending.delete(write))
  }

  const permitFor = (grantId: string, notBefore: number, sendBy: number): SendPermit => {
    let state: 'open' | 'sent' | 'given back' = 'open'
    const giveBack = () => {
      state = 'given back'
      record('SELECT tm_budget_release($1)', [grantId])
    }
    return {
      claim() {
        if (state !== 'open') return state === 'sent'
        const t = monotonic()
        // Before its slot only if the caller did not wait as told (startInMs): refused too.
        if (t > sendBy || t < notBefore) {
          given.expired++
          giveBack()
          return false
        }
        state = 'sent'
        record('UPDATE upstream_grants SET sent_at = to_timestamp($2 / 1000.0) WHERE id = $1', [
          grantId,
          wallClock(),
        ])
        return true
      },
      release() {
        if (state !== 'open') return
        given.unused++
        giveBack()
      },
    }
  }

  const toState = (row: { pause_ms: number; slowdown: number }): BudgetState => ({
    pausedForMs: Number(row.pause_ms),
    slowdown: Number(row.slowdown),
  })

  return {
    processId,
    shared: true,
    latencies: () => [...latencies],
    givenBack: () => ({ ...given }),
    flush: async () => void (await Promise.all([...pending])),
    async acquire(host, request) {
      const slack = sendSlackMs(request.windowMs)
      let started = monotonic()
      let answered: number
      try {
        const client = await options.pool.connect()
        let rows: {
          granted: boolean
          wait_ms: number
          grant_id: string | null
          pause_ms: number
          slowdown: number
        }[]
        try {
          // The decision is made after this instant and before the answer: the permit's bounds
          // follow from the two, whatever the clocks of the two machines.
          started = monotonic()
          ;({ rows } = await client.query(
            'SELECT granted, wait_ms, grant_id, pause_ms, slowdown FROM tm_budget_grant($1, $2, $3, $4, $5, $6, $7, $8)',
            [
              host,
              request.maxRequests,
              request.windowMs,
              slack,
              GRANT_AHEAD_MS,
              request.priority,
              request.lane,
              processId,
            ],
          ))
          answered = monotonic()
        } finally {
          client.release()
        }
        options.health?.succeeded()
        const row = rows[0]
        if (!row) throw new Error('tm_budget_grant answered no row')
        const state = toState(row)
        if (!row.granted) return { granted: false, retryInMs: Number(row.wait_ms), ...state }
        // Unlimited (maxRequests 0): nothing to hold to a deadline.
        if (request.maxRequests <= 0 || row.grant_id === null) return { granted: true, ...state }
        // The slot is wait_ms after the decision, which came between `started` and `answered`:
        // sent in [answered + wait, started + wait + slack], a send is in [slot, slot + slack].
        const wait = Number(row.wait_ms)
        const notBefore = answered + wait
        return {
          granted: true,
          permit: permitFor(row.grant_id, notBefore, started + wait + slack),
          startInMs: Math.max(0, notBefore - monotonic()),
          ...state,
        }
      } catch (error) {
        options.health?.failed(error)
        throw error
      } finally {
        latencies.push(monotonic() - started)
        if (latencies.length > 10_000) latencies.shift()
      }
    },
    async report(host, outcome) {
      try {
        const { rows } = await options.pool.query<{ pause_ms: number; slowdown: number }>(
          'SELECT pause_ms, slowdown FROM tm_budget_report($1, $2, $3)',
          [host, outcome.status ?? null, outcome.retryAfterMs ?? null],
        )
        options.health?.succeeded()
        const row = rows[0]
        if (!row) throw new Error('tm_budget_report answered no row')
        return toState(row)
      } catch (error) {
        options.health?.failed(error)
        throw error
      }
    },
  }
}
