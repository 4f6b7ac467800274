/**
 * Alerts in PostgreSQL (migration 3's `alerts`), shared by every process: GET /api/alerts answers
 * the same from any API process, and an alert raised by several processes for one event (same
 * key) is one row, delivered to the webhook once, by the process whose insert kept it.
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
}): AlertStore {
  const max = options.maxAlerts ?? 500
  const track = async <T>(p: Promise<T>): Promise<T> => {
    try {
      const value = await p
      options.health?.succeeded()
      return value
    } catch (error) {
      options.health?.failed(error)
      throw error
    }
  }
  return {
    async add(alert, key) {
      const { rows } = await track(
        options.pool.query(
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
        ),
      )
      if (rows.length > 0) {
        await track(
          options.pool.query('DELETE FROM alerts WHERE seq <= (SELECT max(seq) FROM alerts) - $1', [
            max,
          ]),
        )
      }
      return rows.length > 0
    },
    async update(alert) {
      await track(
        options.pool.query('UPDATE alerts SET delivery = $2 WHERE id = $1', [
          alert.id,
          JSON.stringify(alert.delivery),
        ]),
      )
    },
    async list(query) {
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
