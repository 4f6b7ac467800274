import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { makeJob } from '../test-support.ts'
import { fakeApi, renderWithProviders } from '../test-render.tsx'
import { JobCard } from './JobCard.tsx'

afterEach(cleanup)

describe('JobCard', () => {
  it('shows a running job with its progress, counts, current date and a cancel button', async () => {
    const cancelled: string[] = []
    const running = makeJob({
      status: 'processing',
      progress: { total: 8, completed: 3, skipped: 1, current: '2026-11-21', etaSeconds: 200 },
      pausedReason: 'upstream circuit open',
    })
    const api = fakeApi({
      getBackfill: async () => running,
      cancelBackfill: async (id) => {
        cancelled.push(id)
        return { ...running, status: 'cancelled' }
      },
    })
    renderWithProviders(<JobCard info={{ backfillId: 'bf_test_1', type: 'global' }} />, api)
    const bar = await screen.findByRole('progressbar')
    expect(bar.getAttribute('aria-valuenow')).toBe('50')
    expect(screen.getByTestId('job-counts').textContent).toBe(
      'completed 3 · skipped 1 · unavailable 0 · failed 0 of 8 cells',
    )
    expect(screen.getByText(/Current date/).textContent).toMatch(/2026-11-21.*ETA: 3 min 20 s/)
    expect(screen.getByText(/Paused: upstream circuit open/)).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    await waitFor(() => expect(cancelled).toEqual(['bf_test_1']))
  })

  it('counts cells that are not a district on their date and shows the dates without any', async () => {
    const warning = "201 is not a district on 2026-06-20…2026-06-23 (not in those dates' summaries)"
    const finished = makeJob({
      status: 'partial_success',
      completedAt: '2026-11-29T10:01:00.000Z',
      warnings: [warning],
      progress: { total: 6, completed: 2, notADistrict: 4 },
    })
    renderWithProviders(
      <JobCard info={{ backfillId: 'bf_test_1', type: 'global' }} />,
      fakeApi({ getBackfill: async () => finished }),
    )
    expect((await screen.findByTestId('job-counts')).textContent).toBe(
      'completed 2 · skipped 0 · unavailable 0 · not a district on that date 4 · failed 0 of 6 cells',
    )
    expect(screen.getByTestId('job-warning').textContent).toBe(warning)
  })

  it('offers to retry the failed cells of a finished job', async () => {
    const retried: string[] = []
    const finished = makeJob({
      status: 'partial_success',
      completedAt: '2026-11-29T10:01:00.000Z',
      progress: { total: 4, completed: 2, failed: 2 },
    })
    const api = fakeApi({
      getBackfill: async (id) => (id === 'bf_test_1' ? finished : makeJob({ backfillId: id })),
      retryBackfill: async (id) => {
        retried.push(id)
        return makeJob({ backfillId: 'bf_retry' })
      },
    })
    renderWithProviders(<JobCard info={{ backfillId: 'bf_test_1', type: 'global' }} />, api)
    fireEvent.click(await screen.findByRole('button', { name: 'Retry failed cells (2)' }))
    await waitFor(() => expect(retried).toEqual(['bf_test_1']))
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull()
    expect(screen.getByRole('status').textContent).toMatch(/^Ended Partial success/)
  })

  it('polls a district job on the district-scoped route', async () => {
    const calls: [string, string | undefined][] = []
    const api = fakeApi({
      getBackfill: async (id, districtId) => {
        calls.push([id, districtId])
        return makeJob({ backfillId: id, type: 'district', districtId: '61', status: 'complete' })
      },
    })
    renderWithProviders(
      <JobCard info={{ backfillId: 'bf_d', type: 'district', districtId: '61' }} />,
      api,
    )
    await waitFor(() =>
      expect(document.querySelector('[data-job-id="bf_d"]')?.getAttribute('data-status')).toBe(
        'complete',
      ),
    )
    expect(calls[0]).toEqual(['bf_d', '61'])
  })
})
