import { describe, expect, it } from 'vitest'
import { normalizeDistrictId, parseDistrictId } from './district-id.ts'

describe('normalizeDistrictId', () => {
  it.each([
    ['61', '61'],
    [' f ', 'F'],
    ['02', '02'],
    ['u1', 'U1'],
  ])('normalizes %j to %j', (raw, id) => {
    expect(normalizeDistrictId(raw)).toBe(id)
  })

  // Each of these upper-cases to an ASCII id: the raw text must be refused, not stored as SS, FI1…
  it.each(['ß', 'ﬁ1', 'ﬀ', 'ŉ', 'ı', '6１', '', '12345', '../x', 'a b'])('refuses %j', (raw) => {
    expect(normalizeDistrictId(raw)).toBeNull()
    expect(() => parseDistrictId(raw, 'targetDistricts[0]')).toThrow(/targetDistricts\[0\]/)
  })
})
