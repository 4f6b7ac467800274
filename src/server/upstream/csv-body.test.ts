/**
 * parseCsvBody splits well-formed bodies with d3-dsv and everything else with csv-parse: for any
 * body, its records are csv-parse's, and a body csv-parse refuses is refused (UPSTREAM_PARSE).
 */
import { fc, test } from '@fast-check/vitest'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../shared/error-codes.ts'
import { WELL_FORMED_CSV, parseCsvBody } from './csv-body.ts'

/** What csv-parse makes of `text` (as parseCsvBody asked it before the fast path), or 'refused'. */
function csvParse(text: string): string[][] | 'refused' {
  try {
    return parse(text, { relax_column_count: true }) as string[][]
  } catch {
    return 'refused'
  }
}

function ours(text: string): string[][] | 'refused' {
  try {
    const body = parseCsvBody(text)
    expect(body.footer).toBeNull()
    return body.header.length === 0 && body.rows.length === 0 ? [] : [body.header, ...body.rows]
  } catch (e) {
    expect((e as { code?: string }).code).toBe(ErrorCode.UPSTREAM_PARSE)
    return 'refused'
  }
}

const cell = fc.string({
  unit: fc.constantFrom('a', 'Z', '7', ' ', '"', ',', '\n', '\r', 'é', '–'),
})
/** A field as an export writes it: quoted (quotes doubled) when it must be or by chance, else bare. */
const written = fc
  .tuple(cell, fc.boolean())
  .map(([v, quote]) => (quote || /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v))
const wellFormed = fc
  .tuple(
    fc.array(fc.array(written, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(([rows, br, last]) => rows.map((r) => r.join(',')).join(br) + (last ? br : ''))

describe('parseCsvBody records', () => {
  test.prop([wellFormed], { numRuns: 300 })("are csv-parse's for a well-formed body", (text) => {
    expect(ours(text)).toEqual(csvParse(text))
  })

  test.prop([fc.string({ unit: fc.constantFrom('a', '"', ',', '\n', '\r', ' ') })], {
    numRuns: 500,
  })("are csv-parse's, or refused as it refuses, for any text", (text) => {
    expect(ours(text)).toEqual(csvParse(text))
  })
})

describe('parseCsvBody on a body the well-formedness check cannot finish', () => {
  // One quoted field of 9 MiB: the check's regular expression runs out of backtracking stack
  // (RangeError) somewhere between 4 and 8 MiB on Node 20. The body is still read, by csv-parse.
  it('falls back to csv-parse instead of throwing', () => {
    const long = 'x'.repeat(9 * 2 ** 20)
    const text = `Club,Note\r\n7,"${long}"\r\n`
    expect(() => WELL_FORMED_CSV.test(text)).toThrow(RangeError)
    const body = parseCsvBody(text)
    expect(body.header).toEqual(['Club', 'Note'])
    expect(body.rows).toHaveLength(1)
    expect(body.rows[0]?.[0]).toBe('7')
    expect(body.rows[0]?.[1]).toBe(long)
  })
})
