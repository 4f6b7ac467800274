import { describe, expect, it } from 'vitest'
import { WHOLE_DATE } from './cell-ref.ts'
import type { JobEvent } from './job-events.ts'
import { applyJobEvent, getCell, listCells, replayJobEvents } from './job-state.ts'
import type { JobState } from './job-state.ts'
import { cellError, grid, makeJob, queuedEvent } from './test-fixtures.ts'

const at = (s: number) => `2026-03-09T10:00:${String(s).padStart(2, '0')}.000Z`
const D1 = '2026-03-01'
const D2 = '2026-03-02'

function run(state: JobState, ...events: JobEvent[]): JobState {
  return events.reduce(applyJobEvent, state)
}

const started = (cells = grid(2, ['02', '61'])) =>
  applyJobEvent(makeJob(cells), { type: 'job:started', at: at(1) })

function completed(date: string, districtId: string, s = 2, snapshotId = date): JobEvent {
  return {
    type: 'cell:completed',
    at: at(s),
    date,
    districtId,
    asOf: snapshotId,
    snapshotId,
    bytes: 1200,
    detail: 'summary',
  }
}

describe('createJobState', () => {
  it('starts queued with every cell pending and each district at zero', () => {
    const job = makeJob(grid(2, ['61', '02']))
    expect(job.status).toBe('queued')
    expect(job.progress).toMatchObject({ total: 4, completed: 0, failed: 0, current: '' })
    expect(job.progress.districtProgress['61']).toEqual({
      districtId: '61',
      status: 'pending',
      datesProcessed: 0,
      datesTotal: 2,
      successfulDates: [],
      failedDates: [],
      retryCount: 0,
      skippedDates: 0,
      startedDates: 0,
    })
    expect(listCells(job).map((c) => `${c.date}|${c.districtId}|${c.state}`)).toEqual([
      '2026-03-01|02|pending',
      '2026-03-01|61|pending',
      '2026-03-02|02|pending',
      '2026-03-02|61|pending',
    ])
  })
})

describe('applyJobEvent: lifecycle', () => {
  it('moves queued to processing once', () => {
    const job = started()
    expect(job.status).toBe('processing')
    expect(job.startedAt).toBe(at(1))
    expect(applyJobEvent(job, { type: 'job:started', at: at(5) })).toBe(job)
  })

  it('ignores cell events before the job starts', () => {
    const job = makeJob(grid(1, ['61']))
    expect(applyJobEvent(job, completed(D1, '61'))).toBe(job)
  })

  it('cancels for good: pending cells become cancelled and later events change nothing', () => {
    const job = run(started(), completed(D1, '02'), { type: 'job:cancelled', at: at(3) })
    expect(job.status).toBe('cancelled')
    expect(job.completedAt).toBe(at(3))
    expect(listCells(job).map((c) => c.state)).toEqual([
      'completed',
      'cancelled',
      'cancelled',
      'cancelled',
    ])
    for (const later of [
      { type: 'job:finished', at: at(4) },
      { type: 'job:started', at: at(4) },
      completed(D1, '61', 4),
      { type: 'job:failed', at: at(4), message: 'boom' },
    ] as JobEvent[]) {
      expect(applyJobEvent(job, later)).toBe(job)
    }
  })

  it('cancels a job that never started', () => {
    expect(
      applyJobEvent(makeJob(grid(1, ['61'])), { type: 'job:cancelled', at: at(1) }).status,
    ).toBe('cancelled')
  })

  it('finishes complete when no cell failed', () => {
    const job = run(
      started(),
      completed(D1, '02'),
      { type: 'cell:skipped', at: at(2), date: D1, districtId: '61', detail: 'full' },
      { type: 'cell:unavailable', at: at(2), date: D2, districtId: '02' },
      completed(D2, '61'),
      { type: 'job:finished', at: at(9) },
    )
    expect(job).toMatchObject({ status: 'complete', completedAt: at(9), error: null })
  })

  it('finishes partial_success when some cells failed and others settled', () => {
    const job = run(
      started(),
      { type: 'cell:failed', at: at(2), date: D1, districtId: '02', error: cellError() },
      { type: 'cell:skipped', at: at(2), date: D1, districtId: '61' },
      completed(D2, '02'),
      completed(D2, '61'),
      { type: 'job:finished', at: at(9) },
    )
    expect(job.status).toBe('partial_success')
    expect(job.error).toBeNull()
  })

  it('finishes error when every cell failed', () => {
    const events: JobEvent[] = grid(2, ['02', '61']).map((c) => ({
      type: 'cell:failed',
      at: at(2),
      ...c,
      error: cellError(),
    }))
    const job = run(started(), ...events, { type: 'job:finished', at: at(9) })
    expect(job.status).toBe('error')
    expect(job.error).toBe('every attempted cell failed (4 of 4)')
  })

  it('fails cells left pending at finish, so the job cannot claim to be complete', () => {
    const job = run(started(), completed(D1, '02'), { type: 'job:finished', at: at(9) })
    expect(job.status).toBe('partial_success')
    expect(job.progress.failed).toBe(3)
    expect(getCell(job, D2, '61')?.error).toMatchObject({ code: 'INTERNAL', attempts: 0 })
  })

  it('ignores job:finished before the job started', () => {
    const job = makeJob(grid(1, ['61']))
    expect(applyJobEvent(job, { type: 'job:finished', at: at(1) })).toBe(job)
  })

  it('ends in error with the fatal message on job:failed', () => {
    const job = run(started(), {
      type: 'job:failed',
      at: at(4),
      message: 'DATA_DIR is not writable',
    })
    expect(job).toMatchObject({
      status: 'error',
      error: 'DATA_DIR is not writable',
      completedAt: at(4),
    })
    expect(listCells(job).every((c) => c.state === 'cancelled')).toBe(true)
  })

  it('ignores a second job:queued', () => {
    const job = started()
    expect(applyJobEvent(job, queuedEvent(grid(1, ['99'])))).toBe(job)
  })
})

describe('applyJobEvent: cells', () => {
  it("records a completed cell, its snapshot and the district's progress", () => {
    const job = run(
      started(),
      { type: 'cell:started', at: at(2), date: D2, districtId: '61' },
      completed(D2, '61', 3, '2026-03-01'),
      completed(D1, '61', 4, '2026-03-01'),
    )
    expect(getCell(job, D2, '61')).toMatchObject({
      state: 'completed',
      attempts: 1,
      startedAt: at(2),
      finishedAt: at(3),
      bytes: 1200,
      snapshotId: '2026-03-01',
      detail: 'summary',
    })
    expect(job.snapshotIds).toEqual(['2026-03-01'])
    expect(job.progress).toMatchObject({ completed: 2, current: D1 })
    expect(job.progress.districtProgress['61']).toMatchObject({
      status: 'completed',
      datesProcessed: 2,
      successfulDates: [D1, D2],
    })
    expect(job.progress.districtProgress['02']?.status).toBe('pending')
  })

  it('keeps snapshot ids unique and ascending', () => {
    const job = run(
      started(),
      completed(D2, '02', 2, D2),
      completed(D1, '02', 3, D1),
      completed(D1, '61', 4, D1),
    )
    expect(job.snapshotIds).toEqual([D1, D2])
  })

  it('counts retries per district and keeps the cell pending', () => {
    const error = cellError({ attempts: 1 })
    const job = run(
      started(),
      { type: 'cell:started', at: at(2), date: D1, districtId: '61' },
      { type: 'cell:retrying', at: at(3), date: D1, districtId: '61', attempt: 1, error },
    )
    expect(getCell(job, D1, '61')).toMatchObject({ state: 'pending', attempts: 1, error })
    expect(job.progress.districtProgress['61']).toMatchObject({
      status: 'processing',
      retryCount: 1,
      lastError: '2026-03-01: UPSTREAM_HTTP: Upstream answered 503',
    })
    expect(job.progress.totalErrors).toBe(0)
    const done = applyJobEvent(job, completed(D1, '61', 4))
    expect(getCell(done, D1, '61')?.attempts).toBe(2)
  })

  it('counts a failure as retryable or permanent and lists the failed date', () => {
    const job = run(
      started(),
      { type: 'cell:failed', at: at(2), date: D1, districtId: '61', error: cellError() },
      {
        type: 'cell:failed',
        at: at(3),
        date: D2,
        districtId: '61',
        error: cellError({ code: 'UPSTREAM_PARSE', retryable: false, attempts: 1 }),
      },
    )
    expect(job.progress).toMatchObject({
      failed: 2,
      totalErrors: 2,
      retryableErrors: 1,
      permanentErrors: 1,
    })
    expect(job.progress.districtProgress['61']).toMatchObject({
      status: 'failed',
      failedDates: [D1, D2],
    })
    expect(getCell(job, D2, '61')?.attempts).toBe(1)
  })

  it('marks a district skipped when every one of its dates was skipped', () => {
    const job = run(
      started(),
      ...[D1, D2].map((date): JobEvent => ({
        type: 'cell:skipped',
        at: at(2),
        date,
        districtId: '02',
      })),
    )
    expect(job.progress.districtProgress['02']?.status).toBe('skipped')
  })

  it('settles a cell once: a second outcome and unknown cells change nothing', () => {
    const job = run(started(), completed(D1, '61'))
    expect(
      applyJobEvent(job, {
        type: 'cell:failed',
        at: at(5),
        date: D1,
        districtId: '61',
        error: cellError(),
      }),
    ).toBe(job)
    expect(applyJobEvent(job, completed('2026-04-01', '61'))).toBe(job)
  })

  it('never mutates the state it was given', () => {
    const before = started()
    const copy = structuredClone(before)
    run(
      before,
      completed(D1, '02'),
      { type: 'cell:failed', at: at(3), date: D1, districtId: '61', error: cellError() },
      { type: 'job:finished', at: at(4) },
    )
    expect(before).toEqual(copy)
  })
})

describe('applyJobEvent: not a district on that date', () => {
  const notADistrict = (date: string, districtId: string, s = 3): JobEvent => ({
    type: 'cell:not-a-district',
    at: at(s),
    date,
    districtId,
    summaryAsOf: date,
    reason: `district ${districtId} is not in the summary of ${date}`,
  })
  const finished: JobEvent = { type: 'job:finished', at: at(9) }

  it('gives the cell its own state and count, apart from unavailable', () => {
    const job = run(started(), notADistrict(D1, '61'))
    expect(getCell(job, D1, '61')?.state).toBe('not-a-district')
    expect(getCell(job, D1, '61')?.reason).toBe(`district 61 is not in the summary of ${D1}`)
    expect(job.progress).toMatchObject({ notADistrict: 1, unavailable: 0, failed: 0 })
  })

  it('finishes complete when every date still has a requested district', () => {
    const job = run(
      started(),
      completed(D1, '02'),
      notADistrict(D1, '61'),
      completed(D2, '02'),
      completed(D2, '61'),
      finished,
    )
    expect(job.status).toBe('complete')
    expect(job.warnings).toBeUndefined()
  })

  it('finishes partial_success naming the dates on which no requested district exists', () => {
    const days = grid(4, ['02', '61'])
    let job = applyJobEvent(makeJob(days), { type: 'job:started', at: at(1) })
    const dates = [...new Set(days.map((c) => c.date))]
    for (const date of dates.slice(0, 3)) {
      job = run(job, notADistrict(date, '02'), notADistrict(date, '61'))
    }
    job = run(job, completed(dates[3] ?? '', '02'), completed(dates[3] ?? '', '61'), finished)
    expect(job.status).toBe('partial_success')
    expect(job.error).toBeNull()
    expect(job.warnings).toEqual([
      `none of 02, 61 is a district on ${dates[0]}…${dates[2]} (not in those dates' summaries)`,
    ])
  })

  it('ends in error with the reason when no requested district exists on any date', () => {
    const job = run(started(grid(1, ['61'])), notADistrict(D1, '61'), finished)
    expect(job.status).toBe('error')
    expect(job.error).toBe(`61 is not a district on ${D1} (not in that date's summary)`)
  })

  it('replays an old history whose not-in-summary cells were plain unavailable', () => {
    const queued = queuedEvent(grid(1, ['61']))
    const job = replayJobEvents([
      queued,
      { type: 'job:started', at: at(1) },
      { type: 'cell:unavailable', at: at(2), date: D1, districtId: '61', reason: 'old' },
      finished,
    ])
    expect(getCell(job, D1, '61')?.state).toBe('unavailable')
    expect(job.status).toBe('complete')
  })
})

describe('applyJobEvent: open scope', () => {
  const open = () =>
    started([
      { date: D1, districtId: WHOLE_DATE },
      { date: D2, districtId: WHOLE_DATE },
    ])

  it('turns a whole-date cell into its districts once the summary names them', () => {
    const job = applyJobEvent(open(), {
      type: 'date:expanded',
      at: at(2),
      date: D1,
      districtIds: ['61', '02', 'f', '61'],
    })
    expect(job.progress.total).toBe(4)
    expect(job.ledger.days[0]?.cells.map((c) => c.districtId)).toEqual(['02', '61', 'F'])
    expect(job.progress.districtProgress['F']).toMatchObject({ datesTotal: 1, status: 'pending' })
    expect(
      applyJobEvent(job, { type: 'date:expanded', at: at(3), date: D1, districtIds: ['10'] }),
    ).toBe(job)
  })

  it('makes a date whose summary names nobody unavailable', () => {
    const job = applyJobEvent(open(), {
      type: 'date:expanded',
      at: at(2),
      date: D2,
      districtIds: [],
    })
    expect(getCell(job, D2, WHOLE_DATE)?.state).toBe('unavailable')
    expect(job.progress).toMatchObject({ total: 2, unavailable: 1 })
  })

  it('fails a whole date whose summary could not be fetched', () => {
    const job = run(open(), {
      type: 'cell:failed',
      at: at(2),
      date: D1,
      districtId: WHOLE_DATE,
      error: cellError(),
    })
    expect(job.progress).toMatchObject({ failed: 1, totalErrors: 1 })
    expect(job.progress.districtProgress).toEqual({})
  })
})

describe('replayJobEvents', () => {
  it('equals folding the events one by one', () => {
    const queued = queuedEvent(grid(1, ['61']))
    const events: JobEvent[] = [
      queued,
      { type: 'job:started', at: at(1) },
      completed(D1, '61'),
      { type: 'job:finished', at: at(3) },
    ]
    const replayed = replayJobEvents(events)
    expect(replayed.status).toBe('complete')
    expect(replayed.backfillId).toBe(queued.job.backfillId)
  })

  it('refuses a history that does not start with job:queued', () => {
    expect(() => replayJobEvents([{ type: 'job:started', at: at(1) }])).toThrow(
      /must start with job:queued/,
    )
  })
})

describe('applyJobEvent: work per event', () => {
  it('shares the list of snapshot ids when a cell completes an as-of it already names', () => {
    const one = run(started(), completed(D1, '02'))
    expect(one.snapshotIds).toEqual([D1])
    const two = run(one, completed(D1, '61'))
    // Copying a list of up to 400 ids per cell was what made an event grow with the dates.
    expect(two.snapshotIds).toBe(one.snapshotIds)
    expect(run(two, completed(D2, '02')).snapshotIds).toEqual([D1, D2])
    expect(one.snapshotIds).toEqual([D1])
  })
})
