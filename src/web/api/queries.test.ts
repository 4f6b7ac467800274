import { describe, expect, it } from 'vitest'
import { makeJob } from '../test-support.ts'
import { ApiError } from './api-error.ts'
import {
  HISTORY_POLL_MS,
  JOB_POLL_MS,
  REFRESH_AFFECTS,
  REFRESH_POLL_MS,
  historyPollInterval,
  jobPollInterval,
  queryKeys,
  refreshPollInterval,
} from './queries.ts'

describe('jobPollInterval', () => {
  it('polls a job until it ends', () => {
    expect(jobPollInterval(undefined, null)).toBe(JOB_POLL_MS)
    expect(jobPollInterval(makeJob({ status: 'queued' }), null)).toBe(JOB_POLL_MS)
    expect(jobPollInterval(makeJob({ status: 'processing' }), null)).toBe(JOB_POLL_MS)
    for (const status of ['complete', 'partial_success', 'error', 'cancelled'] as const) {
      expect(jobPollInterval(makeJob({ status }), null)).toBe(false)
    }
  })

  it('stops polling a job the server does not know, but keeps trying after a server error', () => {
    expect(jobPollInterval(undefined, new ApiError(404, 'JOB_NOT_FOUND', 'gone'))).toBe(false)
    expect(jobPollInterval(undefined, new ApiError(503, 'STORAGE_IO', 'busy'))).toBe(JOB_POLL_MS)
  })
})

describe('historyPollInterval', () => {
  it('polls the history only while one of its jobs is live', () => {
    expect(historyPollInterval(undefined)).toBe(false)
    expect(historyPollInterval([makeJob({ status: 'complete' })])).toBe(false)
    expect(
      historyPollInterval([makeJob({ status: 'complete' }), makeJob({ status: 'queued' })]),
    ).toBe(HISTORY_POLL_MS)
  })
})

describe('refreshPollInterval', () => {
  it('polls the refresh status only while a run is going', () => {
    expect(refreshPollInterval(undefined)).toBe(false)
    expect(refreshPollInterval({ state: 'idle', last: null })).toBe(false)
    expect(refreshPollInterval({ state: 'running', last: null })).toBe(REFRESH_POLL_MS)
  })
})

describe('REFRESH_AFFECTS', () => {
  it('covers every coverage range, snapshot and district file, plus health and available', () => {
    const covers = (key: readonly unknown[]) =>
      REFRESH_AFFECTS.some((prefix) => prefix.every((part, i) => key[i] === part))
    expect(covers(queryKeys.coverage({ from: '2026-11-01', to: '2026-11-28' }))).toBe(true)
    expect(covers(queryKeys.snapshot('2026-11-28'))).toBe(true)
    expect(covers(queryKeys.districtFile('2026-11-28', '61'))).toBe(true)
    expect(covers(queryKeys.health)).toBe(true)
    expect(covers(queryKeys.available)).toBe(true)
    expect(covers(queryKeys.refresh)).toBe(true)
    expect(covers(queryKeys.history({ limit: 10, offset: 0 }))).toBe(false)
  })
})
