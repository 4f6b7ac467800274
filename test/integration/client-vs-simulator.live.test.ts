/**
 * Which program year is live and what its latest as-of is, as the client learns it from the
 * simulator's root footer (docs/upstream.md#urls-and-path-styles, docs/upstream.md#client-recipe step 3), including when the simulated day moves
 * and during the July dark window (docs/upstream.md#urls-and-path-styles).
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { IsoDate } from '../../src/shared/iso-date.ts'
import { buildExportUrl, buildReportToken, parseCsvBody } from '../../src/server/upstream/index.ts'
import { expectDataMatchesTruth, loggedPaths, useRig } from './harness.ts'

const rig = useRig()

afterEach(() => {
  rig().sim.setToday(null)
  rig().sim.clearLog()
})

function truthStatus(): { programYear: string; latestAsOf: IsoDate; dataMonth: string | null } {
  const { truth } = rig().sim
  return {
    programYear: truth.liveProgramYear(),
    latestAsOf: truth.latestAsOf(),
    dataMonth: truth.dataMonthFor(truth.latestAsOf())?.dataMonth ?? null,
  }
}

describe('client vs simulator: live status', () => {
  it('learns the live program year and latest as-of from the root footer', async () => {
    const status = await rig().client.getLiveStatus()
    expect(status).toEqual(truthStatus())
    expect(status).toEqual({
      programYear: '2026-2027',
      latestAsOf: '2026-11-28',
      dataMonth: '2026-11',
    })
    expect(loggedPaths(rig().sim)).toEqual(['/export.aspx'])
  })

  it('fetches "latest" reports equal to the simulator body of the latest as-of', async () => {
    const { truth } = rig().sim
    const latest = await rig().client.fetchLatest({
      report: 'divisionperformance',
      districtId: '21',
    })
    expectDataMatchesTruth(rig(), latest, truth.latestAsOf())
  })

  it('shows the new latest as-of to a new client after the simulated day moves', async () => {
    rig().sim.setToday('2027-01-15')
    const status = await rig().newClient().getLiveStatus()
    expect(status).toEqual(truthStatus())
    expect(status.latestAsOf).toBe('2027-01-14')
    expect(status.programYear).toBe('2026-2027')
    const summary = await rig().newClient().fetchReport({
      report: 'districtsummary',
      asOf: '2027-01-14',
    })
    expectDataMatchesTruth(rig(), summary, '2027-01-14')
  })

  it('keeps the old program year live through the July dark window', async () => {
    rig().sim.setToday('2026-07-10')
    const client = rig().newClient()
    expect(await client.getLiveStatus()).toEqual({
      ...truthStatus(),
      programYear: '2025-2026',
      dataMonth: '2026-06',
    })
    // June's closing days are still served by the root, which has not flipped yet.
    const june = await client.fetchReport({
      report: 'clubperformance',
      districtId: '61',
      asOf: '2026-07-05',
    })
    expectDataMatchesTruth(rig(), june, '2026-07-05')
    expect(june.kind === 'data' && new URL(june.url).pathname).toBe('/export.aspx')
    // A day after the latest as-of is not published by either year.
    const later = await client.fetchReport({
      report: 'clubperformance',
      districtId: '61',
      asOf: '2026-07-12',
    })
    expect(later.kind).toBe('unavailable')
    // July belongs to 2026-2027, which is not live yet: only June was asked for, on the root.
    expect(later.kind === 'unavailable' && later.urls.map((u) => new URL(u).pathname)).toEqual([
      '/export.aspx',
    ])
    expect(later.kind === 'unavailable' && later.reason).toContain('not published yet')
    expect(rig().sim.truth.dataMonthFor('2026-07-12')).toBeNull()
  })

  it('answers a root request for the not-yet-live July with header and echoing footer only', async () => {
    rig().sim.setToday('2026-07-10')
    const token = buildReportToken({
      report: 'clubperformance',
      districtId: '61',
      monthEnd: '2026-07-31',
      asOf: '2026-07-05',
      programYear: '2026-2027',
    })
    const url = buildExportUrl({ baseUrl: rig().sim.url, archiveProgramYear: null, token })
    const response = await fetch(url)
    expect(response.status).toBe(200)
    const body = parseCsvBody(await response.text())
    expect(body.rows).toEqual([])
    expect(body.header).toContain('Club Number')
    expect(body.footer?.line).toBe('Month of Jul, As of 07/05/2026')
  })

  it('during the dark window answers /{oldPY}/ with 500 and the unpublished /{newPY}/ with 302', async () => {
    rig().sim.setToday('2026-07-10')
    const statusOf = async (programYear: string, monthEnd: IsoDate) => {
      const token = buildReportToken({
        report: 'districtsummary',
        monthEnd,
        asOf: '2026-07-05',
        programYear,
      })
      const url = buildExportUrl({ baseUrl: rig().sim.url, archiveProgramYear: programYear, token })
      const response = await fetch(url, { redirect: 'manual' })
      await response.body?.cancel()
      return [response.status, response.headers.get('location')]
    }
    // Still-live 2025-2026 must be fetched from the root (docs/upstream.md#what-each-request-shape-returns), the new year is not there yet (docs/upstream.md#empty-and-non-csv-answers).
    expect(await statusOf('2025-2026', '2026-06-30')).toEqual([500, null])
    expect(await statusOf('2026-2027', '2026-07-31')).toEqual([
      302,
      '/error.aspx?aspxerrorpath=/2026-2027/export.aspx',
    ])
  })
})
