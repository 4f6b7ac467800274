import { describe, expect, it } from 'vitest'
import { makeJob, makeProgress } from '../test-support.ts'
import {
  canCancel,
  canRetryFailed,
  retryLabel,
  describeRange,
  describeScope,
  districtRows,
  finalDistrictStatus,
  jobErrors,
  unreachableSentence,
  doneCells,
  formatBytes,
  formatEta,
  isTerminal,
  pageLabel,
  progressPercent,
  statusLabel,
} from './view-helpers.ts'

describe('progressPercent', () => {
  it('counts every outcome (completed, skipped, unavailable, failed) as done', () => {
    const p = makeProgress({ total: 8, completed: 1, skipped: 2, unavailable: 1, failed: 2 })
    expect(doneCells(p)).toBe(6)
    expect(progressPercent(p)).toBe(75)
  })

  it('reaches 100 only when every cell has an outcome', () => {
    expect(progressPercent(makeProgress({ total: 1000, completed: 999 }))).toBe(99)
    expect(progressPercent(makeProgress({ total: 1000, completed: 1000 }))).toBe(100)
  })

  it('is 0 for an empty or not yet planned job and never leaves 0..100', () => {
    expect(progressPercent(makeProgress({ total: 0 }))).toBe(0)
    expect(progressPercent(makeProgress({ total: 2, completed: 5 }))).toBe(100)
  })
})

describe('isTerminal', () => {
  it('treats complete, partial_success, error and cancelled as final, the rest as live', () => {
    expect(
      ['complete', 'partial_success', 'error', 'cancelled'].every((s) => isTerminal(s as never)),
    ).toBe(true)
    expect(isTerminal('queued')).toBe(false)
    expect(isTerminal('processing')).toBe(false)
  })
})

describe('formatEta', () => {
  it.each([
    [null, 'estimating…'],
    [Number.NaN, 'estimating…'],
    [0, '0 s'],
    [44.6, '45 s'],
    [60, '1 min'],
    [200, '3 min 20 s'],
    [3600, '1 h 00 min'],
    [7500, '2 h 05 min'],
    [7199, '2 h 00 min'],
  ])('formats %s seconds as %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text)
  })
})

describe('job actions', () => {
  it('offers cancel while the job is live and retry only once it ended with failures', () => {
    const running = makeJob({ status: 'processing', progress: { failed: 2 } })
    expect(canCancel(running)).toBe(true)
    expect(canRetryFailed(running)).toBe(false)
    const partial = makeJob({ status: 'partial_success', progress: { failed: 2 } })
    expect(canCancel(partial)).toBe(false)
    expect(canRetryFailed(partial)).toBe(true)
    expect(canRetryFailed(makeJob({ status: 'complete' }))).toBe(false)
  })

  it('offers to finish the remaining cells of a cancelled job, failed or not', () => {
    const cancelled = makeJob({ status: 'cancelled', progress: { total: 6, completed: 2 } })
    expect(canRetryFailed(cancelled)).toBe(true)
    expect(retryLabel(cancelled)).toBe('Finish remaining cells (4)')
    const stopped = makeJob({ status: 'error', progress: { total: 6, completed: 1, failed: 2 } })
    expect(retryLabel(stopped)).toBe('Finish remaining cells (5)')
    const partial = makeJob({
      status: 'partial_success',
      progress: { total: 4, completed: 2, failed: 2 },
    })
    expect(retryLabel(partial)).toBe('Retry failed cells (2)')
    const settled = makeJob({
      status: 'cancelled',
      progress: { total: 2, completed: 1, skipped: 1 },
    })
    expect(canRetryFailed(settled)).toBe(false)
  })
})

describe('labels', () => {
  it('names statuses for people', () => {
    expect(statusLabel('partial_success')).toBe('Partial success')
    expect(statusLabel('processing')).toBe('Running')
  })

  it('lists districts in the dashboard order, numbers first', () => {
    const row = (districtId: string) => ({
      districtId,
      status: 'pending' as const,
      datesProcessed: 0,
      datesTotal: 1,
      successfulDates: [],
      failedDates: [],
      retryCount: 0,
    })
    const p = makeProgress({
      districtProgress: { F: row('F'), '61': row('61'), '02': row('02'), '101': row('101') },
    })
    expect(districtRows(p).map((d) => d.districtId)).toEqual(['02', '61', '101', 'F'])
  })

  it('describes the scope and the date range of a job', () => {
    expect(describeScope(makeJob({ type: 'district', districtId: '61' }))).toBe('district 61')
    const open = makeJob({
      scope: {
        targetDistricts: [],
        configuredDistricts: [],
        scopeType: 'system-wide',
        validationPassed: true,
        excluded: [],
      },
    })
    expect(describeScope(open)).toBe('every district in the summary')
    const targeted = makeJob({
      scope: {
        targetDistricts: ['02', '61'],
        configuredDistricts: [],
        scopeType: 'targeted',
        validationPassed: true,
        excluded: [],
      },
    })
    expect(describeScope(targeted)).toBe('02, 61')
    expect(describeRange(makeJob())).toBe('2026-11-20 → 2026-11-22')
  })

  it('labels history pages and byte sizes', () => {
    expect(pageLabel(0, 10, 45)).toBe('1–10 of 45')
    expect(pageLabel(40, 5, 45)).toBe('41–45 of 45')
    expect(pageLabel(0, 0, 0)).toBe('0 of 0')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(2048)).toBe('2.0 KiB')
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB')
  })
})

describe('finished job views', () => {
  it('lists partial-snapshot errors, then the districts’ last errors, with codes', () => {
    const job = makeJob({
      status: 'partial_success',
      partialSnapshots: [
        {
          snapshotId: '2026-11-20',
          successfulDistricts: ['02'],
          failedDistricts: ['21'],
          errors: [{ districtId: '21', code: 'UPSTREAM_HTTP', message: 'Upstream answered 503' }],
        },
      ],
      progress: {
        districtProgress: {
          '21': {
            districtId: '21',
            status: 'failed',
            datesProcessed: 1,
            datesTotal: 1,
            successfulDates: [],
            failedDates: ['2026-11-20'],
            retryCount: 2,
            lastError: '2026-11-20: UPSTREAM_HTTP: Upstream answered 503',
          },
          '61': {
            districtId: '61',
            status: 'failed',
            datesProcessed: 1,
            datesTotal: 1,
            successfulDates: [],
            failedDates: ['2026-11-21'],
            retryCount: 0,
            lastError: '2026-11-21: UPSTREAM_PARSE: no footer',
          },
        },
      },
    })
    expect(jobErrors(job)).toEqual([
      {
        districtId: '21',
        date: '2026-11-20',
        code: 'UPSTREAM_HTTP',
        message: 'Upstream answered 503',
      },
      { districtId: '61', date: '2026-11-21', code: 'UPSTREAM_PARSE', message: 'no footer' },
    ])
    expect(unreachableSentence(job)).toBeNull()
  })

  it('says in words when the dashboard was unreachable', () => {
    const job = makeJob({
      status: 'error',
      error: 'the dashboard is unreachable and its circuit is open',
    })
    expect(unreachableSentence(job)).toMatch(/dashboard could not be reached/)
    expect(unreachableSentence({ ...job, status: 'processing' })).toBeNull()
  })

  it('gives every district row of an ended job a final state', () => {
    expect(finalDistrictStatus({ status: 'processing' }, 'cancelled')).toBe('cancelled')
    expect(finalDistrictStatus({ status: 'pending' }, 'error')).toBe('not finished')
    expect(finalDistrictStatus({ status: 'completed' }, 'cancelled')).toBe('completed')
    expect(finalDistrictStatus({ status: 'processing' }, 'processing')).toBe('processing')
  })
})
