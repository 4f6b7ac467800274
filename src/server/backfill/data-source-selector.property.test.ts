import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import {
  AUTO_PER_DISTRICT_MAX,
  OPEN_SCOPE_ASSUMED_DISTRICTS,
  selectCollectionStrategy,
} from './data-source-selector.ts'

test.prop(
  [
    fc.constantFrom('system-wide', 'per-district', 'auto' as const),
    fc.integer({ min: 1, max: 200 }),
    fc.boolean(),
  ],
  { numRuns: 200 },
)(
  'Feature: unified-backfill-service, Property 3: Collection Strategy Selection',
  (collectionType, scopeSize, openScope) => {
    const s = selectCollectionStrategy({ collectionType, scopeSize, openScope })
    const n = openScope ? OPEN_SCOPE_ASSUMED_DISTRICTS : scopeSize
    const expectedType =
      collectionType !== 'auto'
        ? collectionType
        : !openScope && scopeSize <= AUTO_PER_DISTRICT_MAX
          ? 'per-district'
          : 'system-wide'
    expect(s.type).toBe(expectedType)
    // The detail follows the strategy: summary rows only, or the three reports as well.
    expect(s.detail).toBe(expectedType === 'system-wide' ? 'summary' : 'full')
    const perDate = expectedType === 'system-wide' ? 1 : 1 + 3 * n
    expect(s.estimatedEfficiency).toBeCloseTo(perDate / n, 10)
    const method =
      expectedType === 'system-wide'
        ? 'getAllDistricts'
        : n === 1 && !openScope
          ? 'getDistrictPerformance'
          : 'getMultipleDistricts'
    expect(s.refreshMethod.name).toBe(method)
    expect(s.rationale).toContain(String(n))
    // Under auto, system-wide is never costlier per district-date than per-district.
    if (collectionType === 'auto' && s.type === 'system-wide') {
      expect(s.estimatedEfficiency).toBeLessThanOrEqual((1 + 3 * n) / n)
    }
  },
)
