import { describe, expect, it } from 'vitest'
import { OPEN_SCOPE_ASSUMED_DISTRICTS, selectCollectionStrategy } from './data-source-selector.ts'

describe('selectCollectionStrategy', () => {
  it('collects a small targeted scope per district under auto, and says why', () => {
    const s = selectCollectionStrategy({ collectionType: 'auto', scopeSize: 3, openScope: false })
    expect(s).toMatchObject({
      type: 'per-district',
      detail: 'full',
      refreshMethod: { name: 'getMultipleDistricts' },
    })
    expect(s.estimatedEfficiency).toBeCloseTo(10 / 3)
    expect(s.rationale).toBe(
      'auto: 3 district(s) in scope (at most 5), so full detail is affordable; 1 summary + 3 reports x 3 district(s) = 10 requests per date (3.333 per district-date) give full files',
    )
  })

  it('collects a wide scope system-wide under auto', () => {
    const s = selectCollectionStrategy({ collectionType: 'auto', scopeSize: 40, openScope: false })
    expect(s).toMatchObject({
      type: 'system-wide',
      detail: 'summary',
      refreshMethod: { name: 'getAllDistricts' },
      estimatedEfficiency: 1 / 40,
    })
    expect(s.rationale).toContain('40 districts in scope (more than 5)')
    expect(s.rationale).toContain('(0.025 per district-date)')
  })

  it('collects an open scope system-wide, stating its assumption', () => {
    const s = selectCollectionStrategy({ collectionType: 'auto', scopeSize: 0, openScope: true })
    expect(s.type).toBe('system-wide')
    expect(s.estimatedEfficiency).toBe(1 / OPEN_SCOPE_ASSUMED_DISTRICTS)
    expect(s.rationale).toContain(`assuming about ${OPEN_SCOPE_ASSUMED_DISTRICTS} districts`)
  })

  it('uses getDistrictPerformance for one district', () => {
    const s = selectCollectionStrategy({ collectionType: 'auto', scopeSize: 1, openScope: false })
    expect(s.refreshMethod.name).toBe('getDistrictPerformance')
    expect(s.estimatedEfficiency).toBe(4)
  })

  it('honours an explicit choice whatever the size', () => {
    const wide = selectCollectionStrategy({
      collectionType: 'per-district',
      scopeSize: 100,
      openScope: false,
    })
    expect(wide.type).toBe('per-district')
    expect(wide.rationale).toMatch(/^per-district was requested; /)
    const one = selectCollectionStrategy({
      collectionType: 'system-wide',
      scopeSize: 1,
      openScope: false,
    })
    expect(one).toMatchObject({ type: 'system-wide', estimatedEfficiency: 1 })
  })

  it('copies the targets when given', () => {
    const s = selectCollectionStrategy({
      collectionType: 'auto',
      scopeSize: 2,
      openScope: false,
      targetDistricts: ['02', '61'],
    })
    expect(s.targetDistricts).toEqual(['02', '61'])
  })

  it('refuses an empty closed scope: a programming error', () => {
    expect(() =>
      selectCollectionStrategy({ collectionType: 'auto', scopeSize: 0, openScope: false }),
    ).toThrow(RangeError)
  })
})
