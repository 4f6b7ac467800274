import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import { addDays, eachDate } from '../../shared/iso-date.ts'
import type { DetailLevel } from '../../shared/snapshot-types.ts'
import { planBackfill } from './plan-backfill.ts'
import { resolveScope } from './scope-manager.ts'
import { makeRequest, makeStrategy, storedAs } from './test-fixtures.ts'

const districtId = fc.integer({ min: 1, max: 40 }).map((n) => String(n).padStart(2, '0'))
const detail = fc.constantFrom<DetailLevel | null>(null, 'summary', 'full')

test.prop(
  [
    fc.uniqueArray(districtId, { minLength: 1, maxLength: 8 }),
    fc.option(fc.uniqueArray(districtId, { minLength: 1, maxLength: 8 }), { nil: null }),
    fc.integer({ min: 0, max: 6 }),
    fc.integer({ min: -1, max: 8 }),
    fc.constantFrom('system-wide', 'per-district', 'auto' as const),
    fc.boolean(),
    fc.func(detail),
  ],
  { numRuns: 200 },
)(
  'Feature: unified-backfill-service, Property 7: Configuration Scope Enforcement',
  (configured, targets, spanDays, publishedOffset, collectionType, skipExisting, stored) => {
    const startDate = '2026-02-01'
    const request = makeRequest({
      startDate,
      endDate: addDays(startDate, spanDays),
      targetDistricts: targets,
      skipExisting,
    })
    const result = resolveScope({ request, configuredDistricts: configured, kind: 'global' })
    const excludedIds = result.scope.excluded.map((e) => e.districtId)
    // Every target outside the configuration is reported, with its reason.
    for (const t of targets ?? []) {
      expect(configured.includes(t) || excludedIds.includes(t)).toBe(true)
    }
    for (const e of result.scope.excluded) {
      expect(e.reason).toBe('not-configured')
      expect(configured).not.toContain(e.districtId)
    }
    if (!result.ok) {
      expect(targets?.every((t) => !configured.includes(t))).toBe(true)
      return
    }
    const scope = result.scope
    const plan = planBackfill({
      request,
      scope,
      strategy: makeStrategy(collectionType, scope),
      existing: storedAs((d, id) => stored(d, id)),
      latestPublishedAsOf: addDays(startDate, publishedOffset),
    })
    const dates = eachDate(request.startDate, request.endDate)
    expect(plan.dates).toEqual(dates)
    // No cell of the plan lies outside the configured scope, or among the excluded.
    for (const cell of plan.cells) {
      expect(configured).toContain(cell.districtId)
      expect(excludedIds).not.toContain(cell.districtId)
    }
    expect(plan.cells).toHaveLength(dates.length * scope.targetDistricts.length)
    const { total, fetch, skip, unavailable } = plan.counts
    expect(fetch + skip + unavailable).toBe(total)
    expect(total).toBe(plan.cells.length)
  },
)

test.prop(
  [
    fc.uniqueArray(districtId, { minLength: 1, maxLength: 8 }),
    fc.integer({ min: 0, max: 5 }),
    fc.constantFrom('system-wide', 'per-district' as const),
    fc.func(detail),
  ],
  { numRuns: 150 },
)(
  'plans a skip exactly where the stored detail satisfies the strategy, and prices the rest',
  (districts, spanDays, collectionType, stored) => {
    const request = makeRequest({
      startDate: '2026-02-01',
      endDate: addDays('2026-02-01', spanDays),
    })
    const scope = resolveScope({
      request: { targetDistricts: districts },
      configuredDistricts: [],
      kind: 'global',
    }).scope
    const strategy = makeStrategy(collectionType, scope)
    const plan = planBackfill({
      request,
      scope,
      strategy,
      existing: storedAs((d, id) => stored(d, id)),
      latestPublishedAsOf: null,
    })
    for (const cell of plan.cells) {
      const s = stored(cell.date, cell.districtId)
      const enough = s === 'full' || (s === 'summary' && strategy.detail === 'summary')
      expect(cell.action).toBe(enough ? 'skip' : 'fetch')
    }
    const fetched = plan.cells.filter((c) => c.action === 'fetch')
    const datesWithFetch = new Set(fetched.map((c) => c.date)).size
    const perDistrict = collectionType === 'per-district' ? 3 * fetched.length : 0
    expect(plan.requests).toEqual({
      summary: datesWithFetch,
      perDistrict,
      total: datesWithFetch + perDistrict,
      exact: true,
    })
  },
)
