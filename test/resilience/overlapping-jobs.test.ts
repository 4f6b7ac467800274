/**
 * Overlapping jobs over the same cells fetch every body once: a URL already in flight is shared,
 * and a report another job is collecting right now is awaited and then read from the raw CSV
 * cache. Counted in the simulator's own log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitForJob } from '../helpers/jobs.ts'
import { requestLog } from '../helpers/request-log.ts'
import { startResilienceStack } from './resilience-harness.ts'

const DATES = ['2026-11-02', '2026-11-03']
const DISTRICTS = ['21', '61']

let stack: Stack
beforeAll(async () => {
  stack = await startResilienceStack({
    env: { UPSTREAM_MAX_REQUESTS: '0', UPSTREAM_MAX_CONCURRENT: '4', MAX_RUNNING_JOBS: '5' },
  })
  await configureDistricts(stack, DISTRICTS)
  // Slow enough answers that the jobs below overlap on every cell.
  stack.sim.addFault({ kind: 'latency', minMs: 20, maxMs: 80 })
})
afterAll(() => stack.close())

describe('five overlapping jobs over the same cells', () => {
  it('fetch every body URL exactly once', async () => {
    const jobs = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        startJob(stack, {
          startDate: DATES[0],
          endDate: DATES.at(-1),
          collectionType: 'per-district',
          concurrency: n % 2 === 0 ? 1 : 2,
          // Every job collects every cell itself: only sharing can keep the count down.
          skipExisting: false,
        }),
      ),
    )
    const done = await Promise.all(
      jobs.map((j) => waitForJob(stack, j.backfillId, undefined, 60_000)),
    )
    expect(
      done.map((j) => j.status),
      JSON.stringify(done.map((j) => [j.error, j.partialSnapshots])),
    ).toEqual(Array(5).fill('complete'))
    for (const j of done) expect(j.progress.completed).toBe(DATES.length * DISTRICTS.length)

    const urls = requestLog(stack).map((r) => r.url)
    const twice = urls.filter((u, i) => urls.indexOf(u) !== i)
    expect(twice, 'fetched more than once').toEqual([])
    // The live-status lookup, then per date the summary and three reports per district.
    expect(new Set(urls).size).toBe(1 + DATES.length * (1 + 3 * DISTRICTS.length))
  }, 90_000)
})
