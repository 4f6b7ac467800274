/**
 * The trend endpoints over real HTTP, read from stored files: a district's series (its files,
 * or its all-districts row where it has no file) and one measure across districts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AllDistrictsSeries, DistrictSeries } from '../../src/shared/api-schemas.ts'
import type { DistrictStatistics } from '../../src/shared/district-statistics.ts'
import type { AllDistrictsFile, DistrictFile } from '../../src/shared/snapshot-types.ts'
import type { Json } from '../helpers/jobs.ts'
import type { Stack } from '../helpers/stack.ts'
import { runJob, startBackfillStack } from './backfill-harness.ts'

let stack: Stack
const FULL = ['2026-06-29', '2026-06-30', '2026-07-01']
const SUMMARY = ['2026-07-02', '2026-07-03']

beforeAll(async () => {
  stack = await startBackfillStack()
}, 30_000)
afterAll(() => stack?.close())

const num = (cell: string | undefined) => (cell ? Number(cell.replace(/,/g, '')) : null)

describe('GET /api/districts/:districtId/series', () => {
  it('answers an empty series before anything is stored', async () => {
    const res = await stack.api<DistrictSeries>('GET', '/api/districts/61/series')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      districtId: '61',
      from: null,
      to: null,
      points: [],
      latestFull: null,
    })
  })

  it('follows the stored dates and matches each stored file', async () => {
    await runJob(stack, {
      startDate: FULL[0]!,
      endDate: FULL.at(-1)!,
      targetDistricts: ['61'],
      collectionType: 'per-district',
    })
    await runJob(stack, {
      startDate: SUMMARY[0]!,
      endDate: SUMMARY.at(-1)!,
      targetDistricts: ['61'],
      collectionType: 'system-wide',
    })

    const res = await stack.api<DistrictSeries>('GET', '/api/districts/61/series')
    expect(res.status).toBe(200)
    expect(res.body.from).toBe(FULL[0])
    expect(res.body.to).toBe(SUMMARY.at(-1))
    expect(res.body.points.map((p) => p.asOf)).toEqual([...FULL, ...SUMMARY])
    expect(res.body.latestFull).toBe(FULL.at(-1))
    for (const point of res.body.points) {
      const file = (
        await stack.api<DistrictFile<DistrictStatistics>>(
          'GET',
          `/api/snapshots/${point.asOf}/districts/61`,
        )
      ).body
      expect(point.detail).toBe(file.detail)
      expect(point.programYear).toBe(file.programYear)
      expect(point.dataMonth).toBe(file.dataMonth)
      expect(point.paidClubs).toBe(file.statistics.summary?.clubs.paid)
      expect(point.paymentsYtd).toBe(file.statistics.summary?.payments.totalYtd)
      expect(point.distinguished.total).toBe(file.statistics.summary?.distinguished.total)
      expect(point.activeMembers).toBe(file.statistics.totals?.membership.active ?? null)
      expect(point.sourceAsOf).toBe(point.asOf)
    }
    expect(res.body.points[0]!.activeMembers).toBeGreaterThan(0)
    expect(res.body.points.map((p) => p.detail)).toEqual([
      'full',
      'full',
      'full',
      'summary',
      'summary',
    ])

    const ranged = await stack.api<DistrictSeries>(
      'GET',
      `/api/districts/61/series?from=${FULL[1]}&to=${SUMMARY[0]}`,
    )
    expect(ranged.body.points.map((p) => p.asOf)).toEqual([FULL[1], FULL[2], SUMMARY[0]])
  })

  it('gives a district with no file of its own its row of the all-districts files', async () => {
    const res = await stack.api<DistrictSeries>('GET', '/api/districts/02/series')
    expect(res.status).toBe(200)
    expect(res.body.points.map((p) => p.asOf)).toEqual([...FULL, ...SUMMARY])
    expect(res.body.latestFull).toBeNull()
    // Early July is June's closing period: the summary rows say so, as the metadata does.
    expect(res.body.points.some((p) => p.closingPeriod)).toBe(true)
    for (const point of res.body.points) {
      const all = (
        await stack.api<AllDistrictsFile>('GET', `/api/snapshots/${point.asOf}/all-districts`)
      ).body
      const row = all.rows.find((r) => r.DISTRICT === '02')!
      expect(point.detail).toBe('summary-row')
      const metadata = (await stack.api<Json>('GET', `/api/snapshots/${point.asOf}`)).body.metadata
      expect(point.closingPeriod).toBe(metadata.closingPeriod)
      expect(point.paidClubs).toBe(num(row['Paid Clubs']))
      expect(point.paymentsYtd).toBe(num(row['Total YTD Payments']))
      expect(point.fetchedAt).toBe(all.source.fetchedAt)
    }
  })

  it.each([
    ['?from=2026-02-30', 'querystring.from', /real calendar date/],
    ['?from=2026-07-03&to=2026-07-01', 'querystring.to', /not be before from/],
    ['?from=2025-01-01&to=2026-07-01', 'querystring.to', /at most 400 days/],
    ['?since=2026-07-01', 'since', /./],
  ])('rejects %s naming the field', async (query, field, rule) => {
    const res = await stack.api<Json>('GET', `/api/districts/61/series${query}`)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION_ERROR')
    expect(res.body.error.message).toContain(field)
    expect(res.body.error.message).toMatch(rule)
  })

  it('rejects a bad district id naming the rule', async () => {
    const res = await stack.api<Json>('GET', '/api/districts/..%2Fx/series')
    expect(res.status).toBe(400)
    expect(res.body.error.message).toMatch(/districtId.*1-4 letters or digits/)
  })
})

describe('GET /api/all-districts/series', () => {
  it('ranks the top districts by the measure on the newest date, from the summary files', async () => {
    const res = await stack.api<AllDistrictsSeries>(
      'GET',
      '/api/all-districts/series?measure=paymentsYtd&top=3',
    )
    expect(res.status).toBe(200)
    expect(res.body.dates.map((d) => d.asOf)).toEqual([...FULL, ...SUMMARY])
    const newest = (
      await stack.api<AllDistrictsFile>('GET', `/api/snapshots/${SUMMARY.at(-1)}/all-districts`)
    ).body
    const expected = newest.rows
      .map((r) => ({ id: r.DISTRICT!, v: num(r['Total YTD Payments']) ?? -1 }))
      .sort((a, b) => b.v - a.v || a.id.localeCompare(b.id))
      .slice(0, 3)
    expect(res.body.districtIds).toEqual(expected.map((e) => e.id))
    expect(res.body.dates.at(-1)!.values).toEqual(
      Object.fromEntries(expected.map((e) => [e.id, e.v])),
    )
  })

  it('follows the districts asked for', async () => {
    const res = await stack.api<AllDistrictsSeries>(
      'GET',
      '/api/all-districts/series?measure=paidClubs&districts=61,02',
    )
    expect(res.status).toBe(200)
    expect([...res.body.districtIds].sort()).toEqual(['02', '61'])
    const series61 = (await stack.api<DistrictSeries>('GET', '/api/districts/61/series')).body
    for (const d of res.body.dates) {
      expect(d.values['61']).toBe(series61.points.find((p) => p.asOf === d.asOf)!.paidClubs)
    }
  })

  it.each([
    ['?measure=members', 'querystring.measure'],
    ['?top=0', 'querystring.top'],
    ['?top=ten', 'querystring.top'],
    ['?districts=61,..', 'querystring.districts'],
  ])('rejects %s naming the field', async (query, field) => {
    const res = await stack.api<Json>('GET', `/api/all-districts/series${query}`)
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain(field)
  })
})

describe('the OpenAPI document', () => {
  it('declares both series routes with their response shapes', async () => {
    const { paths } = (await stack.api<Json>('GET', '/api/openapi.json')).body
    const shape = (route: string) =>
      paths[route].get.responses['200'].content['application/json'].schema
    expect(Object.keys(shape('/api/districts/{districtId}/series').properties)).toEqual([
      'districtId',
      'from',
      'to',
      'points',
      'latestFull',
    ])
    expect(Object.keys(shape('/api/all-districts/series').properties)).toEqual([
      'measure',
      'from',
      'to',
      'districtIds',
      'dates',
    ])
  })
})
