import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError } from '../api/api-error.ts'
import { fakeApi, renderWithProviders } from '../test-render.tsx'
import { ConfiguredDistrictsEditor } from './ConfiguredDistrictsEditor.tsx'

afterEach(cleanup)

const notStored = async () => {
  throw new ApiError(404, 'NOT_FOUND', 'no summary stored yet')
}

async function openEditor(
  configured: string[],
  replaceDistricts: (ids: readonly string[]) => void,
) {
  const api = fakeApi({
    configuredDistricts: async () => ({
      configured,
      mode: 'configured',
      newestSummary: null,
      districts: configured.map((districtId) => ({
        districtId,
        inNewestSummary: null,
        hint: null,
      })),
    }),
    availableDistricts: notStored,
    replaceDistricts: async (ids) => {
      replaceDistricts(ids)
      throw new ApiError(401, 'UNAUTHORIZED', 'admin token required')
    },
  })
  renderWithProviders(<ConfiguredDistrictsEditor />, api)
  fireEvent.click(await screen.findByRole('button', { name: 'Edit' }))
  return screen.getByLabelText('District ids')
}

describe('ConfiguredDistrictsEditor', () => {
  it('flags a configured district the newest summary does not list, with the hint', async () => {
    const api = fakeApi({
      configuredDistricts: async () => ({
        configured: ['21', '61'],
        mode: 'configured',
        newestSummary: { asOf: '2026-11-28', programYear: '2026-2027' },
        districts: [
          { districtId: '21', inNewestSummary: true, hint: null },
          {
            districtId: '61',
            inNewestSummary: false,
            hint: '61 is not in the 2026-2027 summary (as of 2026-11-28)',
          },
        ],
      }),
      availableDistricts: notStored,
    })
    renderWithProviders(<ConfiguredDistrictsEditor />, api)
    expect((await screen.findByTestId('not-in-summary')).textContent).toBe(
      '61 is not in the 2026-2027 summary (as of 2026-11-28)',
    )
    const flagged = document.querySelectorAll('[data-not-in-summary="true"]')
    expect([...flagged].map((a) => a.getAttribute('title'))).toEqual([
      '61 is not in the 2026-2027 summary (as of 2026-11-28)',
    ])
  })

  it('explains what an empty list means and sends nothing', async () => {
    const sent: (readonly string[])[] = []
    const field = await openEditor(['61'], (ids) => sent.push(ids))
    expect((field as HTMLInputElement).value).toBe('61')
    fireEvent.change(field, { target: { value: ' ' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    expect(document.getElementById('configured-districts-error')?.textContent).toMatch(
      /every district in each date’s summary/,
    )
    expect(field.getAttribute('aria-invalid')).toBe('true')
    expect(sent).toEqual([])
  })

  it('sends the parsed ids and shows a 401 as a banner about the admin token', async () => {
    const sent: (readonly string[])[] = []
    const field = await openEditor([], (ids) => sent.push(ids))
    fireEvent.change(field, { target: { value: '61, 21 f 61' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/401.*Admin token/))
    expect(sent).toEqual([['61', '21', 'F']])
    expect(screen.getByLabelText('District ids').getAttribute('aria-invalid')).toBe('false')
  })
})
