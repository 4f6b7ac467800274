import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eachDate, type IsoDate } from '../../src/shared/iso-date.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, type Json } from '../helpers/jobs.ts'
import { datedRequests, requestsFor, runJob, startBackfillStack } from './backfill-harness.ts'

let stack: Stack

beforeAll(async () => {
  stack = await startBackfillStack({ overrides: { memoryStorage: true } })
}, 60_000)

afterAll(async () => {
  await stack.close()
})

/** Districts the simulator lists in the summary of that as-of. */
function summaryDistricts(date: IsoDate): string[] {
  const truth = stack.sim.truth
  const month = truth.dataMonthFor(date)
  if (!month) return []
  return truth.districtsFor(month.programYear).filter((id) => truth.summaryRow(date, id) !== null)
}

async function expectSummaryFiles(date: IsoDate, ids: readonly string[], jobId: string) {
  for (const id of ids) {
    const r = await stack.api<Json>('GET', `/api/snapshots/${date}/districts/${id}`)
    expect(r.status, `${id} on ${date}`).toBe(200)
    expect(r.body.detail).toBe('summary')
    expect(r.body.provenance.jobId).toBe(jobId)
    const row = stack.sim.truth.summaryRow(date, id)
    expect(String(r.body.statistics.summary.payments.totalYtd)).toBe(row?.['Total YTD Payments'])
    expect(String(r.body.statistics.summary.clubs.paid)).toBe(row?.['Paid Clubs'])
    expect(r.body.statistics.clubs).toBeNull()
  }
}

describe('system-wide backfill', () => {
  it('with no district configured, writes a summary-level file for every district of each summary from one request per date', async () => {
    const dates = eachDate('2026-11-01', '2026-11-04')
    stack.sim.clearLog()
    const job = await runJob(stack, { startDate: dates[0], endDate: dates.at(-1) })
    expect(job.status).toBe('complete')
    expect(job.collectionStrategy.type).toBe('system-wide')
    expect(job.scope.scopeType).toBe('system-wide')
    expect(job.snapshotIds).toEqual(dates)

    const requests = requestsFor(stack, dates)
    expect(requests.every((r) => r.report === 'districtsummary' && r.status === 200)).toBe(true)
    for (const date of dates) expect(requests.filter((r) => r.asOf === date)).toHaveLength(1)

    let cells = 0
    for (const date of dates) {
      const ids = summaryDistricts(date)
      expect(ids.length).toBeGreaterThan(10)
      cells += ids.length
      const listed = await stack.api<Json>('GET', `/api/snapshots/${date}`)
      expect(Object.keys(listed.body.manifest.districts).sort()).toEqual([...ids].sort())
      await expectSummaryFiles(date, ids, job.backfillId)
    }
    expect(job.progress.total).toBe(cells)
    expect(job.progress.completed).toBe(cells)
  })

  it('with many configured districts and collectionType system-wide, covers exactly those districts with one request per date', async () => {
    const configured = ['02', '09', '21', '33', '36', '42', '44', '61']
    await configureDistricts(stack, configured)
    const dates = eachDate('2026-10-15', '2026-10-18')
    stack.sim.clearLog()
    const job = await runJob(stack, {
      startDate: dates[0],
      endDate: dates.at(-1),
      collectionType: 'system-wide',
    })
    expect(job.status).toBe('complete')
    expect(job.collectionStrategy).toMatchObject({ type: 'system-wide', detail: 'summary' })
    expect(job.progress.completed).toBe(dates.length * configured.length)
    const requests = datedRequests(stack)
    expect(requests.map((r) => r.asOf)).toEqual(expect.arrayContaining(dates))
    expect(requests).toHaveLength(dates.length)
    expect(requests.every((r) => r.report === 'districtsummary')).toBe(true)
    for (const date of dates) {
      const listed = await stack.api<Json>('GET', `/api/snapshots/${date}`)
      expect(Object.keys(listed.body.manifest.districts).sort()).toEqual([...configured].sort())
      await expectSummaryFiles(date, configured, job.backfillId)
    }
  })
})
