/**
 * The disk fills up in the middle of a per-district job: the job ends `error` naming ENOSPC,
 * no snapshot claims to be complete while missing a district, and once space is back a retry
 * covers every cell the first job did not finish (failed, never run, in flight at the end).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verify } from '../../src/server/storage/index.ts'
import { createFillableDisk } from '../../src/server/storage/faulty-fs.ts'
import { nodeStorageFs } from '../../src/server/storage/index.ts'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import { eachDate } from '../../src/shared/iso-date.ts'
import { configureDistricts, startJob, waitForJobEnd, type Json } from '../helpers/jobs.ts'
import type { Stack } from '../helpers/stack.ts'
import { startBackfillStack, trackJobs } from './backfill-harness.ts'

const DISTRICTS = ['02', '21', '61']
const DATES = eachDate('2026-10-05', '2026-10-09')
const FILL_AFTER_CELLS = 4

let stack: Stack
let disk: ReturnType<typeof createFillableDisk>
let failed: BackfillResponse

/** Every snapshot of the range and the current pointer, as the API lists them. */
async function listed(): Promise<{ current: string | null; snapshots: Json[] }> {
  const r = await stack.api<Json>('GET', `/api/snapshots?from=${DATES[0]}&to=${DATES.at(-1)}`)
  expect(r.status).toBe(200)
  return { current: r.body.current ?? null, snapshots: r.body.snapshots }
}

/** A complete snapshot holds every district of the scope; a partial one says why for each gap. */
async function expectTruthfulSnapshots(): Promise<void> {
  const { current, snapshots } = await listed()
  for (const s of snapshots) {
    const r = await stack.api<Json>('GET', `/api/snapshots/${s.asOf}`)
    const stored = Object.keys(r.body.manifest.districts)
    const reasons = r.body.metadata.failedDistricts.map((f: Json) => f.districtId)
    if (s.status === 'complete') expect(stored.sort()).toEqual(DISTRICTS)
    else {
      expect(s.status).toBe('partial')
      for (const id of DISTRICTS) if (!stored.includes(id)) expect(reasons).toContain(id)
    }
  }
  if (current !== null)
    expect(snapshots.find((s) => s.asOf === current)).toMatchObject({ status: 'complete' })
}

beforeAll(async () => {
  const base = { ...nodeStorageFs }
  disk = createFillableDisk(base)
  stack = await startBackfillStack({ overrides: { storageFs: disk.fs } })
  await configureDistricts(stack, DISTRICTS)
  // Slow enough that several districts are in flight when the disk fills.
  stack.sim.addFault({ kind: 'latency', ms: 40, match: { report: 'clubperformance' } })
  const tracker = trackJobs(stack)
  let completed = 0
  const stop = stack.server.services.backfills.subscribe((_state, event) => {
    if (event.type === 'cell:completed' && ++completed === FILL_AFTER_CELLS) disk.fill()
  })
  const job = await startJob(stack, {
    startDate: DATES[0],
    endDate: DATES.at(-1),
    collectionType: 'per-district',
  })
  failed = await waitForJobEnd(stack, job.backfillId)
  stop()
  tracker.stop()
}, 60_000)

afterAll(() => stack.close())

describe('a job whose disk fills up', () => {
  it('ends error with a message naming ENOSPC, having stored only part of the range', () => {
    expect(disk.refused).toBeGreaterThan(0)
    expect(failed.status).toBe('error')
    expect(failed.error).toMatch(/ENOSPC/)
    expect(failed.progress.completed).toBeGreaterThanOrEqual(FILL_AFTER_CELLS)
    expect(failed.progress.completed).toBeLessThan(DATES.length * DISTRICTS.length)
  })

  it('leaves no snapshot complete that misses a district, and current only on a complete one', async () => {
    await expectTruthfulSnapshots()
  })

  it('retries every unfinished cell once space is back: all stored, statuses true, verify clean', async () => {
    disk.free()
    stack.sim.clearFaults()
    const unfinished =
      failed.progress.total -
      failed.progress.completed -
      failed.progress.skipped -
      failed.progress.unavailable
    const r = await stack.api<BackfillResponse>(
      'POST',
      `/api/districts/backfill/${failed.backfillId}/retry`,
    )
    expect(r.status).toBe(202)
    expect(r.body.retryOf).toBe(failed.backfillId)
    expect(r.body.progress.total).toBe(unfinished)
    const retried = await waitForJobEnd(stack, r.body.backfillId)
    expect(retried.status).toBe('complete')
    expect(retried.progress.completed + retried.progress.skipped).toBe(unfinished)

    const coverage = await stack.api<Json>(
      'GET',
      `/api/coverage?from=${DATES[0]}&to=${DATES.at(-1)}&districts=${DISTRICTS.join(',')}`,
    )
    for (const d of coverage.body.dates) {
      expect(d.snapshot).toBe('complete')
      for (const id of DISTRICTS) expect(d.districts[id]).toEqual({ detail: 'full', status: 'ok' })
    }
    const { current, snapshots } = await listed()
    expect(snapshots.map((s) => [s.asOf, s.status, s.districtCount, s.failedCount])).toEqual(
      DATES.map((d) => [d, 'complete', DISTRICTS.length, 0]),
    )
    expect(current).toBe(DATES.at(-1))
    await expectTruthfulSnapshots()
    const report = await verify({ dataDir: stack.dataDir })
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
  }, 60_000)
})
