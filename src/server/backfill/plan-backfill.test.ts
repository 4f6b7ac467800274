import { describe, expect, it } from 'vitest'
import type { DetailLevel } from '../../shared/snapshot-types.ts'
import { WHOLE_DATE } from './cell-ref.ts'
import {
  planBackfill,
  planCellRefs,
  planDateCells,
  planRetry,
  satisfiesDetail,
} from './plan-backfill.ts'
import type { PlanBackfillInput, StoredCell } from './plan-backfill.ts'
import { makeRequest, makeScope, makeStrategy, storedAs } from './test-fixtures.ts'

const nothingStored = () => null

function input(over: Partial<PlanBackfillInput> & { type?: 'system-wide' | 'per-district' } = {}) {
  const scope = over.scope ?? makeScope(['02', '61'], [])
  const { type = 'system-wide', ...rest } = over
  return {
    request: makeRequest({ startDate: '2026-03-01', endDate: '2026-03-03' }),
    scope,
    strategy: makeStrategy(type, scope),
    existing: nothingStored,
    latestPublishedAsOf: '2026-03-08',
    ...rest,
  }
}

describe('satisfiesDetail', () => {
  it('lets full stand in for summary but never summary for full', () => {
    expect(satisfiesDetail('full', 'summary')).toBe(true)
    expect(satisfiesDetail('full', 'full')).toBe(true)
    expect(satisfiesDetail('summary', 'summary')).toBe(true)
    expect(satisfiesDetail('summary', 'full')).toBe(false)
  })
})

describe('planBackfill', () => {
  it('plans every date of the range ascending, for every district of the scope', () => {
    const plan = planBackfill(input())
    expect(plan.dates).toEqual(['2026-03-01', '2026-03-02', '2026-03-03'])
    expect(plan.cells.map((c) => `${c.date}|${c.districtId}|${c.action}`)).toEqual([
      '2026-03-01|02|fetch',
      '2026-03-01|61|fetch',
      '2026-03-02|02|fetch',
      '2026-03-02|61|fetch',
      '2026-03-03|02|fetch',
      '2026-03-03|61|fetch',
    ])
    expect(plan.counts).toEqual({ total: 6, fetch: 6, skip: 0, unavailable: 0, notADistrict: 0 })
    expect(plan.requests).toEqual({ summary: 3, perDistrict: 0, total: 3, exact: true })
    expect(plan.openDates).toEqual([])
  })

  it('marks a cell whose date has a stored summary without the district as not a district, costing no request', () => {
    const scope = makeScope(['61', '201'], [])
    const plan = planBackfill(
      input({
        scope,
        type: 'per-district',
        // Only 2026-03-01 has a stored summary, and it does not list 201.
        notListed: (date, id) => date === '2026-03-01' && id === '201',
      }),
    )
    expect(plan.cells.filter((c) => c.date === '2026-03-01').map((c) => c.action)).toEqual([
      'fetch',
      'not-a-district',
    ])
    expect(plan.cells.find((c) => c.action === 'not-a-district')?.why).toBe('not-in-summary')
    expect(plan.counts).toEqual({ total: 6, fetch: 5, skip: 0, unavailable: 0, notADistrict: 1 })
    expect(plan.requests).toEqual({ summary: 3, perDistrict: 15, total: 18, exact: true })
  })

  it('skips cells stored at the needed detail, and only those', () => {
    const stored: Record<string, DetailLevel> = {
      '2026-03-01|02': 'full',
      '2026-03-01|61': 'summary',
    }
    const existing = storedAs((date, id) => stored[`${date}|${id}`] ?? null)
    const summary = planBackfill(input({ existing }))
    expect(summary.cells.slice(0, 2).map((c) => c.action)).toEqual(['skip', 'skip'])
    const full = planBackfill(input({ existing, type: 'per-district' }))
    expect(full.cells.slice(0, 2).map((c) => [c.action, c.stored])).toEqual([
      ['skip', 'full'],
      ['fetch', 'summary'],
    ])
  })

  it('fetches stored cells again when skipExisting is off', () => {
    const plan = planBackfill(
      input({
        request: makeRequest({ skipExisting: false }),
        existing: storedAs(() => 'full'),
      }),
    )
    expect(plan.cells.map((c) => c.action)).toEqual(['fetch', 'fetch'])
  })

  it('skips a recorded failure only with reprocess missing, and says why', () => {
    const stored: Record<string, DetailLevel> = { '2026-03-01|02': 'full' }
    const over = {
      request: makeRequest({ startDate: '2026-03-01', endDate: '2026-03-02' }),
      existing: storedAs((date, id) => stored[`${date}|${id}`] ?? null),
      // 61 failed on 2026-03-01; 02 is stored there; 2026-03-02 holds nothing.
      recordedFailure: (date: string, id: string) => date === '2026-03-01' && id === '61',
    }
    const choices = ['missing', 'missing-and-failed', 'all'] as const
    const byChoice = choices.map((reprocess) => {
      const request = { ...over.request, reprocess, skipExisting: reprocess !== 'all' }
      const plan = planBackfill(input({ ...over, request }))
      return { cells: plan.cells.map((c) => `${c.action}:${c.why}`), counts: plan.counts }
    })
    expect(byChoice.map((p) => p.cells)).toEqual([
      ['skip:stored', 'skip:recorded-failure', 'fetch:not-stored', 'fetch:not-stored'],
      ['skip:stored', 'fetch:recorded-failure', 'fetch:not-stored', 'fetch:not-stored'],
      ['fetch:refetch', 'fetch:recorded-failure', 'fetch:not-stored', 'fetch:not-stored'],
    ])
    expect(byChoice.map((p) => [p.counts.fetch, p.counts.skip])).toEqual([
      [2, 2],
      [3, 1],
      [4, 0],
    ])
  })

  it('treats a job stored before reprocess existed by its skipExisting', () => {
    const { reprocess: _r, ...old } = makeRequest({ skipExisting: false })
    const plan = planBackfill(
      input({ request: old as ReturnType<typeof makeRequest>, existing: storedAs(() => 'full') }),
    )
    expect(plan.cells.map((c) => c.why)).toEqual(['refetch', 'refetch'])
  })

  it('marks dates after the latest published as-of unavailable, at no request cost', () => {
    const plan = planBackfill(
      input({ latestPublishedAsOf: '2026-03-01', existing: storedAs(() => 'full') }),
    )
    expect(plan.cells.map((c) => c.action)).toEqual([
      'skip',
      'skip',
      'unavailable',
      'unavailable',
      'unavailable',
      'unavailable',
    ])
    expect(plan.requests.total).toBe(0)
  })

  it('treats every date as possibly published when the latest as-of is unknown', () => {
    expect(planBackfill(input({ latestPublishedAsOf: null })).counts.unavailable).toBe(0)
  })

  it('counts a summary plus three reports per fetched cell when collecting per district', () => {
    const existing = storedAs((date, id) => (date === '2026-03-02' && id === '61' ? 'full' : null))
    const plan = planBackfill(input({ type: 'per-district', existing }))
    // 3 dates need a summary; 5 cells need their 3 reports.
    expect(plan.requests).toEqual({ summary: 3, perDistrict: 15, total: 18, exact: true })
  })

  it('costs nothing for a date whose cells are all skipped', () => {
    const existing = storedAs((date) => (date === '2026-03-02' ? 'full' : null))
    expect(planBackfill(input({ type: 'per-district', existing })).requests).toMatchObject({
      summary: 2,
      perDistrict: 12,
    })
  })

  it('plans an open scope as one summary fetch per date', () => {
    const scope = makeScope(null, [])
    const plan = planBackfill(input({ scope, latestPublishedAsOf: '2026-03-02' }))
    expect(plan.cells).toEqual([])
    expect(plan.openDates).toEqual([
      { date: '2026-03-01', action: 'fetch-summary', districts: 'from-summary' },
      { date: '2026-03-02', action: 'fetch-summary', districts: 'from-summary' },
      { date: '2026-03-03', action: 'unavailable', districts: 'from-summary' },
    ])
    expect(plan.counts).toEqual({ total: 3, fetch: 2, skip: 0, unavailable: 1, notADistrict: 0 })
    expect(plan.requests).toEqual({ summary: 2, perDistrict: 0, total: 2, exact: true })
    expect(planCellRefs(plan).map((r) => r.districtId)).toEqual([
      WHOLE_DATE,
      WHOLE_DATE,
      WHOLE_DATE,
    ])
  })

  it('says the count is a lower bound for an open scope collected per district', () => {
    const scope = makeScope(null, [])
    expect(planBackfill(input({ scope, type: 'per-district' })).requests.exact).toBe(false)
  })

  it('plans only the given cells of a retry, within the scope', () => {
    const plan = planBackfill(
      input({
        only: [
          { date: '2026-03-03', districtId: '61' },
          { date: '2026-03-01', districtId: '02' },
          { date: '2026-03-01', districtId: '99' },
        ],
      }),
    )
    expect(plan.dates).toEqual(['2026-03-01', '2026-03-03'])
    expect(plan.cells.map((c) => `${c.date}|${c.districtId}`)).toEqual([
      '2026-03-01|02',
      '2026-03-03|61',
    ])
  })
})

describe('planDateCells', () => {
  it('classifies an expanded open-scope date like any other', () => {
    const cells = planDateCells({
      ...input({ type: 'per-district' }),
      date: '2026-03-02',
      districtIds: ['02', '61'],
      existing: storedAs((_d, id) => (id === '02' ? 'full' : 'summary')),
    })
    expect(cells.map((c) => c.action)).toEqual(['skip', 'fetch'])
  })
})

describe('planDateCells at run time', () => {
  const at = (stored: StoredCell | null, over: Partial<PlanBackfillInput> = {}) =>
    planDateCells({
      ...input({ type: 'per-district', ...over }),
      date: '2026-03-02',
      districtIds: ['61'],
      existing: () => stored,
      jobId: 'bf_this',
    })[0]

  it('says why each cell gets its action', () => {
    expect(at(null)).toMatchObject({ action: 'fetch', why: 'not-stored', stored: null })
    expect(at({ detail: 'summary' })).toMatchObject({ action: 'fetch', why: 'less-detail' })
    expect(at({ detail: 'full' })).toMatchObject({ action: 'skip', why: 'stored', stored: 'full' })
    expect(at({ detail: 'full' }, { latestPublishedAsOf: '2026-03-01' })).toMatchObject({
      action: 'unavailable',
      why: 'unpublished',
    })
  })

  it('fetches a stored file the executor found damaged or missing its raw bodies', () => {
    expect(at({ detail: 'full', intact: false })).toMatchObject({
      action: 'fetch',
      why: 'not-intact',
      stored: 'full',
    })
  })

  it('never fetches again a cell the job itself stored, even with skipExisting off', () => {
    const own = { detail: 'full' as const, jobId: 'bf_this' }
    const refetch = { request: makeRequest({ skipExisting: false }) }
    expect(at(own, refetch)).toMatchObject({ action: 'skip', why: 'stored-by-this-job' })
    expect(at({ ...own, jobId: 'bf_other' }, refetch)).toMatchObject({
      action: 'fetch',
      why: 'refetch',
    })
  })
})

describe('planRetry', () => {
  it('returns every cell not completed, skipped or unavailable, in cell order', () => {
    const ledger = [
      { date: '2026-03-02', districtId: '61', state: 'failed' as const },
      { date: '2026-03-01', districtId: '61', state: 'completed' as const },
      { date: '2026-03-01', districtId: '02', state: 'failed' as const },
      { date: '2026-03-01', districtId: '10', state: 'skipped' as const },
      { date: '2026-03-01', districtId: '11', state: 'unavailable' as const },
      { date: '2026-03-01', districtId: '12', state: 'cancelled' as const },
      { date: '2026-03-03', districtId: '02', state: 'pending' as const },
    ]
    expect(planRetry(ledger)).toEqual([
      { date: '2026-03-01', districtId: '02' },
      { date: '2026-03-01', districtId: '12' },
      { date: '2026-03-02', districtId: '61' },
      { date: '2026-03-03', districtId: '02' },
    ])
  })
})
