import { describe, expect, it } from 'vitest'
import type { CoverageReport, DistrictFileView } from '../api/types.ts'
import {
  checkCoverageRange,
  coverageCellClass,
  coverageCellKind,
  coverageCellLabel,
  coverageCounts,
  defaultCoverageRange,
  jobCoverageRange,
  openingCoverageRange,
  summarizeDistrictFile,
} from './coverage-view.ts'

describe('coverage cells', () => {
  it('colors by detail when stored and by status otherwise', () => {
    expect(coverageCellClass({ status: 'ok', detail: 'full' })).toBe('cov cov--full')
    expect(coverageCellClass({ status: 'ok', detail: 'summary' })).toBe('cov cov--summary')
    expect(coverageCellClass({ status: 'failed', detail: null })).toBe('cov cov--failed')
    expect(coverageCellClass({ status: 'missing', detail: null })).toBe('cov cov--missing')
    expect(coverageCellKind(undefined)).toBe('missing')
  })

  it('labels a cell for screen readers', () => {
    expect(coverageCellLabel('2026-11-20', '61', { status: 'ok', detail: 'full' })).toBe(
      'District 61 on 2026-11-20: full detail',
    )
  })

  it('counts cells per kind over the report districts', () => {
    const report: CoverageReport = {
      from: '2026-11-20',
      to: '2026-11-21',
      districtIds: ['02', '61', '201'],
      dates: [
        {
          asOf: '2026-11-20',
          snapshot: 'partial',
          districts: {
            '02': { status: 'ok', detail: 'full' },
            '61': { status: 'failed', detail: null },
            '201': { status: 'not-a-district', detail: null },
          },
        },
        {
          asOf: '2026-11-21',
          snapshot: null,
          districts: { '02': { status: 'ok', detail: 'summary' } },
        },
      ],
    }
    expect(coverageCounts(report)).toEqual({
      full: 1,
      summary: 1,
      failed: 1,
      'not-a-district': 1,
      missing: 2,
    })
    const cell = report.dates[0]?.districts['201']
    expect(coverageCellKind(cell)).toBe('not-a-district')
    expect(coverageCellLabel('2026-11-20', '201', cell)).toBe(
      'District 201 on 2026-11-20: not a district on that date',
    )
  })
})

describe('coverage range', () => {
  it('defaults to the two weeks before today', () => {
    expect(defaultCoverageRange('2026-03-01')).toEqual({ from: '2026-02-15', to: '2026-02-28' })
  })

  it('explains a reversed, malformed or too long range', () => {
    expect(checkCoverageRange('2026-11-01', '2026-11-30')).toBeNull()
    expect(checkCoverageRange('2026-11-05', '2026-11-01')).toMatch(/must not be before/)
    expect(checkCoverageRange('2026-02-30', '2026-03-01')).toMatch(/real dates/)
    expect(checkCoverageRange('2025-01-01', '2026-11-01')).toMatch(/at most 400 days/)
  })
})

const baseFile = {
  schemaVersion: 1,
  districtId: '61',
  asOf: '2026-11-20',
  dataMonth: '2026-11',
  programYear: '2026-2027',
  closingPeriod: false,
  provenance: {
    sources: [
      {
        report: 'districtsummary' as const,
        districtId: null,
        url: 'http://x/export.aspx?report=districtsummary',
        fetchedAt: '2026-11-29T10:00:00Z',
        httpStatus: 200,
        sizeBytes: 2903,
        sha256: 'ab',
        footer: null,
        rowCount: 19,
        fromCache: false,
      },
    ],
    jobId: 'bf_1',
    toolVersion: '0.1.0',
    writtenAt: '2026-11-29T10:00:00Z',
  },
  warnings: ['one', 'two'],
}

const summary = {
  region: '10',
  prerequisites: {},
  payments: {
    new: 144,
    april: 0,
    october: 906,
    late: 23,
    charter: 53,
    totalYtd: 1126,
    base: 2638,
    growth: null,
  },
  clubs: { paidBase: 57, paid: 52, growth: null, active: 60 },
  distinguished: {
    distinguished: 0,
    select: 0,
    presidents: 0,
    smedley: 0,
    total: 0,
    percent: null,
  },
  extra: {},
}

describe('opening range', () => {
  it('opens on the stored dates, the newest 60 at most, or the last fortnight when none', () => {
    expect(openingCoverageRange(['2026-07-04', '2026-06-26', '2026-07-01'], '2026-11-29')).toEqual({
      from: '2026-06-26',
      to: '2026-07-04',
    })
    expect(openingCoverageRange(['2025-01-01', '2026-07-04'], '2026-11-29')).toEqual({
      from: '2026-05-06',
      to: '2026-07-04',
    })
    expect(openingCoverageRange([], '2026-03-01')).toEqual(defaultCoverageRange('2026-03-01'))
  })
})

describe('summarizeDistrictFile', () => {
  it('summarizes a summary-level file from the all-districts row', () => {
    const file = {
      ...baseFile,
      detail: 'summary',
      statistics: {
        version: 1,
        districtId: '61',
        summary,
        headers: null,
        totals: null,
        divisions: null,
        clubs: null,
      },
    } as DistrictFileView
    const s = summarizeDistrictFile(file)
    expect(s).toMatchObject({
      asOf: '2026-11-20',
      dataMonth: '2026-11',
      closingPeriod: false,
      clubs: '60 active, 52 paid (base 57)',
      payments: '1126 year to date (new 144)',
      warnings: 2,
      jobId: 'bf_1',
    })
    expect(s.sources).toEqual([
      expect.objectContaining({ report: 'districtsummary', httpStatus: 200, rowCount: 19 }),
    ])
  })

  it('uses the club-level totals of a full file', () => {
    const totals = {
      clubCount: 61,
      clubsByStatus: {},
      membership: { base: 1500, active: 1460, netGrowth: -40 },
      payments: {
        new: 100,
        lateRenewals: 1,
        octRenewals: 2,
        aprRenewals: 3,
        totalRenewals: 900,
        charter: 5,
        totalToDate: 1005,
      },
      distinguishedByLevel: {},
      distinguishedTotal: 0,
      dcp: { goalsMet: 0, clubsByGoalsMet: [] },
      awards: {
        level1s: 0,
        level2s: 0,
        addLevel2s: 0,
        level3s: 0,
        level4s: 0,
        addLevel4s: 0,
        total: 0,
      },
      newMembers: 0,
      officersTrained: { round1: 0, round2: 0 },
      charters: 0,
      suspensions: 0,
    }
    const file = {
      ...baseFile,
      detail: 'full',
      statistics: {
        version: 1,
        districtId: '61',
        summary,
        headers: null,
        totals,
        divisions: [],
        clubs: [],
      },
    } as DistrictFileView
    expect(summarizeDistrictFile(file)).toMatchObject({
      clubs: '61 clubs',
      membership: '1460 active (base 1500, net -40)',
      payments: '1005 to date (new 100, renewals 900)',
    })
  })
})

describe('jobCoverageRange', () => {
  it("is the job's own range, its newest 400 days when longer, null when unknown", () => {
    expect(jobCoverageRange({ startDate: '2026-10-01', endDate: '2026-10-05' })).toEqual({
      from: '2026-10-01',
      to: '2026-10-05',
    })
    // Month-end over three program years: the newest 400 days of it.
    expect(jobCoverageRange({ startDate: '2023-07-01', endDate: '2026-06-30' })).toEqual({
      from: '2025-05-27',
      to: '2026-06-30',
    })
    expect(jobCoverageRange({})).toBeNull()
    expect(jobCoverageRange({ startDate: '2026-10-05', endDate: '2026-10-01' })).toBeNull()
  })
})
