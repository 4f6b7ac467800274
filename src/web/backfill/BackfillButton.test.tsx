import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { BackfillRequest, DryRunPlan, PlannedCellView } from '../../shared/backfill-api.ts'
import { ApiError } from '../api/api-error.ts'
import { makeJob } from '../test-support.ts'
import { fakeApi, renderWithProviders } from '../test-render.tsx'
import { BackfillButton } from './BackfillButton.tsx'

afterEach(cleanup)

function setDates(start: string, end: string) {
  fireEvent.change(screen.getByLabelText('Start date'), { target: { value: start } })
  fireEvent.change(screen.getByLabelText('End date'), { target: { value: end } })
}

describe('BackfillButton', () => {
  it('shows an end date before the start date at the endDate field without calling the server', async () => {
    const sent: BackfillRequest[] = []
    const api = fakeApi({
      initiateBackfill: async (r) => {
        sent.push(r)
        return makeJob()
      },
    })
    renderWithProviders(<BackfillButton />, api)
    setDates('2026-11-05', '2026-11-01')
    fireEvent.click(screen.getByRole('button', { name: 'Start backfill' }))
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining('endDate'),
    )
    expect(document.getElementById('endDate-error')?.textContent).toMatch(
      /endDate must not be before startDate/,
    )
    expect(screen.getByLabelText('End date').getAttribute('aria-invalid')).toBe('true')
    expect(sent).toEqual([])
  })

  it('shows the server validation error at the field it names', async () => {
    const api = fakeApi({
      initiateBackfill: async () => {
        throw new ApiError(400, 'VALIDATION_ERROR', 'startDate: too early', [
          { field: 'startDate', message: 'startDate must not be before 2008-07-01' },
        ])
      },
    })
    renderWithProviders(<BackfillButton />, api)
    setDates('2001-01-01', '2001-01-02')
    fireEvent.click(screen.getByRole('button', { name: 'Start backfill' }))
    await waitFor(() =>
      expect(document.getElementById('startDate-error')?.textContent).toBe(
        'startDate must not be before 2008-07-01',
      ),
    )
  })

  it('sends every advanced option and reports the started job', async () => {
    const sent: BackfillRequest[] = []
    const started: string[] = []
    const api = fakeApi({
      initiateBackfill: async (r) => {
        sent.push(r)
        return makeJob({ backfillId: 'bf_new' })
      },
    })
    renderWithProviders(<BackfillButton onBackfillStart={(id) => started.push(id)} />, api)
    setDates('2026-11-01', '2026-11-03')
    fireEvent.click(screen.getByRole('button', { name: /Advanced options/ }))
    fireEvent.change(screen.getByLabelText('Districts'), { target: { value: '61, 02' } })
    fireEvent.click(screen.getByLabelText(/^System-wide/))
    fireEvent.change(screen.getByLabelText('Concurrency'), { target: { value: '6' } })
    fireEvent.change(screen.getByLabelText('Request delay (ms)'), { target: { value: '150' } })
    fireEvent.click(screen.getByLabelText('Retry failures'))
    fireEvent.click(screen.getByLabelText(/^Everything again/))
    fireEvent.click(screen.getByLabelText('Use raw CSV cache'))
    fireEvent.click(screen.getByRole('button', { name: 'Start backfill' }))
    await waitFor(() => expect(started).toEqual(['bf_new']))
    expect(sent).toEqual([
      {
        startDate: '2026-11-01',
        endDate: '2026-11-03',
        cadence: 'daily',
        targetDistricts: ['61', '02'],
        collectionType: 'system-wide',
        concurrency: 6,
        retryFailures: false,
        reprocess: 'all',
        rateLimitDelayMs: 150,
        enableCaching: false,
      },
    ])
  })

  it('explains a 401 and points at the admin token field', async () => {
    const api = fakeApi({
      initiateBackfill: async () => {
        throw new ApiError(401, 'UNAUTHORIZED', 'this endpoint needs Authorization')
      },
    })
    renderWithProviders(<BackfillButton />, api)
    setDates('2026-11-01', '2026-11-01')
    fireEvent.click(screen.getByRole('button', { name: 'Start backfill' }))
    expect((await screen.findByRole('alert')).textContent).toMatch(/401.*Admin token/)
  })

  it('sends the reprocess choice, and a shown preview follows it with its counts', async () => {
    const previewed: BackfillRequest[] = []
    // A store with one cell stored and one recorded failure; the fake plans as the server does.
    const planFor = (r: BackfillRequest): DryRunPlan => {
      const failed: PlannedCellView = {
        date: '2026-11-01',
        districtId: '61',
        action: r.reprocess === 'missing' ? 'skip' : 'fetch',
        stored: null,
        why: 'recorded-failure',
      }
      const stored: PlannedCellView = {
        date: '2026-11-01',
        districtId: '02',
        action: r.reprocess === 'all' ? 'fetch' : 'skip',
        stored: 'full',
      }
      const cells = [stored, failed]
      const fetch = cells.filter((c) => c.action === 'fetch').length
      return {
        dryRun: true,
        request: makeJob().request,
        scope: makeJob().scope,
        collectionStrategy: makeJob().collectionStrategy,
        dates: 1,
        chosenDates: ['2026-11-01'],
        counts: { total: 2, fetch, skip: 2 - fetch, unavailable: 0, notADistrict: 0 },
        requests: { summary: 1, perDistrict: 3 * fetch, total: 1 + 3 * fetch, exact: true },
        cells,
        openDates: [],
      }
    }
    const api = fakeApi({
      previewBackfill: async (r) => {
        previewed.push(r)
        return planFor(r)
      },
    })
    renderWithProviders(<BackfillButton />, api)
    setDates('2026-11-01', '2026-11-01')
    const count = (name: string) =>
      screen.getByTestId('plan-preview').querySelector(`[data-count="${name}"]`)?.textContent
    expect(screen.getByLabelText<HTMLInputElement>(/^Missing and failed/).checked).toBe(true)
    fireEvent.click(screen.getByRole('button', { name: /Preview/ }))
    await waitFor(() => expect(count('fetch')).toBe('1'))
    expect(count('recorded-failure')).toBe('0 / 1')

    fireEvent.click(screen.getByLabelText(/^Missing only/))
    await waitFor(() => expect(count('fetch')).toBe('0'))
    expect([count('skip'), count('recorded-failure')]).toEqual(['2', '1 / 0'])

    fireEvent.click(screen.getByLabelText(/^Everything again/))
    await waitFor(() => expect(count('fetch')).toBe('2'))
    expect(count('skip')).toBe('0')
    expect(previewed.map((r) => r.reprocess)).toEqual(['missing-and-failed', 'missing', 'all'])
  })
})
