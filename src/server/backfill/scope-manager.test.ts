import { describe, expect, it } from 'vitest'
import { isDistrictInScope, resolveScope, toWireScope } from './scope-manager.ts'

const global = (targetDistricts: string[] | null, configuredDistricts: string[]) =>
  resolveScope({ request: { targetDistricts }, configuredDistricts, kind: 'global' })

describe('resolveScope', () => {
  it('targets every configured district when none is named', () => {
    expect(global(null, ['61', '02', 'F', '61'])).toEqual({
      ok: true,
      scope: {
        targetDistricts: ['02', '61', 'F'],
        configuredDistricts: ['02', '61', 'F'],
        scopeType: 'system-wide',
        validationPassed: true,
        excluded: [],
        openScope: false,
      },
    })
  })

  it("opens the scope to each date's summary when nothing is configured or targeted", () => {
    const result = global(null, [])
    expect(result.ok && result.scope).toMatchObject({
      targetDistricts: [],
      scopeType: 'system-wide',
      openScope: true,
    })
  })

  it('keeps configured targets and excludes the others with the reason', () => {
    const result = global(['61', '99', '02'], ['02', '61', '10'])
    expect(result).toEqual({
      ok: true,
      scope: {
        targetDistricts: ['02', '61'],
        configuredDistricts: ['02', '10', '61'],
        scopeType: 'targeted',
        validationPassed: true,
        excluded: [
          {
            districtId: '99',
            reason: 'not-configured',
            message: 'district 99 is not one of the configured districts',
          },
        ],
        openScope: false,
      },
    })
  })

  it('fails with SCOPE_EMPTY when no target is configured', () => {
    const result = global(['99', '100'], ['02', '61'])
    expect(result).toMatchObject({
      ok: false,
      code: 'SCOPE_EMPTY',
      message: 'no target district is left to backfill: excluded 99, 100 (configured: 02, 61)',
    })
    expect(result.scope.validationPassed).toBe(false)
    expect(result.scope.excluded.map((e) => e.reason)).toEqual(['not-configured', 'not-configured'])
  })

  it('accepts any well-formed target when nothing is configured', () => {
    const result = global(['99', '61'], [])
    expect(result.ok && result.scope.targetDistricts).toEqual(['61', '99'])
    expect(result.ok && result.scope.openScope).toBe(false)
  })

  it('excludes malformed ids that reach it unvalidated', () => {
    const result = global(['d-61', '61'], [])
    expect(result.scope.excluded).toEqual([
      {
        districtId: 'd-61',
        reason: 'malformed',
        message: 'district id "d-61" must be 1-4 letters or digits (e.g. 02, 61, F)',
      },
    ])
    expect(result.scope.targetDistricts).toEqual(['61'])
  })

  it('reports each excluded id once', () => {
    expect(global(['99', '99', '61'], ['61']).scope.excluded).toHaveLength(1)
  })

  it('scopes a district job to its district, ignoring the body targets', () => {
    const result = resolveScope({
      request: { targetDistricts: ['02'] },
      configuredDistricts: ['02', '61'],
      kind: 'district',
      districtId: '61',
    })
    expect(result.ok && result.scope).toMatchObject({
      targetDistricts: ['61'],
      scopeType: 'single-district',
    })
  })

  it('refuses a district job for a district outside the configuration', () => {
    const result = resolveScope({
      request: { targetDistricts: null },
      configuredDistricts: ['02'],
      kind: 'district',
      districtId: '61',
    })
    expect(result.ok).toBe(false)
    expect(result.scope.scopeType).toBe('single-district')
  })

  it('throws when a district job has no district: a programming error', () => {
    expect(() =>
      resolveScope({
        request: { targetDistricts: null },
        configuredDistricts: [],
        kind: 'district',
      }),
    ).toThrow(TypeError)
  })
})

describe('isDistrictInScope and toWireScope', () => {
  it('lets an open scope take any district and a closed one only its own', () => {
    const open = global(null, []).scope
    const closed = global(['61'], ['61']).scope
    expect(isDistrictInScope(open, '99')).toBe(true)
    expect(isDistrictInScope(closed, '61')).toBe(true)
    expect(isDistrictInScope(closed, '02')).toBe(false)
  })

  it('drops the domain-only openScope flag from the wire shape', () => {
    expect(toWireScope(global(null, []).scope)).not.toHaveProperty('openScope')
  })
})
