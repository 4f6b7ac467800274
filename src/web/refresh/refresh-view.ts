/** Pure helpers of the refresh panel: headline and tone per outcome, which result is newest. */
import type { RefreshOutcome, RefreshResultView } from '../api/types.ts'

export type RefreshTone = 'ok' | 'warn' | 'error'

export const REFRESH_HEADLINE: Record<RefreshOutcome, string> = {
  written: 'New data written',
  unchanged: 'Unchanged',
  partial: 'Partly collected',
  unavailable: 'Not published yet',
  failed: 'Failed',
}

export function refreshTone(status: RefreshOutcome): RefreshTone {
  if (status === 'written' || status === 'unchanged') return 'ok'
  return status === 'failed' ? 'error' : 'warn'
}

/**
 * The click's own answer and the server's `last` can disagree (a scheduled run may finish
 * later); the one that finished last is what is stored now.
 */
export function latestRefresh(
  ...results: (RefreshResultView | null | undefined)[]
): RefreshResultView | null {
  let newest: RefreshResultView | null = null
  for (const r of results) {
    if (r && (!newest || r.finishedAt > newest.finishedAt)) newest = r
  }
  return newest
}

export function describeRefreshFailure(failure: RefreshResultView['districts']['failed'][number]) {
  const { code, message, httpStatus } = failure.error
  return `${failure.districtId}: ${code}${httpStatus ? ` (HTTP ${httpStatus})` : ''}: ${message}`
}
