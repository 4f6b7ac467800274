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
    expect(screen.getByText('Performance')).toBeTruthy()
    // Cancel asks first: "Keep running" leaves the job alone, "Yes, cancel" cancels it.
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    fireEvent.click(screen.getByRole('button', { name: 'Keep running' }))
    expect(cancelled).toEqual([])
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    fireEvent.click(screen.getByRole('button', { name: 'Yes, cancel' }))
    await waitFor(() => expect(cancelled).toEqual(['bf_test_1']))
  })

  it('shows a failed job’s errors with codes, says the dashboard was unreachable, and freezes nothing', async () => {
    const failed = makeJob({
      status: 'error',
      completedAt: '2026-11-29T10:01:00.000Z',
      retryOf: 'bf_first_1',
      error: 'the dashboard is unreachable and its circuit is open',
      progress: {
        total: 30,
        completed: 5,
        failed: 1,
        districtProgress: {
          '61': {
            districtId: '61',
            status: 'processing',
            datesProcessed: 5,
            datesTotal: 30,
            successfulDates: [],
            failedDates: ['2026-11-21'],
            retryCount: 0,
            lastError: '2026-11-21: CIRCUIT_OPEN: upstream 127.0.0.1 unreachable',
          },
        },
      },
      errorSummary: {
        totalErrors: 1,
        retryableErrors: 0,
        permanentErrors: 1,
        affectedDistricts: [],
        partialSnapshots: 0,
      },
    })
    renderWithProviders(
      <JobCard info={{ backfillId: 'bf_test_1', type: 'global' }} />,
      fakeApi({ getBackfill: async () => failed }),
    )
    const errors = await screen.findByTestId('job-errors')
    expect(errors.textContent).toBe(
      'District 61 on 2026-11-21: CIRCUIT_OPEN upstream 127.0.0.1 unreachable',
    )
    expect(screen.getByTestId('unreachable').textContent).toMatch(/dashboard could not be reached/)
    expect(screen.getByTestId('retry-of').textContent).toBe(
      'Retries the unfinished cells of bf_first_1',
    )
    expect(screen.getByRole('status').textContent).not.toMatch(/in the summary/)
    const row = document.querySelector('tr[data-district="61"]')
    expect(row?.getAttribute('data-status')).toBe('not finished')
    expect(row?.textContent).not.toMatch(/processing/)
    expect(screen.queryByText('Performance')).toBeNull()
    expect(screen.getByRole('button', { name: 'Finish remaining cells (25)' })).toBeTruthy()
  })

  it('shows the event log once opened, page by page', async () => {
    const asked: { offset: number; limit: number }[] = []
    const api = fakeApi({
      getBackfill: async () => makeJob({ status: 'complete' }),
      jobEvents: async (backfillId, page) => {
        asked.push(page)
        const events = Array.from({ length: 60 }, (_, i) => ({
          type: i === 0 ? 'job:queued' : 'cell:failed',
          at: '2026-11-29T10:00:00.000Z',
          districtId: '61',
          date: '2026-11-21',
          error: { code: 'UPSTREAM_HTTP', message: 'Upstream answered 500' },
        }))
        return {
          backfillId,
          total: events.length,
          offset: page.offset,
          events: events.slice(page.offset, page.offset + page.limit),
        }
      },
    })
    renderWithProviders(<JobCard info={{ backfillId: 'bf_test_1', type: 'global' }} />, api)
    const summary = await screen.findByText('Event log')
    expect(asked).toEqual([])
    const details = summary.closest('details')!
    details.open = true
    fireEvent(details, new Event('toggle'))
    const list = await screen.findByRole('list', { name: 'Events of bf_test_1' })
    expect(list.querySelectorAll('li').length).toBe(50)
    expect(list.querySelectorAll('li')[1]?.textContent).toMatch(
      /cell:failed district 61 on 2026-11-21 · UPSTREAM_HTTP: Upstream answered 500/,
    )
    expect(screen.getByText('1–50 of 60')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Later ›' }))
    await screen.findByText('51–60 of 60')
    expect(asked).toEqual([
      { offset: 0, limit: 50 },
      { offset: 50, limit: 50 },
    ])
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

  it('titles a card by the job’s own kind, not by how it was opened', async () => {
    const api = fakeApi({
      getBackfill: async () => makeJob({ type: 'district', districtId: '61', status: 'complete' }),
    })
    renderWithProviders(<JobCard info={{ backfillId: 'bf_test_1', type: 'global' }} />, api)
    await screen.findByText('District 61 backfill', { exact: false })
  })
})
