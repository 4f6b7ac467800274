/**
 * Properties 1 and 8 of docs/properties.md against a real stack. Jobs target the simulator's today, which is
 * never published, so every job settles at once as unavailable with no upstream request: a
 * run costs a few milliseconds and the queue never fills.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, type Json } from '../helpers/jobs.ts'
import { datedRequests, startBackfillStack } from './backfill-harness.ts'

const CONFIGURED = ['02', '09', '21', '33', '61']
const UNPUBLISHED = '2026-11-29'

let stack: Stack

beforeAll(async () => {
  stack = await startBackfillStack({ overrides: { memoryStorage: true } })
  await configureDistricts(stack, CONFIGURED)
}, 60_000)

afterAll(async () => {
  await stack.close()
})

const districtArb = fc.constantFrom(...CONFIGURED)

type JobOrder =
  | { kind: 'global' }
  | { kind: 'targeted'; targets: string[] }
  | { kind: 'district'; districtId: string }

const orderArb: fc.Arbitrary<JobOrder> = fc.oneof(
  fc.constant({ kind: 'global' as const }),
  fc
    .uniqueArray(districtArb, { minLength: 1, maxLength: CONFIGURED.length })
    .map((targets) => ({ kind: 'targeted' as const, targets })),
  districtArb.map((districtId) => ({ kind: 'district' as const, districtId })),
)

async function place(order: JobOrder): Promise<BackfillResponse> {
  const svc = stack.server.services.backfills
  const body = { startDate: UNPUBLISHED, dryRun: false }
  const result =
    order.kind === 'district'
      ? await svc.initiate(body, { kind: 'district', districtId: order.districtId })
      : await svc.initiate(
          order.kind === 'targeted' ? { ...body, targetDistricts: order.targets } : body,
          { kind: 'global' },
        )
  if (result.kind !== 'started') throw new Error('a dry-run=false request returned a plan')
  return result.job
}

const seen = new Set<string>()

it('Feature: unified-backfill-service, Property 1: Job Queue Unification', async () => {
  const property = fc.asyncProperty(
    fc.array(orderArb, { minLength: 1, maxLength: 4 }),
    async (orders) => {
      const svc = stack.server.services.backfills
      const before = (await svc.list({ limit: 1, offset: 0 })).total
      const jobs = await Promise.all(orders.map(place))
      const ids = jobs.map((j) => j.backfillId)
      expect(new Set(ids).size).toBe(ids.length)
      for (const id of ids) {
        expect(seen.has(id), `id ${id} reused`).toBe(false)
        seen.add(id)
      }
      await svc.idle()
      const listed = await svc.list({ limit: before + ids.length, offset: 0 })
      expect(listed.total).toBe(before + ids.length)
      expect(listed.total).toBe(seen.size)
      const listedIds = listed.jobs.map((j) => j.backfillId)
      expect(new Set(listedIds).size).toBe(listedIds.length)
      for (const [i, order] of orders.entries()) {
        const job = listed.jobs.find((j) => j.backfillId === ids[i])
        expect(job, `job ${ids[i]} missing from the one job list`).toBeDefined()
        expect(job?.type).toBe(order.kind === 'district' ? 'district' : 'global')
        expect(job?.status).toBe('complete')
      }
    },
  )
  await fc.assert(property, { numRuns: 40 })
}, 60_000)

/** Every key path of a JSON value. Arrays are leaves: an empty list has the same shape as a full one. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix]
  return Object.entries(value).flatMap(([k, v]) => [
    `${prefix}.${k}`,
    ...keyPaths(v, `${prefix}.${k}`),
  ])
}

const SEED_KEYS = [
  'backfillId',
  'status',
  'scope',
  'progress',
  'collectionStrategy',
  'snapshotIds',
  'errorSummary',
  'partialSnapshots',
  'performanceStatus',
]

const requestArb = fc.record(
  {
    startDate: fc.constantFrom('2026-11-28', UNPUBLISHED),
    collectionType: fc.constantFrom('system-wide', 'per-district', 'auto'),
    concurrency: fc.integer({ min: 1, max: 10 }),
    retryFailures: fc.boolean(),
    skipExisting: fc.boolean(),
    rateLimitDelayMs: fc.integer({ min: 0, max: 5 }),
    enableCaching: fc.boolean(),
  },
  { requiredKeys: ['startDate'] },
)

/** Shape of a response without the one key only the district form carries. */
function shapeOf(body: Json): string[] {
  const { districtId: _d, ...rest } = body
  return keyPaths(rest).sort()
}

it('Feature: unified-backfill-service, Property 8: API Backward Compatibility', async () => {
  const property = fc.asyncProperty(requestArb, districtArb, async (request, districtId) => {
    const body = { ...request, endDate: UNPUBLISHED }
    const global = await stack.api<Json>('POST', '/api/districts/backfill', {
      ...body,
      targetDistricts: [districtId],
    })
    const legacy = await stack.api<Json>('POST', `/api/districts/${districtId}/backfill`, body)
    expect([global.status, legacy.status]).toEqual([202, 202])
    for (const key of SEED_KEYS) {
      expect(global.body).toHaveProperty(key)
      expect(legacy.body).toHaveProperty(key)
    }
    expect(shapeOf(legacy.body)).toEqual(shapeOf(global.body))
    expect(legacy.body).toMatchObject({ type: 'district', districtId })
    expect(legacy.body.scope.targetDistricts).toEqual(global.body.scope.targetDistricts)
    expect(legacy.body.collectionStrategy.type).toBe(global.body.collectionStrategy.type)
    await stack.server.services.backfills.idle()
    const id = legacy.body.backfillId as string
    const viaGlobal = await stack.api<Json>('GET', `/api/districts/backfill/${id}`)
    const viaDistrict = await stack.api<Json>('GET', `/api/districts/${districtId}/backfill/${id}`)
    const { performanceStatus: _a, ...a } = viaGlobal.body
    const { performanceStatus: _b, ...b } = viaDistrict.body
    expect(b).toEqual(a)
    const done = await stack.api<Json>('GET', `/api/districts/backfill/${global.body.backfillId}`)
    expect(shapeOf(viaDistrict.body)).toEqual(shapeOf(done.body))
    expect(datedRequests(stack).filter((r) => r.asOf === UNPUBLISHED)).toEqual([])
  })
  await fc.assert(property, { numRuns: 40 })
}, 60_000)
