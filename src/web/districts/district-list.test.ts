import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/api-error.ts'
import {
  EMPTY_LIST_MESSAGE,
  MAX_CONFIGURED_DISTRICTS,
  addDistrictToText,
  districtsInText,
  safeParseDistrictList,
  removeDistrictFromText,
  saveProblemOf,
} from './district-list.ts'

describe('safeParseDistrictList', () => {
  it('splits on commas and spaces, upper-cases and keeps the first of each id', () => {
    expect(safeParseDistrictList(' 61, 21  f,,61\n02 F ')).toEqual({ ids: ['61', '21', 'F', '02'] })
  })

  it('explains that an empty list cannot be saved and how to clear instead', () => {
    for (const text of ['', '   ', ' , ,']) {
      const parsed = safeParseDistrictList(text)
      expect(parsed).toEqual({ error: EMPTY_LIST_MESSAGE })
    }
    expect(EMPTY_LIST_MESSAGE).toMatch(/every district in each date’s summary/)
    expect(EMPTY_LIST_MESSAGE).toMatch(/one by one/)
  })

  it('names every token that is not a district id', () => {
    const parsed = safeParseDistrictList('61, ../x, 12345, 21')
    expect(parsed).toHaveProperty('error')
    const error = 'error' in parsed ? parsed.error : ''
    expect(error).toContain('“../x”')
    expect(error).toContain('“12345”')
    expect(error).not.toContain('“61”')
  })

  it('refuses more ids than the server accepts in one list', () => {
    const ids = Array.from({ length: MAX_CONFIGURED_DISTRICTS + 1 }, (_, i) => `D${i}`)
    expect(safeParseDistrictList(ids.join(' '))).toHaveProperty('error')
    expect(safeParseDistrictList(ids.slice(1).join(' '))).toEqual({ ids: ids.slice(1) })
  })

  const idChar = fc.constantFrom(...'ABCDEFXYZ0123456789abfz'.split(''))
  const anyId = fc.string({ unit: idChar, minLength: 1, maxLength: 4 })
  const separator = fc.constantFrom(',', ' ', ', ', ' ,', '\t', ',,')

  test.prop([fc.array(fc.tuple(anyId, separator), { minLength: 1, maxLength: 30 })])(
    'returns the distinct upper-cased ids in order, however they are separated',
    (parts) => {
      const text = parts.map(([id, sep]) => `${id}${sep}`).join('')
      const expected = [...new Set(parts.map(([id]) => id.toUpperCase()))]
      expect(safeParseDistrictList(text)).toEqual({ ids: expected })
    },
  )

  test.prop([fc.string()])('either returns valid unique ids or an error', (text) => {
    const parsed = safeParseDistrictList(text)
    if ('ids' in parsed) {
      expect(parsed.ids.length).toBeGreaterThan(0)
      expect(new Set(parsed.ids).size).toBe(parsed.ids.length)
      for (const id of parsed.ids) expect(id).toMatch(/^[A-Z0-9]{1,4}$/)
    } else {
      expect(parsed.error.length).toBeGreaterThan(0)
    }
  })
})

describe('addDistrictToText', () => {
  it('appends an id the text does not name yet', () => {
    expect(addDistrictToText('61, 21', '02')).toBe('61, 21, 02')
    expect(addDistrictToText('', 'F')).toBe('F')
    expect(addDistrictToText('  ', 'F')).toBe('F')
  })

  it('leaves the text as typed when the id is already there, in any case', () => {
    expect(addDistrictToText('61 f', 'F')).toBe('61 f')
  })
})

describe('removeDistrictFromText', () => {
  it('drops every mention of the id and keeps the rest, even invalid entries', () => {
    expect(removeDistrictFromText('61, 21, ../x, 21', '21')).toBe('61, ../x')
    expect(removeDistrictFromText('f 61', 'F')).toBe('61')
  })

  it('leaves the text untouched when the id is not in it', () => {
    expect(removeDistrictFromText('61 ,  02', '21')).toBe('61 ,  02')
  })
})

describe('districtsInText', () => {
  it('lists the upper-cased ids named, ignoring whether the rest is valid', () => {
    expect([...districtsInText('61, f ../x')]).toEqual(['61', 'F', '../X'])
  })
})

describe('saveProblemOf', () => {
  it('puts a 400 under the field, with the server message that names the field', () => {
    const error = new ApiError(400, 'VALIDATION_ERROR', 'body.districts.0: must be 1-4 letters')
    expect(saveProblemOf(error)).toEqual({
      field: 'The server refused the list: body.districts.0: must be 1-4 letters',
      banner: null,
    })
  })

  it('shows 401 and 403 as a banner that points at the admin token', () => {
    const unauthorized = saveProblemOf(new ApiError(401, 'UNAUTHORIZED', 'token needed'))
    expect(unauthorized.field).toBeNull()
    expect(unauthorized.banner).toMatch(/401.*Admin token/)
    expect(saveProblemOf(new ApiError(403, 'FORBIDDEN', 'bad token')).banner).toMatch(/403/)
  })

  it('has nothing to show without an error', () => {
    expect(saveProblemOf(null)).toEqual({ field: null, banner: null })
  })
})
