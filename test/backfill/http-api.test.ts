import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitForJobEnd, type Json } from '../helpers/jobs.ts'
import { runJob, startBackfillStack } from './backfill-harness.ts'

let stack: Stack

beforeAll(async () => {
  stack = await startBackfillStack({ overrides: { memoryStorage: true } })
  await configureDistricts(stack, ['02', '21', '61'])
}, 60_000)

afterAll(async () => {
  await stack.close()
})

const post = (body: unknown) => stack.api<Json>('POST', '/api/districts/backfill', body)

describe('POST /api/districts/backfill validation', () => {
  const cases: [string, unknown, string][] = [
    ['an impossible date', { startDate: '2026-02-30' }, 'startDate'],
    ['a date in another format', { startDate: '10/01/2026' }, 'startDate'],
    ['a missing start date', { endDate: '2026-10-01' }, 'startDate'],
    ['a reversed range', { startDate: '2026-10-05', endDate: '2026-10-01' }, 'endDate'],
    [
      'a malformed district id',
      { startDate: '2026-10-01', targetDistricts: ['61', 'D-61'] },
      'targetDistricts[1]',
    ],
    ['an unknown field', { startDate: '2026-10-01', districts: ['61'] }, 'districts'],
    ['concurrency 0', { startDate: '2026-10-01', concurrency: 0 }, 'concurrency'],
    ['concurrency 11', { startDate: '2026-10-01', concurrency: 11 }, 'concurrency'],
    ['a fractional concurrency', { startDate: '2026-10-01', concurrency: 2.5 }, 'concurrency'],
    [
      'an unknown collection type',
      { startDate: '2026-10-01', collectionType: 'all' },
      'collectionType',
    ],
  ]
  it.each(cases)('answers 400 naming the field for %s', async (_, body, field) => {
    const r = await post(body)
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('VALIDATION_ERROR')
    expect(r.body.error.message.startsWith(`${field}:`), r.body.error.message).toBe(true)
    expect(r.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field })]),
    )
  })

  it('answers 400 to a body that is not a JSON object', async () => {
    expect((await post('[1,2]')).status).toBe(400)
    expect((await post('{"startDate":')).status).toBe(400)
  })

  it('answers 400 SCOPE_EMPTY listing the exclusions when no target is configured', async () => {
    const r = await post({ startDate: '2026-10-01', targetDistricts: ['33', '44'] })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('SCOPE_EMPTY')
    expect(r.body.error.details.scope.excluded).toEqual([
      expect.objectContaining({ districtId: '33', reason: 'not-configured' }),
      expect.objectContaining({ districtId: '44', reason: 'not-configured' }),
    ])
    expect((await stack.api<Json>('GET', '/api/districts/backfill')).body.total).toBe(0)
  })

  it('runs the configured targets and reports the excluded ones in the scope', async () => {
    const job = await startJob(stack, {
      startDate: '2026-11-29',
      targetDistricts: ['61', '44'],
    })
    expect(job.scope.targetDistricts).toEqual(['61'])
    expect(job.scope.excluded).toEqual([
      expect.objectContaining({ districtId: '44', reason: 'not-configured' }),
    ])
    expect((await waitForJobEnd(stack, job.backfillId)).status).toBe('complete')
  })
})

describe('district-scoped forms', () => {
  let job: BackfillResponse

  beforeAll(async () => {
    const r = await stack.api<BackfillResponse>('POST', '/api/districts/61/backfill', {
      startDate: '2026-11-28',
      targetDistricts: ['02'],
    })
    expect(r.status).toBe(202)
    job = await waitForJobEnd(stack, r.body.backfillId)
  })

  it('POST /api/districts/:id/backfill scopes the job to that district', () => {
    expect(job.status).toBe('complete')
    expect(job.type).toBe('district')
    expect(job.districtId).toBe('61')
    expect(job.scope).toMatchObject({ scopeType: 'single-district', targetDistricts: ['61'] })
    expect(Object.keys(job.progress.districtProgress)).toEqual(['61'])
  })

  it('GET answers the same job under its district and 404 under another', async () => {
    const own = await stack.api<BackfillResponse>(
      'GET',
      `/api/districts/61/backfill/${job.backfillId}`,
    )
    expect(own.status).toBe(200)
    expect(own.body.backfillId).toBe(job.backfillId)
    const other = await stack.api<Json>('GET', `/api/districts/21/backfill/${job.backfillId}`)
    expect([other.status, other.body.error.code]).toEqual([404, 'JOB_NOT_FOUND'])
  })

  it('DELETE answers 404 under another district and 409 under its own once finished', async () => {
    const other = await stack.api<Json>('DELETE', `/api/districts/21/backfill/${job.backfillId}`)
    expect(other.status).toBe(404)
    const own = await stack.api<Json>('DELETE', `/api/districts/61/backfill/${job.backfillId}`)
    expect([own.status, own.body.error.code]).toEqual([409, 'JOB_FINISHED'])
  })

  it('refuses a district outside the configuration and a malformed district id', async () => {
    const outside = await stack.api<Json>('POST', '/api/districts/44/backfill', {
      startDate: '2026-11-28',
    })
    expect([outside.status, outside.body.error.code]).toEqual([400, 'SCOPE_EMPTY'])
    const malformed = await stack.api<Json>('POST', '/api/districts/D-61/backfill', {
      startDate: '2026-11-28',
    })
    expect(malformed.status).toBe(400)
  })
})

describe('GET /api/districts/backfill (job history)', () => {
  it('filters by status and type, and pages newest first', async () => {
    await runJob(stack, { startDate: '2026-11-27', targetDistricts: ['02'] })
    await runJob(stack, { startDate: '2026-11-27', targetDistricts: ['21'] })
    const all = await stack.api<Json>('GET', '/api/districts/backfill?limit=200')
    expect(all.status).toBe(200)
    const jobs = all.body.jobs as BackfillResponse[]
    expect(all.body.total).toBe(jobs.length)
    expect(jobs.length).toBeGreaterThanOrEqual(4)
    const created = jobs.map((j) => j.createdAt)
    expect(created).toEqual([...created].sort().reverse())

    const district = await stack.api<Json>('GET', '/api/districts/backfill?type=district')
    expect(district.body.jobs.map((j: Json) => j.type)).toEqual(['district'])
    const global = await stack.api<Json>(
      'GET',
      '/api/districts/backfill?type=global&status=complete',
    )
    expect(global.body.total).toBe(jobs.filter((j) => j.type === 'global').length)
    expect(global.body.jobs.every((j: Json) => j.status === 'complete')).toBe(true)
    const none = await stack.api<Json>('GET', '/api/districts/backfill?status=cancelled')
    expect([none.body.total, none.body.jobs]).toEqual([0, []])

    const page = await stack.api<Json>('GET', '/api/districts/backfill?limit=2&offset=1')
    expect(page.body.total).toBe(jobs.length)
    expect(page.body.jobs.map((j: Json) => j.backfillId)).toEqual(
      jobs.slice(1, 3).map((j) => j.backfillId),
    )
  })

  it('answers 400 to a bad filter and 404 to an unknown job id', async () => {
    expect((await stack.api('GET', '/api/districts/backfill?status=done')).status).toBe(400)
    expect((await stack.api('GET', '/api/districts/backfill?limit=0')).status).toBe(400)
    expect((await stack.api('GET', '/api/districts/backfill?type=all')).status).toBe(400)
    const unknown = await stack.api<Json>('GET', '/api/districts/backfill/bf_missing')
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'JOB_NOT_FOUND'])
  })
})

describe('a full queue', () => {
  it('answers 429 beyond the running and queued limits', async () => {
    const small = await startBackfillStack({
      env: { MAX_RUNNING_JOBS: '1', MAX_QUEUED_JOBS: '1' },
      overrides: { memoryStorage: true },
    })
    try {
      await configureDistricts(small, ['61'])
      small.sim.addFault({ kind: 'latency', ms: 300 })
      const body = { startDate: '2026-10-01', endDate: '2026-10-10' }
      const running = await startJob(small, body)
      const queued = await startJob(small, body)
      expect(queued.status).toBe('queued')
      const refused = await small.api<Json>('POST', '/api/districts/backfill', body)
      expect([refused.status, refused.body.error.code]).toEqual([429, 'QUEUE_FULL'])
      // A dry run takes no queue slot.
      const dry = await small.api<Json>('POST', '/api/districts/backfill', {
        ...body,
        dryRun: true,
      })
      expect(dry.status).toBe(200)
      for (const id of [queued.backfillId, running.backfillId]) {
        const r = await small.api<BackfillResponse>('DELETE', `/api/districts/backfill/${id}`)
        expect(r.body.status).toBe('cancelled')
      }
      await small.server.services.backfills.idle()
      small.sim.clearFaults()
      expect((await startJob(small, { startDate: '2026-11-29' })).status).not.toBe('queued')
      await small.server.services.backfills.idle()
    } finally {
      await small.close()
    }
  }, 30_000)
})
