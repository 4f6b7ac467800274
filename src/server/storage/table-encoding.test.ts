import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StorageCorruptError } from './errors.ts'
import { decodeTables, encodeTables } from './table-encoding.ts'

/** Encode, write as JSON, read back, decode: what a district file goes through. */
const roundTrip = (value: unknown) =>
  decodeTables(JSON.parse(JSON.stringify(encodeTables(value))), 'test file')

/** Same value and the same key order (JSON.stringify compares both). */
function expectSame(value: unknown): void {
  const back = roundTrip(value)
  expect(back).toEqual(value)
  expect(JSON.stringify(back)).toBe(JSON.stringify(value))
}

const club = (n: number, extra: Record<string, unknown> = {}) => ({
  clubNumber: String(1000 + n),
  clubName: `Club ${n}`,
  awards: { level1s: n, level2s: null },
  payments: n % 2 === 0 ? null : { new: n, late: 0 },
  extra: { club: {}, division: { 'Odd Column': `v${n}` } },
  ...extra,
})

describe('table encoding', () => {
  it('writes the keys of an array of like objects once and gives every value back', () => {
    const clubs = Array.from({ length: 50 }, (_, i) => club(i))
    const text = JSON.stringify(encodeTables({ clubs }))
    expect(text.split('"clubName"').length - 1).toBe(1)
    expect(text.split('"level1s"').length - 1).toBe(1)
    expect(text.length).toBeLessThan(JSON.stringify({ clubs }).length / 2)
    expectSame({ clubs })
  })

  it('keeps elements whose keys differ, a nested value that is not an object of the same keys, and nested tables', () => {
    const value = {
      rows: [
        club(1),
        club(2, { payments: { other: 1 } }),
        club(3, { awards: [1, 2] }),
        { clubNumber: 'x', clubName: 'only two keys' },
        club(4, { extra: 'text' }),
        { clubName: 'Club 5', clubNumber: '1005', awards: null, payments: null, extra: null },
      ],
      divisions: [
        {
          division: 'A',
          areas: [
            { area: 'A1', n: 1 },
            { area: 'A2', n: 2 },
          ],
        },
        { division: 'B', areas: [{ area: 'B1', n: 3 }] },
        { division: 'C', areas: [] },
      ],
      lists: [[1, 2], [], [{ a: 1 }, { a: 2 }]],
      one: [{ single: true }],
    }
    expectSame(value)
  })

  it('keeps objects that use the marker keys and keys such as __proto__ as plain data', () => {
    const tricky = JSON.parse(
      '{"$t":["a"],"r":[[1]],"x":[{"$v":1,"__proto__":{"p":1}},{"$v":2,"__proto__":null}],' +
        '"y":{"$o":{"$t":1}},"__proto__":{"z":[{"$o":1},{"$o":2}]}}',
    ) as unknown
    expectSame(tricky)
    const back = roundTrip(tricky) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.hasOwn(back, '__proto__')).toBe(true)
  })

  it('gives back any JSON value it was given (property)', () => {
    const keys = fc.constantFrom('a', 'b', 'c', '$t', '$o', '$v', 'r', '__proto__')
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, true, false, 0, -1.5, '', 'x'),
        fc.array(tie('value'), { maxLength: 4 }),
        tie('object'),
        fc.array(tie('object'), { minLength: 2, maxLength: 5 }),
      ),
      object: fc.dictionary(keys, tie('value'), { maxKeys: 4 }),
    }))
    fc.assert(
      fc.property(json.value, (value) => {
        const clean = JSON.parse(JSON.stringify(value)) as unknown
        const back = roundTrip(clean)
        expect(back).toEqual(clean)
        expect(JSON.stringify(back)).toBe(JSON.stringify(clean))
      }),
      { numRuns: 300 },
    )
  })

  it('rejects a damaged table as corrupt, naming the file and where', () => {
    const encoded = encodeTables({ clubs: [club(1), club(3)] }) as {
      clubs: { $t: unknown[]; r: unknown[][] }
    }
    const shortRow = structuredClone(encoded)
    shortRow.clubs.r[1]!.pop()
    expect(() => decodeTables(shortRow, 'district_61.json')).toThrow(StorageCorruptError)
    expect(() => decodeTables(shortRow, 'district_61.json')).toThrow(
      /district_61\.json.*statistics\.clubs\[1\]: a table row has 4 values for 5 keys/,
    )
    const badRow = structuredClone(encoded)
    badRow.clubs.r[0] = 'row' as never
    expect(() => decodeTables(badRow, 'f')).toThrow(/statistics\.clubs\[0\]: a table row must be/)
    expect(() => decodeTables({ $t: 'keys', r: [] }, 'f')).toThrow(/keys must be an array/)
    expect(() => decodeTables({ $t: [], r: [], more: 1 }, 'f')).toThrow(/a table must be/)
    expect(() => decodeTables({ $v: 1 }, 'f')).toThrow(/outside a table row/)
    expect(() => decodeTables({ $o: 1 }, 'f')).toThrow(/must hold one object/)
  })
})
