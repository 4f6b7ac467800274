/**
 * AlertManager: alerts on job error and partial success, circuit open/closed and a
 * district failing repeatedly. Kept in a bounded list (API), logged, and posted to an optional
 * webhook with bounded retries; a webhook that is down never slows collection.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { computeDelayMs, delay } from '../politeness/index.ts'

export type AlertSeverity = 'info' | 'warning' | 'critical'

export type AlertKind =
  | 'job:error'
  | 'job:partial_success'
  | 'circuit:open'
  | 'circuit:closed'
  | 'district:failing'

export interface Alert {
  id: string
  kind: AlertKind
  severity: AlertSeverity
  message: string
  at: string
  details: Record<string, unknown>
  /** Webhook delivery: null when no webhook is configured. */
  delivery: {
    state: 'pending' | 'delivered' | 'failed'
    attempts: number
    lastError: string | null
  } | null
}

export interface AlertQuery {
  severity?: AlertSeverity
  kind?: AlertKind
  limit?: number
}

/**
 * Where alerts are kept: this process's bounded list by default, a table shared by every process
 * in PostgreSQL mode (src/server/pg/pg-alert-store.ts).
 */
export interface AlertStore {
  /**
   * Keeps the alert; false when one with the same key is kept already (another process raised the
   * same event): then it is not delivered again.
   */
  add(alert: Alert, key: string | null): Promise<boolean>
  /** Records the alert's delivery state. */
  update(alert: Alert): Promise<void>
  list(query: AlertQuery): Promise<Alert[]>
}

export interface AlertManagerConfig {
  webhookUrl: string | null
  now: () => number
  logger: Logger
  /** @default 500 */
  maxAlerts?: number
  /** @default 5 */
  webhookMaxAttempts?: number
  /** @default 5000 */
  webhookTimeoutMs?: number
  /** @default 500 */
  webhookBaseDelayMs?: number
  /** @default this process's bounded list */
  store?: AlertStore
}

function createMemoryAlertStore(max: number): AlertStore {
  const alerts: Alert[] = []
  /** Keys of the kept alerts (by alert id, and as a set): a key raised again is not kept twice. */
  const keyOf = new Map<string, string>()
  const keys = new Set<string>()
  return {
    add(alert, key) {
      if (key !== null && keys.has(key)) return Promise.resolve(false)
      alerts.push(alert)
      if (key !== null) {
        keyOf.set(alert.id, key)
        keys.add(key)
      }
      if (alerts.length > max) {
        for (const gone of alerts.splice(0, alerts.length - max)) {
          const k = keyOf.get(gone.id)
          if (k !== undefined) keys.delete(k)
          keyOf.delete(gone.id)
        }
      }
      return Promise.resolve(true)
    },
    update: () => Promise.resolve(),
    list(query) {
      return Promise.resolve(
        alerts
          .filter(
            (a) =>
              (!query.severity || a.severity === query.severity) &&
              (!query.kind || a.kind === query.kind),
          )
          .slice(-(query.limit ?? 100))
          .reverse(),
      )
    },
  }
}

export function createAlertManager(config: AlertManagerConfig) {
  const store = config.store ?? createMemoryAlertStore(config.maxAlerts ?? 500)
  const deliveries = new Set<Promise<void>>()
  /** Alerts being kept, so a list right after a raise includes them. */
  const adding = new Set<Promise<boolean>>()
  const controller = new AbortController()

  async function deliver(alert: Alert): Promise<void> {
    const maxAttempts = config.webhookMaxAttempts ?? 5
    const policy = {
      maxAttempts,
      baseDelayMs: config.webhookBaseDelayMs ?? 500,
      maxDelayMs: 30_000,
    }
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (!alert.delivery) return
      alert.delivery.attempts = attempt
      try {
        const res = await fetch(config.webhookUrl ?? '', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'toastmasters-backfill-alerts',
          },
          body: JSON.stringify({ ...alert, delivery: undefined }),
          signal: AbortSignal.any([
            controller.signal,
            AbortSignal.timeout(config.webhookTimeoutMs ?? 5000),
          ]),
        })
        await res.arrayBuffer()
        if (res.ok) {
          alert.delivery.state = 'delivered'
          return void (await store.update(alert).catch(() => undefined))
        }
        alert.delivery.lastError = `HTTP ${res.status}`
      } catch (error) {
        if (controller.signal.aborted) return
        alert.delivery.lastError = error instanceof Error ? error.message : String(error)
      }
      if (attempt < maxAttempts)
        await delay(computeDelayMs(attempt, policy), controller.signal).catch(() => undefined)
    }
    if (!alert.delivery) return
    alert.delivery.state = 'failed'
    await store.update(alert).catch(() => undefined)
    config.logger.warn(
      { alertId: alert.id, error: alert.delivery.lastError },
      'alert webhook gave up',
    )
  }

  return {
    raise(
      kind: AlertKind,
      severity: AlertSeverity,
      message: string,
      details: Record<string, unknown> = {},
      /** The same key raised again (by any process) is the same alert: kept and sent once. */
      key: string | null = null,
    ): Alert {
      const alert: Alert = {
        id: `al_${config.now().toString(36)}_${randomBytes(3).toString('hex')}`,
        kind,
        severity,
        message,
        at: new Date(config.now()).toISOString(),
        details,
        delivery: config.webhookUrl ? { state: 'pending', attempts: 0, lastError: null } : null,
      }
      const log = severity === 'critical' ? 'error' : severity === 'warning' ? 'warn' : 'info'
      config.logger[log]({ alert: { id: alert.id, kind, details } }, message)
      // A store that fails (database gone) must not lose the webhook: deliver then.
      const added = store
        .add(alert, key)
        .catch((error: unknown) => {
          config.logger.error({ err: error, alertId: alert.id }, 'could not keep the alert')
          return true
        })
        .finally(() => adding.delete(added))
      adding.add(added)
      const p = added
        .then((kept) => (kept && config.webhookUrl ? deliver(alert) : undefined))
        .finally(() => deliveries.delete(p))
      deliveries.add(p)
      return alert
    },
    /** Newest first; includes every alert this process raised before the call. */
    async list(query: AlertQuery = {}): Promise<Alert[]> {
      await Promise.allSettled([...adding])
      return store.list(query)
    },
    /** Resolves when pending webhook deliveries have finished (tests, shutdown). */
    async settle(): Promise<void> {
      while (deliveries.size > 0) await Promise.allSettled([...deliveries])
    },
    async close(): Promise<void> {
      controller.abort()
      await Promise.allSettled([...deliveries])
    },
  }
}

export type AlertManager = ReturnType<typeof createAlertManager>
