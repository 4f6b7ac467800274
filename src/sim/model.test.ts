import { describe, expect, it } from 'vitest'
import { eachDate } from '../shared/iso-date.ts'
import type { ReportKind } from '../shared/snapshot-types.ts'
import { computeDistrictSnapshot } from './district-snapshot.ts'
import { DEFAULT_DISTRICTS } from './model.ts'
import type { RenderTarget } from './model.ts'
import { renderReportCsv } from './render.ts'
import { createRosterSource } from './roster.ts'
import { createTestModel } from './test-support.ts'

const SEED = 7
const REPORTS: ReportKind[] = ['clubperformance', 'divisionperformance', 'districtperformance']

describe('the snapshot cache', () => {
  const { model, truth } = createTestModel({ today: '2026-09-23', seed: SEED })
  // The same pipeline without the model's caches: rosters, snapshots and bodies made afresh.
  const rosters = createRosterSource(SEED, {}, DEFAULT_DISTRICTS)
  const targetFor = (report: ReportKind, districtId: string | null, asOf: string) => {
    const month = truth.dataMonthFor(asOf)!
    return { report, districtId, ...month, dataAsOf: asOf, footerAsOf: asOf } as RenderTarget
  }
  const uncached = (t: RenderTarget, shiftDays = 0): string => {
    const ids = t.districtId === null ? truth.districtsFor(t.programYear) : [t.districtId]
    const snapshots = ids.map((id) =>
      computeDistrictSnapshot(rosters.roster(id, t.programYear), t.dataAsOf!, shiftDays),
    )
    return renderReportCsv(t.report, t.programYear, snapshots, t.dataMonth, t.footerAsOf)
  }

  it('serves the bodies it would compute afresh, byte for byte', () => {
    // The summary computes every district's snapshot; the three reports then reuse theirs.
    for (const asOf of ['2026-03-15']) {
      for (const shiftDays of [0, 1]) {
        const summary = targetFor('districtsummary', null, asOf)
        expect(model.render(summary, shiftDays)).toBe(uncached(summary, shiftDays))
        for (const districtId of ['61', 'F']) {
          for (const report of REPORTS) {
            const target = targetFor(report, districtId, asOf)
            expect(model.render(target, shiftDays)).toBe(uncached(target, shiftDays))
          }
        }
      }
    }
  })

  it('computes a snapshot once, hands it out frozen, and recomputes it equal once evicted', () => {
    const snapshotOn = (asOf: string, shiftDays = 0) =>
      model.snapshot('61', '2025-2026', asOf, shiftDays)!
    const first = snapshotOn('2026-02-11')
    expect(snapshotOn('2026-02-11')).toBe(first)
    expect(snapshotOn('2026-02-11', 1)).not.toBe(first)
    expect(Object.isFrozen(first) && Object.isFrozen(first.clubs)).toBe(true)
    expect(first).toEqual(computeDistrictSnapshot(rosters.roster('61', '2025-2026'), '2026-02-11'))
    // 130 other as-ofs push it out of the cache (128 entries).
    for (const asOf of eachDate('2025-08-01', '2025-12-08')) snapshotOn(asOf)
    const again = snapshotOn('2026-02-11')
    expect(again).not.toBe(first)
    expect(again).toEqual(first)
  })

  it('shares rosters only between models of the same seed, club counts and district set', () => {
    const on = (options: Parameters<typeof createTestModel>[0], districtId: string) =>
      createTestModel({ today: '2026-09-23', seed: SEED, ...options }).model.snapshot(
        districtId,
        '2026-2027',
        '2026-09-22',
      )
    const fresh =
      (counts: Record<string, number>, successions: typeof DEFAULT_DISTRICTS) =>
      (districtId: string) =>
        computeDistrictSnapshot(
          createRosterSource(SEED, counts, successions).roster(districtId, '2026-2027'),
          '2026-09-22',
        )
    expect(on({}, '61')).toEqual(fresh({}, DEFAULT_DISTRICTS)('61'))
    expect(on({ clubCounts: { '61': 40 } }, '61')).toEqual(
      fresh({ '61': 40 }, DEFAULT_DISTRICTS)('61'),
    )
    expect(on({ clubCounts: { '61': 40 } }, '61')).not.toEqual(on({}, '61'))
    // A district of the realignment takes over clubs by default, and has its own when listed.
    expect(on({ districts: ['201'] }, '201')).toEqual(fresh({}, [])('201'))
    expect(on({ districts: ['201'] }, '201')).not.toEqual(on({}, '201'))
    expect(on({ seed: SEED + 1 }, '61')).not.toEqual(on({}, '61'))
  })
})
