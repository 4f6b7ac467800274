/**
 * Alerts in PostgreSQL (migration 3's `alerts`), shared by every process: GET /api/alerts answers
 * the same from any API process, and an alert raised by several processes for one event (same
 * key) is one row, delivered to the webhook once, by the process whose insert kept it.
 *
 * An alert raised while the database cannot be reached (a circuit opening during the outage, a
 * job failing for it) is kept in this process, at most `maxBuffered` of them (the oldest dropped
 * first), and written once the database answers again (the next successful call, the health
 * check's change to reachable, or a retry every `retryMs`); its key still dedupes it against
 * other processes then. Delivery-state updates that failed are written again the same way.
 */
import type pg from 'pg'
import type { Alert, AlertStore } from '../alerts/index.ts'
import type { DatabaseHealth } from './database-health.ts'

interface Row {
  id: string
  kind: Alert['kind']
  severity: Alert['severity']
  message: string
  at: Date
  details: Record<string, unknown>
  delivery: Alert['delivery']
}

export function createPgAlertStore(options: {
  pool: Pick<pg.Pool, 'query'>
  health?: DatabaseHealth
  /** Alerts kept; older ones are deleted. @default 500 */
  maxAlerts?: number
  /** Alerts kept in this process while the database is unreachable. @default 100 */
  maxBuffered?: number
  /** How often buffered alerts are tried again while some wait. @default 2000 */
  retryMs?: number
  /** Told when the buffer is full and drops its oldest alert. */
  onDropped?: (alert: Alert) => void
}): AlertStore {
  const max = options.maxAlerts ?? 500
  const maxBuffered = options.maxBuffered ?? 100
  /** Alerts not yet written, oldest first; their delivery is written with them. */
  const buffered: { alert: Alert; key: string | null }[] = []
  /** Alerts written whose last delivery update failed. */
  const unsaved = new Map<string, Alert>()
  let flushing: Promise<void> | null = null
  let timer: ReturnType<typeof setInterval> | null = null

  const track = async <T>(p: Promise<T>): Promise<T> => {
    try {
      const value = await p
      options.health?.succeeded()
      if (buffered.length > 0 || unsaved.size > 0) void flush()
      return value
    } catch (error) {
      options.health?.failed(error)
      throw error
    }
  }

  async function insert(alert: Alert, key: string | null): Promise<boolean> {
    const { rows } = await options.pool.query(
      `INSERT INTO alerts (id, dedupe_key, kind, severity, message, at, details, delivery)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING seq`,
      [
        alert.id,
        key,
        alert.kind,
        alert.severity,
        alert.message,
        alert.at,
        JSON.stringify(alert.details),
        JSON.stringify(alert.delivery),
      ],
    )
    if (rows.length > 0) {
      await options.pool.query(
        'DELETE FROM alerts WHERE seq <= (SELECT max(seq) FROM alerts) - $1',
        [max],
      )
    }
    return rows.length > 0
  }

  const writeDelivery = (alert: Alert) =>
    options.pool.query('UPDATE alerts SET delivery = $2 WHERE id = $1', [
      alert.id,
      JSON.stringify(alert.delivery),
    ])

  /** Writes what waits, oldest first; stops at the first failure (still unreachable). */
  function flush(): Promise<void> {
    flushing ??= (async () => {
      try {
        while (buffered.length > 0) {
          const next = buffered[0]!
          await insert(next.alert, next.key)
          buffered.shift()
        }
        for (const [id, alert] of unsaved) {
          await writeDelivery(alert)
          unsaved.delete(id)
        }
        options.health?.succeeded()
      } catch (error) {
        options.health?.failed(error)
      } finally {
        flushing = null
        if (buffered.length === 0 && unsaved.size === 0 && timer) {
          clearInterval(timer)
          timer = null
        }
      }
    })()
    return flushing
  }

  function retryLater(): void {
    if (timer) return
    timer = setInterval(() => void flush(), options.retryMs ?? 2000)
    timer.unref()
  }

  options.health?.onChange((status) => {
    if (status.reachable && (buffered.length > 0 || unsaved.size > 0)) void flush()
  })

  return {
    async add(alert, key) {
      // Behind alerts still waiting: written in the order they were raised.
      if (buffered.length === 0) {
        try {
          return await track(insert(alert, key))
        } catch {
          // Unreachable: kept below until the database answers.
        }
      }
      buffered.push({ alert, key })
      if (buffered.length > maxBuffered) {
        const dropped = buffered.shift()
        if (dropped) options.onDropped?.(dropped.alert)
      }
      retryLater()
      // Kept (here, for now): delivered as usual.
      return true
    },
    async update(alert) {
      // Still buffered: its insert carries the delivery state (the same object).
      if (buffered.some((b) => b.alert.id === alert.id)) return
      try {
        await track(writeDelivery(alert))
        unsaved.delete(alert.id)
      } catch {
        unsaved.set(alert.id, alert)
        retryLater()
      }
    },
    async list(query) {
      if (buffered.length > 0 || unsaved.size > 0) await flush()
      const { rows } = await track(
        options.pool.query<Row>(
          `SELECT id, kind, severity, message, at, details, delivery FROM alerts
           WHERE ($1::text IS NULL OR severity = $1) AND ($2::text IS NULL OR kind = $2)
           ORDER BY seq DESC LIMIT $3`,
          [query.severity ?? null, query.kind ?? null, query.limit ?? 100],
        ),
      )
      return rows.map((r) => ({ ...r, at: r.at.toISOString() }))
    },
  }
}
