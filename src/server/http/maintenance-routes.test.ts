import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Json } from '../../../test/helpers/jobs.ts'
import { startStack, type Stack } from '../../../test/helpers/stack.ts'

const TOKEN = 'maintenance-token'
const AUTH = { authorization: `Bearer ${TOKEN}` }
let stack: Stack
let latest: string

beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKEN: TOKEN } })
  latest = stack.sim.truth.latestAsOf()
  await stack.api('PUT', '/api/districts', { districts: ['61'] }, AUTH)
  await stack.api('POST', '/api/refresh?wait=true', undefined, AUTH)
})
afterAll(async () => {
  await stack.close()
})

describe('POST /api/rebuild', () => {
  it('re-derives a deleted snapshot from the raw CSV cache, and needs the token', async () => {
    await rm(path.join(stack.dataDir, 'snapshots', latest), { recursive: true })
    expect((await stack.api('POST', '/api/rebuild', { from: latest, to: latest })).status).toBe(401)
    const r = await stack.api<Json>('POST', '/api/rebuild', { from: latest, to: latest }, AUTH)
    expect(r.status).toBe(200)
    expect(r.body.dates).toEqual([
      {
        asOf: latest,
        dataMonth: expect.stringMatching(/^\d{4}-\d{2}$/),
        full: ['61'],
        summary: [],
        failed: [],
        skipped: [],
      },
    ])
    expect(await stack.server.services.store.readDistrict(latest, '61')).not.toBeNull()
  })

  it('names the field of a bad range', async () => {
    const r = await stack.api<Json>(
      'POST',
      '/api/rebuild',
      { from: '2026-10-05', to: '2026-10-01' },
      AUTH,
    )
    expect(r.status).toBe(400)
    expect(r.body.error.message).toMatch(/^body\.to: /)
  })
})

describe('POST /api/verify/repair', () => {
  it('quarantines a torn district file and reports it repaired', async () => {
    await writeFile(path.join(stack.dataDir, 'snapshots', latest, 'district_61.json'), '{"torn":')
    const r = await stack.api<Json>('POST', '/api/verify/repair', {}, AUTH)
    expect(r.status).toBe(200)
    expect(r.body.problems.some((p: Json) => p.repaired && /district_61/.test(p.path))).toBe(true)
  })

  it('refuses with 409 while a backfill job could be writing', async () => {
    stack.sim.addFault({ kind: 'latency', ms: 300 })
    try {
      const job = await stack.api<Json>(
        'POST',
        '/api/districts/backfill',
        { startDate: '2026-10-01', endDate: '2026-10-10', targetDistricts: ['61'] },
        AUTH,
      )
      expect(job.status).toBe(202)
      const r = await stack.api<Json>('POST', '/api/verify/repair', {}, AUTH)
      expect(r.status).toBe(409)
      expect(r.body.error.code).toBe('WRITERS_ACTIVE')
      expect(r.body.error.message).toContain(job.body.backfillId)
      await stack.api('DELETE', `/api/districts/backfill/${job.body.backfillId}`, undefined, AUTH)
      await stack.server.services.backfills.idle()
    } finally {
      stack.sim.clearFaults()
    }
  })
})
