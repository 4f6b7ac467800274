import { describe, expect, it } from 'vitest'
import type { CircuitStatus } from './politeness/index.ts'
import { createHealth, type HealthDeps } from './health.ts'
import { createDatabaseHealth } from './pg/database-health.ts'

const closed: CircuitStatus = {
  state: 'closed',
  consecutiveFailures: 0,
  reason: null,
  openedAt: null,
  outageSince: null,
  nextProbeAt: null,
}

function deps(circuit: CircuitStatus, dataDir: string): HealthDeps {
  let requests = 0
  return {
    config: { dashboardUrl: 'http://dash.test:8080', dataDir },
    store: { getCurrent: async () => null },
    storageHealth: {
      report: async () => ({
        ok: true,
        writable: true,
        lastError: {
          code: 'EIO',
          operation: 'write',
          path: `${dataDir}/snapshots/x.json`,
          message: `EIO at ${dataDir}/snapshots/x.json`,
          at: '2026-11-29T00:00:00.000Z',
        },
        failingOperations: [],
        freeBytes: null,
        minFreeBytes: 0,
        lowSpace: false,
      }),
    },
    rawCache: { stats: async () => ({ hitRate: 0.5, entryCount: 3, sizeBytes: 99 }) as never },
    // Each status read differs, so figures read twice would not compare equal.
    scheduler: {
      status: (host) => ({
        rateLimiter: {
          currentCount: ++requests,
          maxRequests: 2,
          windowMs: 1000,
          nextResetAt: host ?? '',
        },
        concurrencyLimiter: { activeSlots: 0, maxConcurrent: 4, queueLength: 0 },
        adaptive: { effectiveMaxRequests: 2, pausedUntil: null },
      }),
    },
    resilience: { circuit: () => circuit },
    refresh: { status: () => ({ state: 'idle', last: null }) },
  }
}

describe('createHealth', () => {
  it('reads the upstream budget and cache of the dashboard host for reports and job views alike', async () => {
    const health = createHealth(deps(closed, '/srv/data'))
    const perf = await health.performance()
    const report = await health.report({ admin: true })
    expect(perf.rateLimiter.nextResetAt).toBe('dash.test:8080')
    expect(report.upstream.rateLimiter.nextResetAt).toBe('dash.test:8080')
    expect(report.cache).toEqual(perf.intermediateCache)
    expect(report.status).toBe('ok')
    expect(health.upstreamPause()).toBeNull()
  })

  it('shows server paths to the admin only and pauses jobs while the circuit is not closed', async () => {
    const open = {
      ...closed,
      state: 'open' as const,
      reason: 'HTTP 503',
      nextProbeAt: '2026-11-29T00:01:00.000Z',
    }
    const health = createHealth(deps(open, '/srv/data'))
    const anonymous = await health.report({ admin: false })
    const admin = await health.report({ admin: true })
    expect(anonymous.status).toBe('degraded')
    expect('dataDir' in anonymous.store).toBe(false)
    expect(anonymous.store.lastError).toMatchObject({ path: 'snapshots/x.json' })
    expect(anonymous.store.lastError?.message).not.toContain('/srv/data')
    expect(admin.store).toMatchObject({ dataDir: '/srv/data' })
    expect(health.upstreamPause()).toEqual({
      reason: 'upstream circuit open: HTTP 503',
      until: '2026-11-29T00:01:00.000Z',
    })
  })
})

describe('createHealth in PostgreSQL mode', () => {
  it('reports the database and is degraded while it is unreachable; no database field without one', async () => {
    const database = createDatabaseHealth({ now: () => Date.parse('2026-11-29T01:00:00Z') })
    const health = createHealth({ ...deps(closed, '/srv/data'), database })
    expect((await health.report({ admin: false })).database).toEqual({
      reachable: true,
      unreachableSince: null,
      lastError: null,
      paused: false,
    })
    database.failed(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
    const down = await health.report({ admin: false })
    expect(down.status).toBe('degraded')
    expect(down.database).toEqual({
      reachable: false,
      unreachableSince: '2026-11-29T01:00:00.000Z',
      lastError: { message: 'connect ECONNREFUSED 127.0.0.1:5432', at: '2026-11-29T01:00:00.000Z' },
      paused: true,
    })
    database.succeeded()
    expect(await health.report({ admin: false })).toMatchObject({
      database: { reachable: true, paused: false, unreachableSince: null },
    })
    expect(
      await createHealth(deps(closed, '/srv/data')).report({ admin: false }),
    ).not.toHaveProperty('database')
  })
})
