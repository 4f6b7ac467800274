import { describe, expect, it } from 'vitest'
import type { PerformanceStatus } from '../../shared/backfill-api.ts'
import type { JobEvent } from './job-events.ts'
import { applyJobEvent, createJobState } from './job-state.ts'
import type { JobState } from './job-state.ts'
import { computeEta, computePartialSnapshots, toBackfillResponse } from './job-view.ts'
import { cellError, grid, makeJob, queuedEvent } from './test-fixtures.ts'

const T0 = Date.parse('2026-03-09T10:00:00.000Z')
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString()
const D1 = '2026-03-01'
const D2 = '2026-03-02'

const run = (state: JobState, ...events: JobEvent[]) => events.reduce(applyJobEvent, state)
const start = (cells = grid(2, ['02', '61'])) =>
  applyJobEvent(makeJob(cells), { type: 'job:started', at: at(0) })

function completed(date: string, districtId: string, s: number, snapshotId = date): JobEvent {
  return {
    type: 'cell:completed',
    at: at(s),
    date,
    districtId,
    asOf: snapshotId,
    snapshotId,
    bytes: 10,
    detail: 'full',
  }
}

describe('computeEta', () => {
  it('is unknown until a cell that needed the upstream is done', () => {
    const job = run(start(), { type: 'cell:skipped', at: at(1), date: D1, districtId: '02' })
    expect(computeEta(job, T0 + 5000)).toEqual({ etaSeconds: null, cellsPerMinute: null })
    expect(computeEta(makeJob(grid(1, ['61'])), T0)).toEqual({
      etaSeconds: null,
      cellsPerMinute: null,
    })
  })

  it('extrapolates the measured rate over the pending cells', () => {
    // 2 cells in 10 s = 12/min; 1 skipped, 1 pending left → 5 s.
    const job = run(
      start(),
      completed(D1, '02', 4),
      { type: 'cell:skipped', at: at(5), date: D1, districtId: '61' },
      { type: 'cell:failed', at: at(8), date: D2, districtId: '02', error: cellError() },
    )
    expect(computeEta(job, T0 + 10_000)).toEqual({ etaSeconds: 5, cellsPerMinute: 12 })
  })

  it('has no ETA once the job is over, and measures the rate up to its end', () => {
    const job = run(start(grid(1, ['61'])), completed(D1, '61', 30), {
      type: 'job:finished',
      at: at(30),
    })
    expect(computeEta(job, T0 + 999_000)).toEqual({ etaSeconds: null, cellsPerMinute: 2 })
  })
})

describe('computePartialSnapshots', () => {
  it('lists each snapshot written while other districts of its date failed', () => {
    const job = run(
      start(grid(2, ['02', '10', '61'])),
      completed(D1, '61', 1, D1),
      completed(D1, '02', 1, D1),
      {
        type: 'cell:failed',
        at: at(2),
        date: D1,
        districtId: '10',
        error: cellError({ code: 'UPSTREAM_TIMEOUT', message: 'timed out' }),
      },
      completed(D2, '02', 3, D2),
      completed(D2, '10', 3, D2),
      completed(D2, '61', 3, D2),
    )
    expect(computePartialSnapshots(job)).toEqual([
      {
        snapshotId: D1,
        successfulDistricts: ['02', '61'],
        failedDistricts: ['10'],
        errors: [{ districtId: '10', code: 'UPSTREAM_TIMEOUT', message: 'timed out' }],
      },
    ])
  })

  it('reports no snapshot for a date where every district failed', () => {
    const job = run(start(grid(1, ['02'])), {
      type: 'cell:failed',
      at: at(2),
      date: D1,
      districtId: '02',
      error: cellError(),
    })
    expect(computePartialSnapshots(job)).toEqual([])
  })
})

describe('toBackfillResponse', () => {
  const performanceStatus: PerformanceStatus = {
    rateLimiter: { currentCount: 1, maxRequests: 2, windowMs: 1000, nextResetAt: at(1) },
    concurrencyLimiter: { activeSlots: 1, maxConcurrent: 4, queueLength: 0 },
    intermediateCache: { hitRate: 0.5, entryCount: 3, sizeBytes: 900 },
  }

  it('maps the state to the wire shape with its error summary', () => {
    const job = run(
      start(),
      completed(D1, '02', 1),
      {
        type: 'cell:failed',
        at: at(2),
        date: D1,
        districtId: '61',
        error: cellError({ retryable: false }),
      },
      completed(D2, '02', 3),
      completed(D2, '61', 4),
      { type: 'job:finished', at: at(4) },
    )
    const view = toBackfillResponse(job, { nowMs: T0 + 4000, performanceStatus })
    expect(view).toMatchObject({
      backfillId: job.backfillId,
      status: 'partial_success',
      type: 'global',
      snapshotIds: [D1, D2],
      createdAt: job.createdAt,
      startedAt: at(0),
      completedAt: at(4),
      pausedReason: null,
      pausedUntil: null,
      errorSummary: {
        totalErrors: 1,
        retryableErrors: 0,
        permanentErrors: 1,
        affectedDistricts: ['61'],
        partialSnapshots: 1,
      },
      performanceStatus,
    })
    expect(view.progress).toMatchObject({
      total: 4,
      completed: 3,
      failed: 1,
      partialSnapshots: 1,
      etaSeconds: null,
      cellsPerMinute: 60,
    })
    expect(view.partialSnapshots?.[0]?.failedDistricts).toEqual(['61'])
    expect(view.scope).not.toHaveProperty('openScope')
    expect(view).not.toHaveProperty('districtId')
    expect(view).not.toHaveProperty('error')
    expect(JSON.parse(JSON.stringify(view))).toEqual(view)
  })

  it('names the district of a district job and the error of a failed one', () => {
    const queued = queuedEvent(grid(1, ['61']))
    queued.job = { ...queued.job, kind: 'district', districtId: '61' }
    const job = run(createJobState(queued), {
      type: 'job:failed',
      at: at(1),
      message: 'storage is gone',
    })
    const view = toBackfillResponse(job, { nowMs: T0 })
    expect(view).toMatchObject({
      type: 'district',
      districtId: '61',
      status: 'error',
      error: 'storage is gone',
    })
    expect(view).not.toHaveProperty('performanceStatus')
  })
})
