/**
 * Pure helpers of the header: the status line from the live health answer, and which alerts
 * the badge counts. No React; tested on their own.
 */
import type { AlertView, HealthView } from '../api/types.ts'

export interface HeaderStatus {
  tone: 'ok' | 'degraded' | 'down' | 'unknown'
  text: string
  /** Longer explanation (the element's title). */
  detail: string
}

const time = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleTimeString() : ''

/**
 * "server ok · upstream circuit closed" only while storage works and the circuit is closed;
 * otherwise it says what is wrong: an open circuit pauses the backfills until its next probe.
 */
export function headerStatus(health: HealthView | undefined, error: unknown): HeaderStatus {
  if (error) return { tone: 'down', text: 'server unreachable', detail: 'GET /api/health failed' }
  if (!health) return { tone: 'unknown', text: 'checking server…', detail: '' }
  const parts: string[] = []
  const details: string[] = [health.upstream.baseUrl]
  const storeError = (health.store as { lastError?: { message?: string } | null }).lastError
  if (!health.store.ok) {
    parts.push('storage failing')
    if (storeError?.message) details.push(`storage: ${storeError.message}`)
  }
  const c = health.upstream.circuit
  if (c.state === 'closed') parts.push('upstream circuit closed')
  else if (c.state === 'open') {
    parts.push(
      `upstream circuit open · backfills paused${c.nextProbeAt ? ` until ${time(c.nextProbeAt)}` : ''}`,
    )
    details.push(`upstream unreachable: ${c.reason ?? 'failures'}`)
  } else {
    parts.push('upstream circuit half-open · probing')
  }
  const ok = health.status === 'ok' && health.store.ok && c.state === 'closed'
  return {
    tone: ok ? 'ok' : 'degraded',
    text: `server ${ok ? 'ok' : 'degraded'} · ${parts.join(' · ')}`,
    detail: details.join('\n'),
  }
}

/** An open-circuit alert is resolved once a later "closed" alert says the upstream is back. */
export function isResolved(alert: AlertView, all: readonly AlertView[]): boolean {
  if (alert.kind !== 'circuit:open') return false
  return all.some((a) => a.kind === 'circuit:closed' && a.at >= alert.at && a.id !== alert.id)
}

/**
 * The alerts the badge counts: newer than the last time the list was opened, not merely
 * informational, and not resolved since.
 */
export function pendingAlerts(all: readonly AlertView[], lastSeen: string | null): AlertView[] {
  return all.filter(
    (a) => (lastSeen === null || a.at > lastSeen) && a.severity !== 'info' && !isResolved(a, all),
  )
}

/** The job an alert is about, if any. */
export function alertJobId(alert: AlertView): string | null {
  const id = alert.details['backfillId']
  return typeof id === 'string' ? id : null
}

export const LAST_SEEN_KEY = 'toastmasters-backfill.alerts.lastSeen'

export function loadLastSeen(storage: Storage): string | null {
  try {
    return storage.getItem(LAST_SEEN_KEY)
  } catch {
    return null
  }
}

export function saveLastSeen(storage: Storage, at: string): void {
  try {
    storage.setItem(LAST_SEEN_KEY, at)
  } catch {
    // A browser without storage forgets what was seen; the badge still counts.
  }
}
