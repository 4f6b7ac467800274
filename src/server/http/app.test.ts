import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Json } from '../../../test/helpers/jobs.ts'
import { sendRaw } from '../../../test/helpers/raw-http.ts'
import { HTTP_STATUS_BY_CODE, isErrorCode } from '../../shared/error-codes.ts'
import { startStack, type Stack } from '../../../test/helpers/stack.ts'

let stack: Stack
let latest: string

beforeAll(async () => {
  stack = await startStack()
  latest = stack.sim.truth.latestAsOf()
})
afterAll(async () => {
  await stack.close()
})

describe('districts API', () => {
  it('starts with no configured districts, meaning every district of the summary', async () => {
    const r = await stack.api<Json>('GET', '/api/districts')
    expect(r).toEqual({
      status: 200,
      body: { configured: [], mode: 'all-in-summary', newestSummary: null, districts: [] },
    })
  })

  it('replaces, adds and removes configured districts, normalising ids', async () => {
    expect(
      (await stack.api<Json>('PUT', '/api/districts', { districts: ['61', '21'] })).body.configured,
    ).toEqual(['21', '61'])
    expect(
      (await stack.api<Json>('POST', '/api/districts', { districts: ['f'] })).body.configured,
    ).toEqual(['21', '61', 'F'])
    expect((await stack.api<Json>('DELETE', '/api/districts/F')).body.configured).toEqual([
      '21',
      '61',
    ])
    expect((await stack.api<Json>('DELETE', '/api/districts/F')).status).toBe(404)
  })

  it.each([
    [{ districts: ['../etc'] }, 'body.districts.0'],
    [{ districts: [] }, 'body.districts'],
    [{ districts: ['61'], extra: 1 }, 'extra'],
    [{ districts: '61' }, 'body.districts'],
    [{}, 'body.districts'],
  ])('answers %j with 400 naming %s', async (body, field) => {
    const r = await stack.api<Json>('PUT', '/api/districts', body)
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('VALIDATION_ERROR')
    expect(JSON.stringify(r.body.error)).toContain(field)
  })
})

describe('refresh and snapshots API', () => {
  it('collects the newest as-of for the configured districts at full detail, then writes nothing', async () => {
    const first = await stack.api<Json>('POST', '/api/refresh?wait=true')
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ status: 'written', asOf: latest, currentMoved: true })
    expect(first.body.districts.written).toEqual(['21', '61'])
    const second = await stack.api<Json>('POST', '/api/refresh?wait=true')
    expect(second.body).toMatchObject({ status: 'unchanged', asOf: latest })
    expect(second.body.districts.unchanged).toEqual(['21', '61'])
    const status = await stack.api<Json>('GET', '/api/refresh')
    expect(status.body).toMatchObject({ state: 'idle', last: { status: 'unchanged' } })
  })

  it('lists and reads the snapshot', async () => {
    const list = await stack.api<Json>('GET', '/api/snapshots')
    expect(list.body.current).toBe(latest)
    expect(list.body.snapshots).toHaveLength(1)
    expect(list.body.snapshots[0]).toMatchObject({
      asOf: latest,
      status: 'complete',
      districtCount: 2,
      fullDetailCount: 2,
      hasAllDistricts: true,
    })
    const one = await stack.api<Json>('GET', `/api/snapshots/${latest}`)
    expect(Object.keys(one.body.manifest.districts).sort()).toEqual(['21', '61'])
    const file = await stack.api<Json>('GET', `/api/snapshots/${latest}/districts/61`)
    expect(file.body).toMatchObject({ districtId: '61', asOf: latest, detail: 'full' })
    expect(file.body.statistics.clubs).toHaveLength(
      stack.sim.truth.clubs('61', latest)?.length ?? -1,
    )
    const current = await stack.api<Json>('GET', '/api/snapshots/current')
    expect(current.body.asOf).toBe(latest)
    const summary = await stack.api<Json>('GET', `/api/snapshots/${latest}/all-districts`)
    expect(summary.body.rows.length).toBeGreaterThan(2)
  })

  it('reports coverage and a district series', async () => {
    const cov = await stack.api<Json>(
      'GET',
      `/api/coverage?from=2026-11-01&to=${latest}&districts=61,21,02`,
    )
    expect(cov.status).toBe(200)
    const last = cov.body.dates.find((d: Json) => d.asOf === latest)
    expect(last.districts['61']).toEqual({ detail: 'full', status: 'ok' })
    expect(last.districts['02']).toMatchObject({ detail: null, status: 'missing' })
    const series = await stack.api<Json>(
      'GET',
      `/api/districts/61/snapshots?from=2026-11-01&to=${latest}`,
    )
    expect(series.body.series.map((s: Json) => s.asOf)).toEqual([latest])
  })

  it('lists the districts available in the stored summary', async () => {
    const r = await stack.api<Json>('GET', '/api/districts/available')
    expect(r.body.asOf).toBe(latest)
    expect(r.body.districts.map((d: Json) => d.districtId)).toEqual(
      expect.arrayContaining(['21', '61']),
    )
  })

  it.each([
    ['/api/snapshots/2026-02-30', 400],
    ['/api/snapshots/2020-01-01', 404],
    ['/api/snapshots/not-a-date', 400],
    ['/api/snapshots/2026-11-28/districts/..%2F..', 400],
    ['/api/snapshots/2026-11-28/districts/999', 404],
    ['/api/snapshots?from=2026-11-05&to=2026-11-01', 400],
    ['/api/snapshots?from=2026-11-05&bogus=1', 400],
    ['/api/coverage?from=2026-11-05', 400],
    ['/api/coverage?from=2024-01-01&to=2026-11-01', 400],
    ['/api/coverage?from=2026-11-01&to=2026-11-05&districts=61,../x', 400],
    ['/api/districts/61/snapshots?from=2026-11-05&to=2026-11-01', 400],
    ['/api/districts/available?date=2020-01-01', 404],
    ['/api/nothing-here', 404],
  ])('GET %s answers %i in the error format', async (route, status) => {
    const r = await stack.api<Json>('GET', route)
    expect(r.status).toBe(status)
    expect(typeof r.body.error.code).toBe('string')
    expect(typeof r.body.error.message).toBe('string')
  })

  it('rejects bad refresh input: unknown fields, bad dates, malformed JSON, oversized bodies', async () => {
    expect((await stack.api<Json>('POST', '/api/refresh', { date: '2026-13-01' })).status).toBe(400)
    expect((await stack.api<Json>('POST', '/api/refresh', { when: 'now' })).status).toBe(400)
    expect((await stack.api<Json>('POST', '/api/refresh', '{"date":')).body.error.code).toBe(
      'INVALID_JSON',
    )
    const big = await stack.api<Json>('POST', '/api/districts', {
      districts: Array.from({ length: 300_000 }, () => '61'),
    })
    expect(big.status).toBe(413)
  })

  it('answers each error with a code of the one vocabulary, at the status its table gives', async () => {
    const answers = [
      await stack.api<Json>('GET', '/api/no-such-route'),
      await stack.api<Json>('DELETE', '/api/districts/ZZ'),
      await stack.api<Json>('GET', '/api/snapshots/1999-01-01'),
      await stack.api<Json>('GET', '/api/snapshots/1999-13-01'),
      await stack.api<Json>('GET', '/api/districts/backfill/bf_nosuchjob'),
      await stack.api<Json>('POST', '/api/districts/backfill', { startDate: 'soon' }),
      await stack.api<Json>('POST', '/api/refresh', '{"date":'),
      await stack.api<Json>('POST', '/api/refresh', undefined, { origin: 'https://evil.test' }),
    ]
    const rawHost = await sendRaw(
      stack.url,
      'GET /api/health HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n',
    )
    answers.push({ status: rawHost.status, body: JSON.parse(rawHost.body) as Json })
    const seen = answers.map((a) => [a.status, a.body.error.code as string])
    expect(seen.map(([, code]) => code)).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
      'VALIDATION_ERROR',
      'JOB_NOT_FOUND',
      'VALIDATION_ERROR',
      'INVALID_JSON',
      'CROSS_SITE_REQUEST',
      'HOST_NOT_ALLOWED',
    ])
    for (const [status, code] of seen) {
      expect(isErrorCode(code)).toBe(true)
      expect([code, HTTP_STATUS_BY_CODE[code as keyof typeof HTTP_STATUS_BY_CODE]]).toEqual([
        code,
        status,
      ])
    }
  })

  it('publishes an OpenAPI document generated from the schemas', async () => {
    const r = await stack.api<Json>('GET', '/api/openapi.json')
    expect(r.body.openapi).toMatch(/^3\./)
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining(['/api/refresh', '/api/snapshots/{date}', '/api/coverage']),
    )
  })

  it('declares the response shapes the page reads in the OpenAPI document', async () => {
    const { paths } = (await stack.api<Json>('GET', '/api/openapi.json')).body
    const shape = (route: string, method: string) =>
      paths[route][method].responses['200'].content['application/json'].schema
    expect(shape('/api/health', 'get').required).toEqual(
      expect.arrayContaining(['status', 'version', 'store', 'upstream', 'cache', 'refresh']),
    )
    expect(Object.keys(shape('/api/districts/backfill', 'get').properties)).toEqual([
      'total',
      'jobs',
    ])
    expect(Object.keys(shape('/api/snapshots/{date}', 'get').properties)).toEqual([
      'metadata',
      'manifest',
    ])
    expect(Object.keys(shape('/api/districts', 'get').properties)).toEqual([
      'configured',
      'mode',
      'newestSummary',
      'districts',
    ])
    for (const method of ['put', 'post'])
      expect(Object.keys(shape('/api/districts', method).properties)).toEqual(['configured'])
    expect(Object.keys(shape('/api/districts/{districtId}', 'delete').properties)).toEqual([
      'configured',
    ])
    expect(Object.keys(shape('/api/districts/available', 'get').properties)).toEqual([
      'asOf',
      'districts',
    ])
  })

  it('keeps the health figures the schema does not name', async () => {
    const r = await stack.api<Json>('GET', '/api/health')
    expect(Object.keys(r.body.upstream)).toEqual(
      expect.arrayContaining(['rateLimiter', 'concurrencyLimiter', 'adaptive']),
    )
    expect(Object.keys(r.body.store)).toEqual(
      expect.arrayContaining(['writable', 'lastError', 'failingOperations', 'lowSpace']),
    )
  })

  it('reports health with store, upstream and cache figures', async () => {
    const r = await stack.api<Json>('GET', '/api/health')
    expect(r.body).toMatchObject({
      status: 'ok',
      store: { ok: true, current: latest },
      upstream: { circuit: { state: 'closed' } },
    })
    expect(r.body.cache.entryCount).toBeGreaterThanOrEqual(7)
  })
})

describe('refresh notices restatements', () => {
  it('stores a body that changed under an unchanged as-of and records the restatement', async () => {
    stack.sim.addFault({
      kind: 'restatement',
      match: { report: 'clubperformance', districtId: '61' },
    })
    try {
      const r = await stack.api<Json>('POST', '/api/refresh?wait=true')
      expect(r.body).toMatchObject({ status: 'written', restated: ['61'] })
      expect(r.body.districts.unchanged).toEqual(['21'])
      const meta = (await stack.api<Json>('GET', `/api/snapshots/${latest}`)).body.metadata
      expect(meta.restatements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ districtId: '61', report: 'clubperformance' }),
        ]),
      )
    } finally {
      stack.sim.clearFaults()
    }
  })
})

describe('ADMIN_TOKEN', () => {
  let secured: Stack
  beforeAll(async () => {
    secured = await startStack({ env: { ADMIN_TOKEN: 'correct-horse-battery' } })
  })
  afterAll(async () => {
    await secured.close()
  })

  it('guards every mutating endpoint and leaves reads open', async () => {
    const calls: [string, string, unknown?][] = [
      ['POST', '/api/refresh'],
      ['PUT', '/api/districts', { districts: ['61'] }],
      ['POST', '/api/districts', { districts: ['61'] }],
      ['DELETE', '/api/districts/61'],
    ]
    for (const [method, route, body] of calls) {
      expect((await secured.api(method, route, body)).status, `${method} ${route}`).toBe(401)
      expect(
        (await secured.api(method, route, body, { authorization: 'Bearer nope-nope' })).status,
      ).toBe(403)
    }
    const ok = await secured.api<Json>(
      'PUT',
      '/api/districts',
      { districts: ['61'] },
      { authorization: 'Bearer correct-horse-battery' },
    )
    expect(ok.status).toBe(200)
    expect((await secured.api('GET', '/api/districts')).status).toBe(200)
    expect((await secured.api('GET', '/api/health')).status).toBe(200)
  })
})
