import { describe, expect, it } from 'vitest'
import type { AlertView, HealthView } from '../api/types.ts'
import { memoryStorage } from '../test-support.ts'
import {
  alertJobId,
  headerStatus,
  loadLastSeen,
  pendingAlerts,
  saveLastSeen,
} from './status-view.ts'

function health(overrides: {
  status?: HealthView['status']
  storeOk?: boolean
  lastError?: { message: string } | null
  circuit?: Partial<HealthView['upstream']['circuit']>
}): HealthView {
  return {
    status: overrides.status ?? 'ok',
    version: '1',
    store: {
      ok: overrides.storeOk ?? true,
      current: null,
      dataDirId: null,
      lastError: overrides.lastError ?? null,
    },
    upstream: {
      baseUrl: 'http://dash',
      circuit: {
        state: 'closed',
        consecutiveFailures: 0,
        reason: null,
        openedAt: null,
        outageSince: null,
        nextProbeAt: null,
        ...overrides.circuit,
      },
    },
    cache: { hitRate: 0, entryCount: 0, sizeBytes: 0 },
    refresh: { state: 'idle' } as HealthView['refresh'],
  }
}

describe('headerStatus', () => {
  it('says "server ok · upstream circuit closed" only when all is well', () => {
    expect(headerStatus(health({}), null)).toMatchObject({
      tone: 'ok',
      text: 'server ok · upstream circuit closed',
    })
  })

  it('says the circuit is open and backfills are paused', () => {
    const s = headerStatus(
      health({
        status: 'degraded',
        circuit: { state: 'open', reason: 'HTTP 503', nextProbeAt: '2026-11-29T10:00:05.000Z' },
      }),
      null,
    )
    expect(s.tone).toBe('degraded')
    expect(s.text).toMatch(/^server degraded · upstream circuit open · backfills paused until /)
    expect(s.detail).toContain('HTTP 503')
    expect(headerStatus(health({ circuit: { state: 'half-open' } }), null).text).toBe(
      'server degraded · upstream circuit half-open · probing',
    )
  })

  it('says storage is failing even when the circuit is closed', () => {
    const s = headerStatus(
      health({ status: 'degraded', storeOk: false, lastError: { message: 'EROFS on snapshots' } }),
      null,
    )
    expect(s.text).toBe('server degraded · storage failing · upstream circuit closed')
    expect(s.detail).toContain('EROFS on snapshots')
  })

  it('says the server is unreachable when health cannot be read', () => {
    expect(headerStatus(undefined, new Error('fetch failed'))).toMatchObject({
      tone: 'down',
      text: 'server unreachable',
    })
  })
})

const alert = (id: string, kind: AlertView['kind'], at: string, extra = {}): AlertView => ({
  id,
  kind,
  severity: kind === 'circuit:closed' ? 'info' : kind === 'job:error' ? 'critical' : 'warning',
  message: id,
  at,
  details: extra,
  delivery: null,
})

describe('pendingAlerts', () => {
  // Newest first, as GET /api/alerts answers.
  const open = alert('a1', 'circuit:open', '2026-11-29T10:00:00.000Z')
  const failed = alert('a2', 'job:error', '2026-11-29T10:01:00.000Z', { backfillId: 'bf_x' })
  const closed = alert('a3', 'circuit:closed', '2026-11-29T10:02:00.000Z')

  it('counts unseen alerts that need attention, not resolved or informational ones', () => {
    expect(pendingAlerts([failed, open], null).map((a) => a.id)).toEqual(['a2', 'a1'])
    expect(pendingAlerts([closed, failed, open], null).map((a) => a.id)).toEqual(['a2'])
    expect(pendingAlerts([failed, open], '2026-11-29T10:00:30.000Z').map((a) => a.id)).toEqual([
      'a2',
    ])
    expect(pendingAlerts([failed, open], failed.at)).toEqual([])
  })

  it('names the job an alert is about', () => {
    expect(alertJobId(failed)).toBe('bf_x')
    expect(alertJobId(open)).toBeNull()
  })

  it('keeps "last seen" in storage', () => {
    const storage = memoryStorage()
    expect(loadLastSeen(storage)).toBeNull()
    saveLastSeen(storage, failed.at)
    expect(loadLastSeen(storage)).toBe(failed.at)
  })
})
