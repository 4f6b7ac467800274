import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import { eachDate } from '../../src/shared/iso-date.ts'
import type { ClubValues } from '../../src/sim/index.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, type Json } from '../helpers/jobs.ts'
import { datedRequests, runJob, startBackfillStack, trackJobs } from './backfill-harness.ts'

const DISTRICTS = ['02', '21', '61']
// October's first week: the dates that still publish September's data (its closing period)
// and the first of October's own, which is what the data-month check needs; each check is per
// date and district, so the rest of the month would repeat them.
const START = '2026-10-01'
const END = '2026-10-08'
const DATES = eachDate(START, END)

let stack: Stack
let job: BackfillResponse
let tracker: ReturnType<typeof trackJobs>

beforeAll(async () => {
  stack = await startBackfillStack({ overrides: { memoryStorage: true } })
  tracker = trackJobs(stack)
  await configureDistricts(stack, [...DISTRICTS, '09'])
  job = await runJob(stack, { startDate: START, endDate: END, targetDistricts: DISTRICTS })
}, 120_000)

afterAll(async () => {
  tracker.stop()
  await stack.close()
})

function clubFacts(c: ClubValues) {
  return {
    clubNumber: c.clubNumber,
    activeMembers: c.activeMembers,
    payments: {
      new: c.payments.newMembers,
      lateRenewals: c.payments.lateRenewals,
      octRenewals: c.payments.octRenewals,
      aprRenewals: c.payments.aprRenewals,
      totalRenewals: c.payments.totalRenewals,
      charter: c.payments.charter,
      totalToDate: c.payments.totalToDate,
    },
  }
}

const byNumber = (a: { clubNumber: string }, b: { clubNumber: string }) =>
  a.clubNumber.localeCompare(b.clubNumber)

describe('per-district backfill of a week for three districts', () => {
  it('completes with every cell completed and one snapshot per date', () => {
    expect(job.status).toBe('complete')
    expect(job.collectionStrategy.type).toBe('per-district')
    expect(job.scope.targetDistricts).toEqual(DISTRICTS)
    expect(job.snapshotIds).toEqual(DATES)
    const state = tracker.states.get(job.backfillId)
    const cells = state?.ledger.days.flatMap((d) => d.cells) ?? []
    expect(cells).toHaveLength(DATES.length * DISTRICTS.length)
    expect(cells.every((c) => c.state === 'completed' && c.detail === 'full')).toBe(true)
  })

  it('reports progress counts that add up and every date successful per district', () => {
    const p = job.progress
    expect(p.total).toBe(DATES.length * DISTRICTS.length)
    expect(p.completed + p.skipped + p.unavailable + p.failed).toBe(p.total)
    expect(p.completed).toBe(p.total)
    expect(p.failed + p.totalErrors + p.partialSnapshots).toBe(0)
    expect(Object.keys(p.districtProgress).sort()).toEqual(DISTRICTS)
    for (const id of DISTRICTS) {
      const d = p.districtProgress[id]
      expect(d?.status).toBe('completed')
      expect(d?.successfulDates).toEqual(DATES)
      expect(d?.failedDates).toEqual([])
      expect([d?.datesProcessed, d?.datesTotal]).toEqual([DATES.length, DATES.length])
    }
  })

  it('fetches the summary once and three reports per district for each date', () => {
    const requests = datedRequests(stack)
    expect(requests.every((r) => r.status === 200)).toBe(true)
    for (const date of DATES) {
      const ofDate = requests.filter((r) => r.asOf === date)
      expect(ofDate.filter((r) => r.report === 'districtsummary')).toHaveLength(1)
      for (const id of DISTRICTS)
        expect(
          ofDate
            .filter((r) => r.districtId === id)
            .map((r) => r.report)
            .sort(),
        ).toEqual(['clubperformance', 'districtperformance', 'divisionperformance'])
    }
    expect(requests.some((r) => r.districtId === '09')).toBe(false)
  })

  it('stores full district files whose clubs, members and payments equal the simulator truth', async () => {
    for (const date of DATES) {
      for (const id of DISTRICTS) {
        const r = await stack.api<Json>('GET', `/api/snapshots/${date}/districts/${id}`)
        expect(r.status).toBe(200)
        expect(r.body.asOf).toBe(date)
        expect(r.body.detail).toBe('full')
        expect(r.body.provenance.jobId).toBe(job.backfillId)
        const truth = stack.sim.truth.clubs(id, date)
        expect(truth, `truth for ${id} on ${date}`).not.toBeNull()
        const stored = (r.body.statistics.clubs as Json[])
          .map((c) => ({
            clubNumber: c.clubNumber,
            activeMembers: c.activeMembers,
            payments: c.payments,
          }))
          .sort(byNumber)
        expect(stored, `${id} on ${date}`).toEqual((truth ?? []).map(clubFacts).sort(byNumber))
      }
    }
  })

  it('writes snapshot metadata with the data month the dashboard published for each as-of', async () => {
    // The range holds both data months, so the check below sees the month change.
    const months = new Set(DATES.map((d) => stack.sim.truth.dataMonthFor(d)?.dataMonth))
    expect([...months].sort()).toEqual(['2026-09', '2026-10'])
    for (const date of DATES) {
      const r = await stack.api<Json>('GET', `/api/snapshots/${date}`)
      expect(r.status).toBe(200)
      expect(r.body.metadata.status).toBe('complete')
      expect(r.body.metadata.dataMonth).toBe(stack.sim.truth.dataMonthFor(date)?.dataMonth)
      expect(Object.keys(r.body.manifest.districts).sort()).toEqual(DISTRICTS)
    }
  })
})
