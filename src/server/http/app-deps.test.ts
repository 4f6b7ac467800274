import { afterEach, describe, expect, it } from 'vitest'
import type { Json } from '../../../test/helpers/jobs.ts'
import { createSilentLogger } from '../logger.ts'
import { createApp, type AppDeps } from './app.ts'
import type { App } from './create-app.ts'

let app: App | null = null
afterEach(async () => {
  await app?.close()
  app = null
})

const TOKEN = 'test-admin-token'
const CLOSED = {
  state: 'closed',
  consecutiveFailures: 0,
  reason: null,
  openedAt: null,
  outageSince: null,
  nextProbeAt: null,
} as const

/** An app over hand-made dependencies: nothing but what AppDeps names exists. */
async function listen(overrides: Partial<AppDeps> = {}): Promise<string> {
  const deps: AppDeps = {
    logger: createSilentLogger(),
    config: { adminToken: TOKEN, allowedHosts: [], dataDir: '/nonexistent' },
    backfills: {
      initiate: () => Promise.reject(new Error('unused')),
      list: () => Promise.resolve({ total: 0, jobs: [] }),
      get: () => Promise.reject(new Error('unused')),
      cancel: () => Promise.reject(new Error('unused')),
      retry: () => Promise.reject(new Error('unused')),
      events: () => Promise.reject(new Error('unused')),
    },
    refresh: {
      status: () => ({ state: 'idle', last: null }),
      refresh: () => Promise.reject(new Error('unused')),
    },
    // Nothing stored: GET /api/districts has no summary to check the configured list against.
    store: { listSnapshots: async () => [] } as unknown as AppDeps['store'],
    districtConfig: {
      get: () => Promise.resolve(['61']),
    } as unknown as AppDeps['districtConfig'],
    alerts: { list: async () => [] },
    health: async ({ admin }) => ({
      status: 'ok',
      version: 'test',
      // Which caller asked shows in the answer; the extra key survives the response schema.
      store: { ok: true, current: null, dataDirId: null, askedByAdmin: admin },
      upstream: { baseUrl: 'http://dash.test', circuit: CLOSED },
      cache: { hitRate: 0, entryCount: 0, sizeBytes: 0 },
      refresh: { state: 'idle', last: null },
    }),
    rebuild: (range) => Promise.resolve({ range } as never),
    ...overrides,
  }
  app = await createApp(deps)
  return app.listen({ host: '127.0.0.1', port: 0 })
}

describe('createApp over its narrow dependencies', () => {
  it('answers health from the health function, telling it whether the caller is the admin', async () => {
    const url = await listen()
    const anonymous = (await (await fetch(`${url}/api/health`)).json()) as Json
    const admin = (await (
      await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as Json
    expect([anonymous.store.askedByAdmin, admin.store.askedByAdmin]).toEqual([false, true])
    expect(admin.upstream.circuit).toEqual(CLOSED)
  })

  it('reads configured districts and hands a rebuild range to the rebuild function', async () => {
    const url = await listen()
    const districts = await (await fetch(`${url}/api/districts`)).json()
    expect(districts).toEqual({
      configured: ['61'],
      mode: 'configured',
      newestSummary: null,
      districts: [{ districtId: '61', inNewestSummary: null, hint: null }],
    })
    const rebuilt = await fetch(`${url}/api/rebuild`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ from: '2026-11-01', to: '2026-11-02' }),
    })
    expect(rebuilt.status).toBe(200)
    expect(await rebuilt.json()).toEqual({ range: { from: '2026-11-01', to: '2026-11-02' } })
  })
})
