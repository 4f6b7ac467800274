/**
 * Dates worth asking for: in an archived year that kept only each month's final as-of, a daily
 * backfill asks for every day and stores few, a month-end one asks for the final as-ofs only
 * and stores every one of them. The expected days come from the simulator's own calendar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMonths, eachDate, yearMonthOf } from '../../src/shared/iso-date.ts'
import type { Stack } from '../helpers/stack.ts'
import type { Json } from '../helpers/jobs.ts'
import { datedRequests, runJob, startBackfillStack } from './backfill-harness.ts'

const START = '2025-01-01'
const END = '2025-03-31'

let stack: Stack

beforeAll(async () => {
  stack = await startBackfillStack({
    sim: { monthEndOnlyYears: ['2024-2025'] },
    overrides: { memoryStorage: true },
  })
}, 60_000)

afterAll(() => stack.close())

/** The simulator's final as-of of each month whose close falls in the range. */
function simMonthEnds(start: string, end: string): string[] {
  const out: string[] = []
  for (let m = addMonths(yearMonthOf(start), -1); m <= yearMonthOf(end); m = addMonths(m, 1)) {
    const close = stack.sim.truth.closingDate(m)
    if (close >= start && close <= end) out.push(close)
  }
  return out
}

async function dryRun(body: Json): Promise<Json> {
  const r = await stack.api<Json>('POST', '/api/districts/backfill', { ...body, dryRun: true })
  expect(r.status).toBe(200)
  return r.body
}

describe('cadence against an archive year that kept only month-end as-ofs', () => {
  it('the dry run lists the days each cadence chooses and the requests they cost', async () => {
    const body = { startDate: START, endDate: END, targetDistricts: ['61'] }
    const daily = await dryRun(body)
    const monthEnd = await dryRun({ ...body, cadence: 'month-end' })
    expect(daily.chosenDates).toEqual(eachDate(START, END))
    expect(monthEnd.chosenDates).toEqual(simMonthEnds(START, END))
    expect(monthEnd.chosenDates).toHaveLength(3)
    expect(monthEnd.request).toMatchObject({ cadence: 'month-end', dates: null })
    expect(daily.requests.total).toBeGreaterThan(20 * monthEnd.requests.total)
    expect(monthEnd.requests.total).toBe(monthEnd.chosenDates.length * (1 + 3))
  })

  it('month-end stores every final as-of; daily asks for every day and stores only those', async () => {
    const range = { startDate: '2025-02-01', endDate: '2025-02-28', targetDistricts: ['61'] }
    const monthEnds = simMonthEnds(range.startDate, range.endDate)
    expect(monthEnds).toHaveLength(1)

    stack.sim.clearLog()
    const monthEndJob = await runJob(stack, { ...range, cadence: 'month-end' })
    const monthEndAsked = new Set(datedRequests(stack).map((r) => r.asOf))
    expect(monthEndJob.status).toBe('complete')
    expect(monthEndJob.snapshotIds).toEqual(monthEnds)
    expect([...monthEndAsked]).toEqual(monthEnds)

    stack.sim.clearLog()
    const dailyJob = await runJob(stack, { ...range, skipExisting: false, enableCaching: false })
    const dailyAsked = new Set(datedRequests(stack).map((r) => r.asOf))
    expect(dailyAsked.size).toBe(28)
    expect(dailyJob.progress.unavailable).toBe(27)
    expect(dailyJob.snapshotIds).toEqual(monthEnds)

    const stored = await stack.api<Json>('GET', `/api/snapshots/${monthEnds[0]}/districts/61`)
    expect(stored.status).toBe(200)
    expect(stored.body.statistics.clubs.length).toBeGreaterThan(0)
  })

  it('an explicit dates list asks for those days only', async () => {
    const dates = simMonthEnds(START, END).slice(0, 2)
    const plan = await dryRun({ dates, targetDistricts: ['61'] })
    expect(plan.chosenDates).toEqual(dates)
    expect(plan.request).toMatchObject({ startDate: dates[0], endDate: dates[1], cadence: null })
  })

  it('names the field when cadence and dates are both given', async () => {
    const r = await stack.api<Json>('POST', '/api/districts/backfill', {
      dates: [START],
      cadence: 'weekly',
    })
    expect(r.status).toBe(400)
    expect(JSON.stringify(r.body)).toContain('cadence and dates are mutually exclusive')
  })
})
