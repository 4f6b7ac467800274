/**
 * Properties 9 and 11 of docs/properties.md against a real stack (simulator and server over
 * loopback), observed through the service's event stream and its responses. Snapshots, raw CSV
 * bodies and job logs are kept in memory: these properties are about scheduling and the job
 * view, and the disk store has its own contract suite. Date ranges stay at one or two days.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  cellKey,
  toBackfillResponse,
  type BackfillService,
  type InitiateOptions,
  type JobState,
} from '../../src/server/backfill/index.ts'
import { isTerminal, type BackfillResponse, type JobStatus } from '../../src/shared/backfill-api.ts'
import { addDays } from '../../src/shared/iso-date.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts } from '../helpers/jobs.ts'
import { startBackfillStack } from './backfill-harness.ts'

const CONFIGURED = ['02', '09', '21', '33', '36', '61']

let stack: Stack
let svc: BackfillService

beforeAll(async () => {
  stack = await startBackfillStack({ overrides: { memoryStorage: true } })
  svc = stack.server.services.backfills
  await configureDistricts(stack, CONFIGURED)
}, 60_000)

afterAll(async () => {
  await stack.close()
})

async function start(body: object, options: InitiateOptions = { kind: 'global' }) {
  const result = await svc.initiate(body, options)
  if (result.kind !== 'started') throw new Error('expected a job, got a plan')
  return result.job
}

it('Feature: unified-backfill-service, Property 9: Concurrent Processing Limits', async () => {
  const property = fc.asyncProperty(
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 1, max: 6 }),
    fc.constantFrom('2026-11-20', '2026-11-22', '2026-11-24'),
    // Mostly one date; sometimes two, to span dates.
    fc.constantFrom(0, 0, 0, 1),
    // Mostly from the raw CSV cache (fast, still asynchronous), sometimes over the network.
    fc.constantFrom(true, true, true, false),
    async (concurrency, districtCount, startDate, extraDays, enableCaching) => {
      const targets = CONFIGURED.slice(0, districtCount)
      const inFlight = new Set<string>()
      let peak = 0
      let jobId: string | null = null
      const early: { state: JobState; key: string; type: string }[] = []
      const track = (key: string, type: string) => {
        if (type === 'cell:started') inFlight.add(key)
        else if (/^cell:(completed|failed|unavailable)$/.test(type)) inFlight.delete(key)
        peak = Math.max(peak, inFlight.size)
      }
      const stop = svc.subscribe((state, event) => {
        if (!event.type.startsWith('cell:') || !('districtId' in event)) return
        const key = cellKey(event.date, event.districtId)
        // Events may arrive before initiate() has told us the id: keep them until it does.
        if (jobId === null) early.push({ state, key, type: event.type })
        else if (state.backfillId === jobId) track(key, event.type)
      })
      try {
        const job = await start({
          startDate,
          endDate: addDays(startDate, extraDays),
          targetDistricts: targets,
          collectionType: 'per-district',
          concurrency,
          skipExisting: false,
          enableCaching,
        })
        jobId = job.backfillId
        for (const e of early) if (e.state.backfillId === jobId) track(e.key, e.type)
        await svc.idle()
        const done = await svc.get(job.backfillId)
        expect(done.status).toBe('complete')
        expect(done.progress.completed).toBe(targets.length * (extraDays + 1))
      } finally {
        stop()
      }
      expect(inFlight.size).toBe(0)
      expect(peak).toBeGreaterThan(0)
      expect(peak).toBeLessThanOrEqual(concurrency)
      if (concurrency < districtCount && peak === concurrency) saturated++
    },
  )
  let saturated = 0
  await fc.assert(property, { numRuns: 40 })
  // The bound was reached, not merely never approached: the limit is what held it.
  expect(saturated).toBeGreaterThan(0)
}, 120_000)

const STATUSES: JobStatus[] = [
  'queued',
  'processing',
  'complete',
  'partial_success',
  'error',
  'cancelled',
]

/** What the backfill page needs from any response to draw a job. */
function expectRenderable(r: BackfillResponse, label: string) {
  const p = r.progress
  expect(STATUSES, label).toContain(r.status)
  expect(typeof r.backfillId).toBe('string')
  expect(Number.isNaN(Date.parse(r.createdAt))).toBe(false)
  for (const n of [p.total, p.completed, p.skipped, p.unavailable, p.failed])
    expect(Number.isInteger(n) && n >= 0, `${label}: ${JSON.stringify(p)}`).toBe(true)
  const done = p.completed + p.skipped + p.unavailable + p.failed
  expect(p.total, label).toBeGreaterThan(0)
  expect(done, label).toBeLessThanOrEqual(p.total)
  const percent = (100 * done) / p.total
  expect(percent >= 0 && percent <= 100, label).toBe(true)
  if (isTerminal(r.status) && r.status !== 'cancelled') expect(done, label).toBe(p.total)
  expect(p).toHaveProperty('etaSeconds')
  expect(p.etaSeconds === null || p.etaSeconds >= 0, label).toBe(true)
  if (isTerminal(r.status)) expect(p.etaSeconds, label).toBeNull()
  expect(Object.keys(p.districtProgress).sort(), label).toEqual([...r.scope.targetDistricts].sort())
  for (const d of Object.values(p.districtProgress)) {
    expect(d.datesProcessed).toBeLessThanOrEqual(d.datesTotal)
    expect(d.successfulDates.length + d.failedDates.length).toBeLessThanOrEqual(d.datesProcessed)
  }
  const e = r.errorSummary
  expect(e, label).toBeDefined()
  expect(e?.totalErrors).toBe((e?.retryableErrors ?? 0) + (e?.permanentErrors ?? 0))
  expect(r.snapshotIds).toEqual([...new Set(r.snapshotIds)].sort())
}

const TODAY = '2026-11-29'

const requestArb = fc.record({
  kind: fc.constantFrom('global', 'targeted', 'district'),
  targets: fc.uniqueArray(fc.constantFrom(...CONFIGURED), { minLength: 1, maxLength: 6 }),
  startDate: fc.constantFrom('2026-11-27', '2026-11-28', '2026-11-29'),
  days: fc.integer({ min: 0, max: 1 }),
  collectionType: fc.constantFrom('system-wide', 'per-district', 'auto'),
  concurrency: fc.integer({ min: 1, max: 10 }),
  skipExisting: fc.boolean(),
})

type RequestPick = typeof requestArb extends fc.Arbitrary<infer T> ? T : never

it('Feature: unified-backfill-service, Property 11: Frontend API Compatibility', async () => {
  const property = fc.asyncProperty(requestArb, async (req) => {
    const end = addDays(req.startDate, req.days)
    const body = {
      startDate: req.startDate,
      endDate: end > TODAY ? TODAY : end,
      collectionType: req.collectionType,
      concurrency: req.concurrency,
      skipExisting: req.skipExisting,
      ...(req.kind === 'targeted' ? { targetDistricts: req.targets } : {}),
    }
    const seen: JobState[] = []
    const stop = svc.subscribe((state) => seen.push(state))
    let job: BackfillResponse
    try {
      job =
        req.kind === 'district'
          ? await start(body, { kind: 'district', districtId: req.targets[0] ?? '02' })
          : await start(body)
      expectRenderable(job, 'initiate response')
      await svc.idle()
    } finally {
      stop()
    }
    for (const state of seen.filter((s) => s.backfillId === job.backfillId))
      expectRenderable(
        toBackfillResponse(state, { nowMs: Date.parse(state.updatedAt) }),
        'intermediate state',
      )
    const final = await svc.get(job.backfillId)
    expectRenderable(final, 'final response')
    expect(isTerminal(final.status)).toBe(true)
    expect(final.performanceStatus).toBeDefined()
  })
  // Every kind of job with every collection type first, then random requests.
  const kinds = ['global', 'targeted', 'district'] as const
  const types = ['system-wide', 'per-district', 'auto'] as const
  const examples = kinds.flatMap((kind, k) =>
    types.map((collectionType, t): [RequestPick] => [
      {
        kind,
        targets: CONFIGURED.slice(t, t + 1 + k),
        startDate: '2026-11-28',
        days: (k + t) % 2,
        collectionType,
        concurrency: 1 + k + 3 * t,
        skipExisting: t % 2 === 0,
      },
    ]),
  )
  await fc.assert(property, { numRuns: 40, examples })
}, 120_000)
