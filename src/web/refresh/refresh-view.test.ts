import { describe, expect, it } from 'vitest'
import type { RefreshResultView } from '../api/types.ts'
import {
  REFRESH_HEADLINE,
  describeRefreshFailure,
  latestRefresh,
  refreshTone,
} from './refresh-view.ts'

function makeResult(overrides: Partial<RefreshResultView> = {}): RefreshResultView {
  return {
    status: 'written',
    asOf: '2026-11-28',
    startedAt: '2026-11-29T10:00:00.000Z',
    finishedAt: '2026-11-29T10:00:05.000Z',
    districts: { written: ['61'], unchanged: [], unavailable: [], notADistrict: [], failed: [] },
    restated: [],
    currentMoved: true,
    message: 'as-of 2026-11-28: 1 written, 0 unchanged, 0 failed, 0 unavailable',
    ...overrides,
  }
}

describe('refreshTone', () => {
  it('is calm for written and unchanged, a warning for partial and unavailable, an error for failed', () => {
    expect(refreshTone('written')).toBe('ok')
    expect(refreshTone('unchanged')).toBe('ok')
    expect(refreshTone('partial')).toBe('warn')
    expect(refreshTone('unavailable')).toBe('warn')
    expect(refreshTone('failed')).toBe('error')
  })

  it('has a distinct headline for every outcome', () => {
    const headlines = Object.values(REFRESH_HEADLINE)
    expect(new Set(headlines).size).toBe(5)
    expect(REFRESH_HEADLINE.unchanged).toMatch(/unchanged/i)
  })
})

describe('latestRefresh', () => {
  it('picks the result that finished last, whichever source it came from', () => {
    const clicked = makeResult({ finishedAt: '2026-11-29T10:00:05.000Z' })
    const scheduled = makeResult({ status: 'unchanged', finishedAt: '2026-11-29T11:00:00.000Z' })
    expect(latestRefresh(clicked, scheduled)).toBe(scheduled)
    expect(latestRefresh(scheduled, clicked)).toBe(scheduled)
  })

  it('skips missing results and answers null when there is none', () => {
    const only = makeResult()
    expect(latestRefresh(undefined, only, null)).toBe(only)
    expect(latestRefresh(undefined, null)).toBeNull()
  })
})

describe('describeRefreshFailure', () => {
  it('names the district, the error code, the HTTP status when known and the message', () => {
    const error = {
      code: 'UPSTREAM_HTTP' as const,
      message: 'Upstream answered 500',
      retryable: true,
      attempts: 3,
      at: '2026-11-29T10:00:04.000Z',
    }
    expect(describeRefreshFailure({ districtId: '61', error: { ...error, httpStatus: 500 } })).toBe(
      '61: UPSTREAM_HTTP (HTTP 500): Upstream answered 500',
    )
    expect(describeRefreshFailure({ districtId: 'F', error })).toBe(
      'F: UPSTREAM_HTTP: Upstream answered 500',
    )
  })
})
