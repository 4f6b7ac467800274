import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { eachDate } from '../../shared/iso-date.ts'
import type { CoverageQuery, CoverageReport } from '../api/types.ts'
import { useBackfillContext } from '../backfill/BackfillContext.tsx'
import { saveRegistry, type BackfillInfo } from '../backfill/backfill-registry.ts'
import { memoryStorage } from '../test-support.ts'
import { fakeApi, renderWithProviders } from '../test-render.tsx'
import { CoverageView } from './CoverageView.tsx'

afterEach(cleanup)

const STORED = ['2026-11-20', '2026-11-21', '2026-11-22']

/** A page with a job of its own in the registry, and a way to see it end. */
function setup(jobs: BackfillInfo[]) {
  const asked: CoverageQuery[] = []
  const api = fakeApi({
    snapshotDates: async () => ({ current: null, snapshots: STORED.map((asOf) => ({ asOf })) }),
    coverage: async (q): Promise<CoverageReport> => {
      asked.push(q)
      return {
        from: q.from,
        to: q.to,
        districtIds: [],
        dates: eachDate(q.from, q.to).map((asOf) => ({ asOf, snapshot: null, districts: {} })),
      }
    },
  })
  const storage = memoryStorage()
  saveRegistry(jobs, storage)
  function End({ id }: { id: string }) {
    const { updateBackfill } = useBackfillContext()
    return (
      <button type="button" onClick={() => updateBackfill(id, { status: 'complete' })}>
        end {id}
      </button>
    )
  }
  renderWithProviders(
    <>
      {jobs.map((j) => (
        <End key={j.backfillId} id={j.backfillId} />
      ))}
      <CoverageView />
    </>,
    api,
    storage,
  )
  const range = () => [
    screen.getByLabelText<HTMLInputElement>('From').value,
    screen.getByLabelText<HTMLInputElement>('To').value,
  ]
  return { asked, range }
}

const RUNNING: BackfillInfo = {
  backfillId: 'bf_run',
  type: 'global',
  status: 'processing',
  startDate: '2026-10-01',
  endDate: '2026-10-05',
}

describe('CoverageView and the job just run', () => {
  it('opens on the stored dates, then moves to the range of a job of this page once it ends', async () => {
    const { asked, range } = setup([RUNNING])
    await waitFor(() => expect(range()).toEqual(['2026-11-20', '2026-11-22']))
    fireEvent.click(screen.getByRole('button', { name: 'end bf_run' }))
    await waitFor(() => expect(range()).toEqual(['2026-10-01', '2026-10-05']))
    await waitFor(() =>
      expect(asked.at(-1)).toMatchObject({ from: '2026-10-01', to: '2026-10-05' }),
    )
  })

  it('stays on a range the user chose by hand', async () => {
    const { asked, range } = setup([RUNNING])
    await waitFor(() => expect(range()).toEqual(['2026-11-20', '2026-11-22']))
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-01' } })
    fireEvent.click(screen.getByRole('button', { name: 'Show' }))
    await waitFor(() => expect(asked.at(-1)).toMatchObject({ from: '2026-11-01' }))
    fireEvent.click(screen.getByRole('button', { name: 'end bf_run' }))
    // fireEvent runs in act(): the registry update and every effect it causes have run.
    expect(range()).toEqual(['2026-11-01', '2026-11-22'])
    expect(asked.some((q) => q.from === '2026-10-01')).toBe(false)
  })

  it('does not move for a job that had already ended when the page saw it', async () => {
    const { range } = setup([{ ...RUNNING, status: 'cancelled' }])
    await waitFor(() => expect(range()).toEqual(['2026-11-20', '2026-11-22']))
    fireEvent.click(screen.getByRole('button', { name: 'end bf_run' }))
    expect(range()).toEqual(['2026-11-20', '2026-11-22'])
  })
})
