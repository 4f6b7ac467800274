import { describe, expect, it } from 'vitest'
import { ApiError } from './api-error.ts'
import { createApiClient } from './client.ts'

interface Seen {
  method: string
  url: string
  headers: Record<string, string>
  body: unknown
}

function recordingClient(answer: (seen: Seen) => Response, token: string | null = null) {
  const seen: Seen[] = []
  const client = createApiClient({
    baseUrl: 'http://api.test',
    getToken: () => token,
    fetch: async (input, init) => {
      const s: Seen = {
        method: init?.method ?? 'GET',
        url: String(input),
        headers: (init?.headers ?? {}) as Record<string, string>,
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      }
      seen.push(s)
      return answer(s)
    },
  })
  return { client, seen }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('createApiClient', () => {
  it('posts a global backfill, or the district-scoped one, with the bearer token', async () => {
    const { client, seen } = recordingClient(() => json(202, { backfillId: 'bf_1' }), 'secret')
    await client.initiateBackfill({ startDate: '2026-11-01' })
    await client.initiateBackfill({ startDate: '2026-11-01' }, '61')
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST http://api.test/api/districts/backfill',
      'POST http://api.test/api/districts/61/backfill',
    ])
    expect(seen[0]?.headers['authorization']).toBe('Bearer secret')
    expect(seen[0]?.body).toEqual({ startDate: '2026-11-01', dryRun: false })
  })

  it('asks for a dry run on preview and sends no token on reads', async () => {
    const { client, seen } = recordingClient(() => json(200, {}), 'secret')
    await client.previewBackfill({ startDate: '2026-11-01' })
    await client.getBackfill('bf_1', '61')
    expect(seen[0]?.body).toEqual({ startDate: '2026-11-01', dryRun: true })
    expect(seen[1]?.url).toBe('http://api.test/api/districts/61/backfill/bf_1')
    expect(seen[1]?.headers['authorization']).toBeUndefined()
  })

  it('builds list and coverage queries without empty parameters', async () => {
    const { client, seen } = recordingClient(() => json(200, {}))
    await client.listBackfills({ limit: 10, offset: 20, status: 'complete' })
    await client.coverage({ from: '2026-11-01', to: '2026-11-02', districts: ['02', '61'] })
    await client.cancelBackfill('bf_1')
    await client.retryBackfill('bf_1')
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET http://api.test/api/districts/backfill?limit=10&offset=20&status=complete',
      'GET http://api.test/api/coverage?from=2026-11-01&to=2026-11-02&districts=02%2C61',
      'DELETE http://api.test/api/districts/backfill/bf_1',
      'POST http://api.test/api/districts/backfill/bf_1/retry',
    ])
  })

  it('changes the configured districts and runs a waited refresh with the bearer token', async () => {
    const { client, seen } = recordingClient(() => json(200, { configured: [] }), 'secret')
    await client.replaceDistricts(['61', '21'])
    await client.removeDistrict('21')
    await client.refresh()
    await client.refreshStatus()
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'PUT http://api.test/api/districts',
      'DELETE http://api.test/api/districts/21',
      'POST http://api.test/api/refresh?wait=true',
      'GET http://api.test/api/refresh',
    ])
    expect(seen[0]?.body).toEqual({ districts: ['61', '21'] })
    expect(seen.slice(0, 3).map((s) => s.headers['authorization'])).toEqual([
      'Bearer secret',
      'Bearer secret',
      'Bearer secret',
    ])
    expect(seen[2]?.body).toBeUndefined()
    expect(seen[3]?.headers['authorization']).toBeUndefined()
  })

  it('throws the error body as an ApiError with status, code and details', async () => {
    const details = [{ field: 'endDate', message: 'endDate must not be before startDate' }]
    const { client } = recordingClient(() =>
      json(400, { error: { code: 'VALIDATION_ERROR', message: 'endDate: bad', details } }),
    )
    const err = await client.initiateBackfill({ startDate: '2026-11-05' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      message: 'endDate: bad',
      details,
    })
  })

  it('still throws a useful ApiError when the error body is not JSON', async () => {
    const { client } = recordingClient(
      () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    )
    await expect(client.health()).rejects.toMatchObject({ status: 502, code: 'HTTP_ERROR' })
  })
})
