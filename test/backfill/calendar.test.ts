import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import { eachDate, programYearOf, yearMonthOf, type IsoDate } from '../../src/shared/iso-date.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, type Json } from '../helpers/jobs.ts'
import { requestsFor, runJob, startBackfillStack, trackJobs } from './backfill-harness.ts'

let stack: Stack
let tracker: ReturnType<typeof trackJobs>

beforeAll(async () => {
  stack = await startBackfillStack()
  tracker = trackJobs(stack)
}, 60_000)

afterAll(async () => {
  tracker.stop()
  await stack.close()
})

function cellsOf(job: BackfillResponse) {
  return tracker.states.get(job.backfillId)?.ledger.days.flatMap((d) => d.cells) ?? []
}

async function snapshotDirs(): Promise<string[]> {
  return (await readdir(path.join(stack.dataDir, 'snapshots'))).sort()
}

async function expectTruthfulSnapshot(date: IsoDate, ids: readonly string[]) {
  const r = await stack.api<Json>('GET', `/api/snapshots/${date}`)
  expect(r.status, `snapshot ${date}`).toBe(200)
  const meta = r.body.metadata
  const published = stack.sim.truth.dataMonthsFor(date).map((m) => m.dataMonth)
  expect(published, `${date} is published as ${meta.dataMonth}`).toContain(meta.dataMonth)
  expect(meta.asOf).toBe(date)
  expect(meta.programYear).toBe(programYearOf(meta.dataMonth))
  // Closing period: an as-of after its data month has ended.
  expect(meta.closingPeriod).toBe(yearMonthOf(date) !== meta.dataMonth)
  expect(meta.requestedDates).toEqual([date])
  for (const id of ids) {
    const file = await stack.api<Json>('GET', `/api/snapshots/${date}/districts/${id}`)
    if (file.status === 404) continue
    expect(file.body.dataMonth).toBe(meta.dataMonth)
    const truth = stack.sim.truth.clubs(id, date, meta.dataMonth) ?? []
    const numbers = (file.body.statistics.clubs as Json[]).map((c) => c.clubNumber).sort()
    expect(numbers, `${id} on ${date}`).toEqual(truth.map((c) => c.clubNumber).sort())
  }
  return meta as Json
}

describe('a range across a closing period and a program-year boundary', () => {
  it('in the archive (2025-06-25..2025-07-31), keys snapshots by the footer as-of with the published data month and closing flag', async () => {
    await configureDistricts(stack, ['21', '61'])
    const dates = eachDate('2025-06-25', '2025-07-31')
    const job = await runJob(stack, { startDate: dates[0], endDate: dates.at(-1) })
    expect(job.status).toBe('complete')
    expect(job.progress.completed).toBe(dates.length * 2)
    expect(job.snapshotIds).toEqual(dates)
    expect(await snapshotDirs()).toEqual(dates)
    const closing: IsoDate[] = []
    for (const date of dates) {
      const meta = await expectTruthfulSnapshot(date, ['21', '61'])
      expect(meta.dataMonth).toBe(stack.sim.truth.dataMonthFor(date)?.dataMonth)
      if (meta.closingPeriod) closing.push(date)
    }
    // June 2025 closed on 2025-07-20 in the simulator: its July as-ofs are June's closing period.
    expect(closing).toEqual(eachDate('2025-07-01', stack.sim.truth.closingDate('2025-06')))
    // The June data comes from the 2024-2025 archive, July's from 2025-2026's.
    const requests = requestsFor(stack, dates)
    expect(new Set(requests.map((r) => `${r.asOf}:${r.programYear}`)).size).toBe(dates.length)
  })

  it('across the live rollover (2026-06-25..2026-07-31), counts a district that only exists in the new year as unavailable, never failed', async () => {
    await configureDistricts(stack, ['61', '201'])
    const dates = eachDate('2026-06-25', '2026-07-31')
    const before = await snapshotDirs()
    const job = await runJob(stack, { startDate: dates[0], endDate: dates.at(-1) })
    const failed = cellsOf(job).filter((c) => c.state === 'failed')
    expect(
      failed.map((c) => `${c.date} ${c.districtId}: ${c.error?.message}`),
      'no cell may fail',
    ).toEqual([])
    expect(job.status).toBe('complete')
    expect(job.progress.districtProgress['61']?.successfulDates).toEqual(dates)
    expect(await snapshotDirs()).toEqual([...before, ...dates].sort())
    for (const date of dates) {
      const meta = await expectTruthfulSnapshot(date, ['61', '201'])
      const has201 = stack.sim.truth.clubs('201', date, meta.dataMonth) !== null
      const cell = cellsOf(job).find((c) => c.date === date && c.districtId === '201')
      expect(cell?.state, `201 on ${date} (${meta.dataMonth})`).toBe(
        has201 ? 'completed' : 'unavailable',
      )
    }
    expect(job.progress.unavailable).toBeGreaterThan(0)
  })
})

describe('dates not yet published', () => {
  it('refuses an end date after today, naming the field', async () => {
    const r = await stack.api<Json>('POST', '/api/districts/backfill', {
      startDate: '2026-11-27',
      endDate: '2026-11-30',
    })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('VALIDATION_ERROR')
    expect(r.body.error.message).toMatch(/^endDate/)
  })

  it('counts dates between the latest as-of and today as unavailable, with zero requests for them (targeted scope)', async () => {
    await configureDistricts(stack, ['21', '61'])
    const latest = stack.sim.truth.latestAsOf()
    expect(latest).toBe('2026-11-28')
    stack.sim.clearLog()
    const job = await runJob(stack, { startDate: '2026-11-27', endDate: '2026-11-29' })
    expect(job.status).toBe('complete')
    expect([job.progress.completed, job.progress.unavailable]).toEqual([4, 2])
    expect(job.snapshotIds).toEqual(['2026-11-27', '2026-11-28'])
    expect(requestsFor(stack, ['2026-11-29'])).toEqual([])
    const unpublished = cellsOf(job).filter((c) => c.date === '2026-11-29')
    expect(unpublished.map((c) => c.state)).toEqual(['unavailable', 'unavailable'])
  })

  it('counts them unavailable with zero requests when the scope is every district of the summary too', async () => {
    await configureDistricts(stack, [])
    stack.sim.clearLog()
    const job = await runJob(stack, { startDate: '2026-11-28', endDate: '2026-11-29' })
    expect(job.status).toBe('complete')
    expect(job.progress.unavailable).toBe(1)
    expect(job.snapshotIds).toEqual(['2026-11-28'])
    expect(requestsFor(stack, ['2026-11-29'])).toEqual([])
  })
})
