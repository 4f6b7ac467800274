import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { compareDistrictIds, normalizeDistrictId, parseDistrictId } from './district-id.ts'

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

describe('compareDistrictIds', () => {
  it('lists numbers numerically, then letter ids, each tie by its text', () => {
    const ids = ['F', '106', '9', '02', '2', 'U', '61', 'U1', '1A', '010', '10']
    expect([...ids].sort(compareDistrictIds)).toEqual([
      '02',
      '2',
      '9',
      '010',
      '10',
      '61',
      '106',
      '1A',
      'F',
      'U',
      'U1',
    ])
  })

  const id = fc.stringMatching(/^[A-Z0-9]{1,4}$/)
  // Equal ids as often as different ones: the antisymmetry and the 0 are checked on both.
  const pair = fc.oneof(
    fc.tuple(id, id),
    id.map((a) => [a, a] as [string, string]),
  )
  test.prop([pair], { numRuns: 300 })(
    "is the collator's order for any two ids (antisymmetric, 0 only for equal ids)",
    ([a, b]) => {
      const ab = Math.sign(compareDistrictIds(a, b))
      // A sum, not a negation: -0 and 0 are not the same to toBe.
      expect(ab + Math.sign(compareDistrictIds(b, a))).toBe(0)
      expect(ab === 0).toBe(a === b)
      const numeric = (s: string) => /^\d+$/.test(s)
      if (numeric(a) && numeric(b) && Number(a) !== Number(b))
        expect(ab).toBe(Math.sign(Number(a) - Number(b)))
      else if (numeric(a) !== numeric(b)) expect(ab).toBe(numeric(a) ? -1 : 1)
      else expect(ab).toBe(Math.sign(a.localeCompare(b)))
    },
  )
})
