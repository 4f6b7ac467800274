import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { WHOLE_DATE } from './cell-ref.ts'
import type { CellRef } from './cell-ref.ts'
import type { JobEvent } from './job-events.ts'
import { applyJobEvent, listCells, pendingCellCount } from './job-state.ts'
import type { JobState } from './job-state.ts'
import { toBackfillResponse } from './job-view.ts'
import { cellError, grid, makeJob } from './test-fixtures.ts'

const T0 = Date.parse('2026-03-09T10:00:00.000Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()
const DISTRICTS = ['02', '61', 'F', '117']

/** A view built from nothing: a deep copy shares no piece with any state seen before. */
const fullRebuild = (state: JobState, nowMs: number) =>
  toBackfillResponse(structuredClone(state), { nowMs })

type Pick = (cells: readonly CellRef[]) => CellRef
const cellOf =
  (n: number): Pick =>
  (cells) =>
    cells[n % cells.length] as CellRef

/** One event on one cell of the job (by index), or a job-level one. */
const eventArb: fc.Arbitrary<(cells: readonly CellRef[], s: number) => JobEvent> = fc
  .oneof(
    { weight: 12, arbitrary: fc.tuple(fc.nat(), fc.nat({ max: 7 }), fc.boolean()) },
    { weight: 1, arbitrary: fc.constantFrom('job:cancelled', 'job:finished', 'job:failed') },
  )
  .map((spec) => {
    if (typeof spec === 'string') {
      return (_cells, s) =>
        spec === 'job:failed'
          ? { type: spec, at: at(s), message: 'fatal' }
          : { type: spec, at: at(s) }
    }
    const [n, kind, flag] = spec
    return (cells, s) => {
      const { date, districtId } = cellOf(n)(cells)
      const base = { at: at(s), date, districtId }
      switch (kind) {
        case 0:
          return { type: 'cell:started', ...base }
        case 1: {
          // Two snapshots can hold one date's cells (an as-of other than the date).
          const asOf = flag ? date : '2026-02-28'
          return {
            type: 'cell:completed',
            ...base,
            asOf,
            snapshotId: asOf,
            bytes: 5,
            detail: 'full',
          }
        }
        case 2:
          return { type: 'cell:skipped', ...base, detail: 'full' }
        case 3:
          return { type: 'cell:unavailable', ...base }
        case 4:
          return { type: 'cell:failed', ...base, error: cellError({ retryable: flag }) }
        case 5:
          return { type: 'cell:retrying', ...base, attempt: 1, error: cellError({ attempts: 1 }) }
        case 6:
          return { type: 'cell:not-a-district', ...base, summaryAsOf: date, reason: 'not listed' }
        default:
          return {
            type: 'date:expanded',
            at: at(s),
            date,
            districtIds: flag ? DISTRICTS.slice(1) : [],
          }
      }
    }
  })

const scenario = fc.record({
  days: fc.integer({ min: 1, max: 4 }),
  districts: fc.uniqueArray(fc.constantFrom(...DISTRICTS), { minLength: 1, maxLength: 4 }),
  // Open-scope dates: their whole-date cell expands when the date's summary names districts.
  open: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  events: fc.array(eventArb, { maxLength: 60 }),
  // Which states are looked at: a view is asked for only now and then, as pollers do.
  looks: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
})

test.prop([scenario], { numRuns: 300 })(
  'the view kept across events equals the view rebuilt from the whole state, after any events',
  ({ days, districts, open, events, looks }) => {
    const cells = grid(days, districts).filter((_c, i) => !open[Math.floor(i / districts.length)])
    for (let d = 0; d < days; d++) {
      if (open[d]) cells.push({ date: `2026-03-0${d + 1}`, districtId: WHOLE_DATE })
    }
    if (cells.length === 0) return
    let state = applyJobEvent(makeJob(cells), { type: 'job:started', at: at(0) })
    events.forEach((make, i) => {
      state = applyJobEvent(state, make(listCells(state), i + 1))
      if (!looks[i]) return
      const nowMs = T0 + (i + 2) * 1000
      expect(toBackfillResponse(state, { nowMs })).toEqual(fullRebuild(state, nowMs))
      // The counters agree with the cells, so no pass over the cells is needed to know.
      const pending = listCells(state).filter((c) => c.state === 'pending').length
      expect(pendingCellCount(state)).toBe(state.status === 'processing' ? pending : 0)
    })
    const end = T0 + 999_000
    expect(toBackfillResponse(state, { nowMs: end })).toEqual(fullRebuild(state, end))
  },
)

describe('toBackfillResponse on an unchanged job', () => {
  it('rebuilds nothing: the derived parts of the last view come back as they were', () => {
    let state = applyJobEvent(makeJob(grid(3, ['02', '61'])), { type: 'job:started', at: at(0) })
    state = applyJobEvent(state, {
      type: 'cell:completed',
      at: at(1),
      date: '2026-03-01',
      districtId: '02',
      asOf: '2026-03-01',
      snapshotId: '2026-03-01',
      bytes: 5,
      detail: 'full',
    })
    state = applyJobEvent(state, {
      type: 'cell:failed',
      at: at(2),
      date: '2026-03-01',
      districtId: '61',
      error: cellError(),
    })
    const first = toBackfillResponse(state, { nowMs: T0 + 3000 })
    const again = toBackfillResponse(state, { nowMs: T0 + 4000 })
    expect(again.partialSnapshots).toBe(first.partialSnapshots)
    expect(again.progress.districtProgress).toBe(first.progress.districtProgress)
    expect(again.errorSummary?.affectedDistricts).toBe(first.errorSummary?.affectedDistricts)
    // The time-dependent part is still worked out per request.
    expect(again.progress.etaSeconds).not.toBe(first.progress.etaSeconds)

    // An event on another day keeps the unchanged district's wire form.
    const next = applyJobEvent(state, {
      type: 'cell:skipped',
      at: at(5),
      date: '2026-03-02',
      districtId: '02',
    })
    const after = toBackfillResponse(next, { nowMs: T0 + 6000 })
    expect(after.progress.districtProgress['61']).toBe(first.progress.districtProgress['61'])
    expect(after.progress.districtProgress['02']).not.toBe(first.progress.districtProgress['02'])
    expect(after).toEqual(fullRebuild(next, T0 + 6000))
  })
})
