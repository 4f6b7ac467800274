/**
 * Whether this process can reach PostgreSQL, as every PostgreSQL-backed part of it experienced
 * it: each database call reports success or failure here, and a ping every `pingMs` keeps the
 * answer true while nothing else asks. While the database is unreachable, work that needs it
 * (every upstream request, which needs a budget grant) is paused; health shows it.
 */
import type pg from 'pg'

export interface DatabaseStatus {
  reachable: boolean
  /** When the current outage began (the first failure after a success); null when reachable. */
  unreachableSince: string | null
  lastError: { message: string; at: string } | null
  /** True while unreachable: no upstream request starts without a budget grant. */
  paused: boolean
}

export interface DatabaseHealth {
  succeeded(): void
  failed(error: unknown): void
  status(): DatabaseStatus
  /** Starts the ping (unref'd); `stop()` ends it. */
  startPing(pool: Pick<pg.Pool, 'query'>, pingMs?: number): void
  stop(): void
  /** Called once per change of reachability (logs). */
  onChange(listener: (status: DatabaseStatus) => void): () => void
}

export function createDatabaseHealth(options: { now?: () => number } = {}): DatabaseHealth {
  const now = options.now ?? Date.now
  let reachable = true
  let since: number | null = null
  let lastError: DatabaseStatus['lastError'] = null
  let timer: ReturnType<typeof setInterval> | null = null
  const listeners = new Set<(s: DatabaseStatus) => void>()
  const status = (): DatabaseStatus => ({
    reachable,
    unreachableSince: since === null ? null : new Date(since).toISOString(),
    lastError,
    paused: !reachable,
  })
  const notify = () => {
    for (const l of listeners) l(status())
  }
  const health: DatabaseHealth = {
    succeeded() {
      if (reachable) return
      reachable = true
      since = null
      notify()
    },
    failed(error) {
      lastError = {
        message: error instanceof Error ? error.message : String(error),
        at: new Date(now()).toISOString(),
      }
      if (!reachable) return
      reachable = false
      since = now()
      notify()
    },
    status,
    startPing(pool, pingMs = 1000) {
      if (timer) return
      let busy = false
      timer = setInterval(() => {
        if (busy) return
        busy = true
        pool
          .query('SELECT 1')
          .then(
            () => health.succeeded(),
            (e: unknown) => health.failed(e),
          )
          .finally(() => (busy = false))
      }, pingMs)
      timer.unref()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = null
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  return health
}
