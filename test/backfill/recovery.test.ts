/**
 * Recovering from a damaged raw CSV cache: `verify --repair` quarantines a corrupt summary body,
 * `rebuild` then keeps the stored full files instead of stripping them, and the next backfill
 * of those cells (caching on) fetches the missing body again, so a later rebuild is whole.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSilentLogger } from '../../src/server/logger.ts'
import { rebuildFromCache } from '../../src/server/collect/index.ts'
import { verify } from '../../src/server/storage/index.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts } from '../helpers/jobs.ts'
import { requestsFor, runJob, startBackfillStack } from './backfill-harness.ts'

const D = '2026-10-14'
const DISTRICTS = ['21', '61']

let stack: Stack
const districtPath = (id: string) => path.join(stack.dataDir, 'snapshots', D, `district_${id}.json`)
const summaryBody = () => path.join(stack.dataDir, 'raw-csv', D, 'districtsummary.csv')
const rebuild = () =>
  rebuildFromCache({
    ...stack.server.services,
    logger: createSilentLogger(),
    now: Date.now,
    toolVersion: 'test',
    from: D,
    to: D,
  })

beforeAll(async () => {
  stack = await startBackfillStack()
  await configureDistricts(stack, DISTRICTS)
  const job = await runJob(stack, { startDate: D, collectionType: 'per-district' })
  expect(job.status).toBe('complete')
  // A damaged summary body, which verify --repair moves to quarantine.
  await writeFile(summaryBody(), 'REGION,DISTRICT\r\n"01","61"\r\n')
  const repaired = await verify({ dataDir: stack.dataDir, repair: true })
  expect(repaired.problems.map((p) => [p.code, p.repaired])).toEqual([['RAW_SHA_MISMATCH', true]])
  expect(await stack.server.services.rawCache.has(D, 'districtsummary', null)).toBe(false)
}, 120_000)

afterAll(async () => {
  await stack.close()
})

describe('recovery from a quarantined raw body', () => {
  it('rebuild keeps the stored full files and reports the date skipped, with why', async () => {
    const before = await Promise.all(DISTRICTS.map((id) => readFile(districtPath(id), 'utf8')))
    const result = await rebuild()
    expect(result.dates).toEqual([
      {
        asOf: D,
        dataMonth: expect.stringMatching(/^\d{4}-\d{2}$/),
        full: [],
        summary: [],
        failed: [],
        skipped: DISTRICTS.map((districtId) => ({
          districtId,
          reason: `the new file would lose the districtsummary source (the all-districts summary of ${D} is not in the raw CSV cache)`,
        })),
      },
    ])
    const after = await Promise.all(DISTRICTS.map((id) => readFile(districtPath(id), 'utf8')))
    expect(after).toEqual(before)
    expect((await verify({ dataDir: stack.dataDir })).ok).toBe(true)
  })

  it('the next backfill of those cells fetches the quarantined body again, and only it', async () => {
    const seen = requestsFor(stack, [D]).length
    const job = await runJob(stack, { startDate: D, collectionType: 'per-district' })
    expect(job.status).toBe('complete')
    const fetched = requestsFor(stack, [D]).slice(seen)
    expect(fetched.map((r) => [r.report, r.districtId])).toEqual([['districtsummary', null]])
    expect(await stack.server.services.rawCache.has(D, 'districtsummary', null)).toBe(true)
    const result = await rebuild()
    expect(result.dates).toEqual([
      {
        asOf: D,
        dataMonth: expect.stringMatching(/^\d{4}-\d{2}$/),
        full: DISTRICTS,
        summary: [],
        failed: [],
        skipped: [],
      },
    ])
    expect((await verify({ dataDir: stack.dataDir })).ok).toBe(true)
  })
})
