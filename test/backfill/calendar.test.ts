import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import {
  addDays,
  eachDate,
  programYearOf,
  yearMonthOf,
  type IsoDate,
} from '../../src/shared/iso-date.ts'
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
  // No snapshot yet (a test run on its own): no directory.
  const dirs = await readdir(path.join(stack.dataDir, 'snapshots')).catch(() => [])
  return dirs.sort()
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
  it('in the archive (2025-06-29..2025-07-22), keys snapshots by the footer as-of with the published data month and closing flag', async () => {
    await configureDistricts(stack, ['21', '61'])
    // June 2025 closed on 2025-07-20 in the simulator. The last two June days, the first two and
    // the last two days of June's closing period in July, and two July days after it: each kind
    // of date and each edge between kinds, not more of them than that (a dates list).
    expect(stack.sim.truth.closingDate('2025-06')).toBe('2025-07-20')
    const dates = [
      ...['2025-06-29', '2025-06-30', '2025-07-01', '2025-07-02'],
      ...['2025-07-19', '2025-07-20', '2025-07-21', '2025-07-22'],
    ]
    const job = await runJob(stack, { dates })
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
    // Its July as-ofs up to 2025-07-20 are June's closing period.
    expect(closing).toEqual(eachDate('2025-07-01', '2025-07-20').filter((d) => dates.includes(d)))
    // The June data comes from the 2024-2025 archive, July's from 2025-2026's.
    const requests = requestsFor(stack, dates)
    expect(new Set(requests.map((r) => `${r.asOf}:${r.programYear}`)).size).toBe(dates.length)
  }, 120_000)

  it('across the live rollover (2026-06-29..2026-07-31), a retired and a new district are "not a district" on the dates their summary does not list them, asked for nothing there', async () => {
    // 13 is retired after 2025-26, its clubs moved to 201 (and 202): each date lists one of them.
    await configureDistricts(stack, ['13', '201'])
    // June 2026 closes on 2026-07-29: the last June days, the first days of its closing period
    // in July, its last days and the first two days of 2026-27 data (a dates list).
    expect(stack.sim.truth.closingDate('2026-06')).toBe('2026-07-29')
    const dates = [
      ...['2026-06-29', '2026-06-30', '2026-07-01', '2026-07-02'],
      ...['2026-07-28', '2026-07-29', '2026-07-30', '2026-07-31'],
    ]
    const before = await snapshotDirs()
    stack.sim.clearLog()
    const job = await runJob(stack, { dates })
    const failed = cellsOf(job).filter((c) => c.state === 'failed')
    expect(
      failed.map((c) => `${c.date} ${c.districtId}: ${c.error?.message}`),
      'no cell may fail',
    ).toEqual([])
    expect(job.status).toBe('complete')
    expect(job.warnings).toBeUndefined()
    expect(await snapshotDirs()).toEqual([...before, ...dates].sort())
    const seen = { '13': new Set<string>(), '201': new Set<string>() }
    for (const date of dates) {
      const meta = await expectTruthfulSnapshot(date, ['13', '201'])
      for (const id of ['13', '201'] as const) {
        const exists = stack.sim.truth.clubs(id, date, meta.dataMonth) !== null
        const cell = cellsOf(job).find((c) => c.date === date && c.districtId === id)
        expect(cell?.state, `${id} on ${date} (${meta.dataMonth})`).toBe(
          exists ? 'completed' : 'not-a-district',
        )
        seen[id].add(cell?.state ?? '')
        if (exists) continue
        expect(cell?.reason).toBe(`district ${id} is not in the summary of ${date}`)
        // Not asked, and nothing stored for it.
        const asked = requestsFor(stack, [date]).filter((r) => r.districtId === id)
        expect(asked, `requests for ${id} on ${date}`).toEqual([])
        const file = await stack.api('GET', `/api/snapshots/${date}/districts/${id}`)
        expect(file.status).toBe(404)
      }
    }
    // The boundary is crossed in both directions within the job.
    expect(seen['13']).toEqual(new Set(['completed', 'not-a-district']))
    expect(seen['201']).toEqual(new Set(['completed', 'not-a-district']))
    expect(job.progress.notADistrict).toBe(dates.length)
    expect(job.progress.unavailable).toBe(0)
    // The stored summaries now answer the dry run: the same cells, no request.
    const plan = await stack.api<Json>('POST', '/api/districts/backfill', { dates, dryRun: true })
    expect(plan.status).toBe(200)
    expect(plan.body.counts).toMatchObject({ notADistrict: dates.length, fetch: 0 })
    const planned = (plan.body.cells as Json[]).filter((c) => c.action === 'not-a-district')
    expect(planned.map((c) => `${c.date} ${c.districtId}`).sort()).toEqual(
      cellsOf(job)
        .filter((c) => c.state === 'not-a-district')
        .map((c) => `${c.date} ${c.districtId}`)
        .sort(),
    )
    // So does coverage: the grid tells "not a district" from "nothing stored".
    const cov = await stack.api<Json>(
      'GET',
      `/api/coverage?from=${dates[0]}&to=${dates.at(-1)}&districts=13,201`,
    )
    const byCell = (cov.body.dates as Json[]).flatMap((d) =>
      ['13', '201'].map((id) => `${d.asOf} ${id} ${d.districts[id].status}`),
    )
    expect(byCell.filter((c) => c.endsWith('not-a-district')).map((c) => c.slice(0, -15))).toEqual(
      planned.map((c) => `${c.date} ${c.districtId}`),
    )
    // The configured list is checked against the newest stored summary (2026-27).
    const configured = await stack.api<Json>('GET', '/api/districts')
    expect(configured.body.newestSummary).toEqual({ asOf: dates.at(-1), programYear: '2026-2027' })
    expect(configured.body.districts).toEqual([
      {
        districtId: '13',
        inNewestSummary: false,
        hint: `13 is not in the 2026-2027 summary (as of ${dates.at(-1)})`,
      },
      { districtId: '201', inNewestSummary: true, hint: null },
    ])
  }, 180_000)

  it('going back from 2026-27 into 2025-26 with only new ids: the job ends in error with the reason, asking no per-district report', async () => {
    await configureDistricts(stack, ['201', '203'])
    const dates = eachDate('2026-06-20', '2026-06-23')
    stack.sim.clearLog()
    const job = await runJob(stack, { startDate: dates[0], endDate: dates.at(-1) })
    expect(job.status).toBe('error')
    expect(job.error).toBe(
      `none of 201, 203 is a district on ${dates[0]}…${dates.at(-1)} (not in those dates' summaries)`,
    )
    expect(job.progress).toMatchObject({ notADistrict: 8, completed: 0, failed: 0 })
    const requests = requestsFor(stack, dates)
    expect(requests.map((r) => r.report)).toEqual(dates.map(() => 'districtsummary'))
    // A district listed on some dates only: partial_success with the dates named.
    await configureDistricts(stack, ['201'])
    // June's last three closing days (2025-26 data, no 201), then the first days of 2026-27.
    const june = stack.sim.truth.closingDate('2026-06')
    const start = addDays(june, -2)
    const across = await runJob(stack, { startDate: start, endDate: addDays(june, 3) })
    expect(across.status).toBe('partial_success')
    expect(across.warnings).toEqual([
      `201 is not a district on ${start}…${june} (not in those dates' summaries)`,
    ])
    expect(across.progress).toMatchObject({ notADistrict: 3, failed: 0 })
  }, 120_000)
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
