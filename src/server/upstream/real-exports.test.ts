/** The two real club-performance exports (test/fixtures/real-exports): lossless and typed. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseCsvBody } from './csv-body.ts'
import { parseClubPerformance } from './reports/parse-report.ts'
import type { ClubPerformanceRow } from './reports/club-performance.ts'

function fixture(name: string): string {
  const url = new URL(`../../../test/fixtures/real-exports/${name}`, import.meta.url)
  return readFileSync(url, 'utf8')
}

const CLOSED = 'clubperformance-21-2023-2024-final.csv'
const OPEN = 'clubperformance-21-2026-09-22.csv'

/** Independent re-serialisation: quote every cell, comma-join, CRLF, then the footer. */
function rebuild(header: string[], rows: string[][], footer: string): string {
  const quote = (cell: string) => `"${cell.replaceAll('"', '""')}"`
  return [header, ...rows].map((r) => r.map(quote).join(',') + '\r\n').join('') + footer + '\r\n'
}

function byNumber(rows: ClubPerformanceRow[], clubNumber: string): ClubPerformanceRow {
  const row = rows.find((r) => r.clubNumber === clubNumber)
  if (!row) throw new Error(`club ${clubNumber} not found`)
  return row
}

describe('real club-performance exports', () => {
  it.each([
    [CLOSED, 109, 'Month of Jun, As of 09/22/2026'],
    [OPEN, 184, 'Month of Sep, As of 09/22/2026'],
  ])('%s rebuilds byte for byte from its cells and footer', (name, clubs, footerText) => {
    const text = fixture(name)
    const body = parseCsvBody(text)
    expect(body.rows).toHaveLength(clubs)
    expect(body.footer?.line).toBe(footerText)
    expect(rebuild(body.header, body.rows, body.footer?.line ?? '')).toBe(text)
    expect(Buffer.byteLength(text)).toBe(name === CLOSED ? 14_785 : 26_347)
  })

  it('parses the 2023-24 archive header (23 columns, Level 5s wording, no CSP)', () => {
    const parsed = parseClubPerformance(fixture(CLOSED))
    expect(parsed.header).toHaveLength(23)
    expect(parsed.footer).toMatchObject({ monthNumber: 6, asOf: '2026-09-22' })
    const first = byNumber(parsed.rows, '00000038')
    expect(first).toMatchObject({
      district: '21',
      division: 'A',
      area: '01',
      clubName: 'First Canadian Toastmasters Club',
      clubStatus: 'Active',
      csp: null,
      netGrowth: null,
      membershipBase: 16,
      activeMembers: 20,
      goalsMet: 9,
      level1s: 5,
      level4s: 1,
      addLevel4s: 5,
      officerListOnTime: 1,
      distinguishedStatus: 'P',
      extra: {},
      invalidCells: [],
    })
    expect(byNumber(parsed.rows, '28675789')).toMatchObject({
      clubStatus: 'Suspended',
      activeMembers: 0,
      distinguishedStatus: null,
    })
    expect(byNumber(parsed.rows, '01454214').clubName).toBe("Let's Talk Business")
  })

  it('parses the 2026-27 header (CSP, Net Growth, Level 2s or EOM)', () => {
    const parsed = parseClubPerformance(fixture(OPEN))
    expect(parsed.header).toHaveLength(25)
    expect(parsed.rows).toHaveLength(184)
    expect(byNumber(parsed.rows, '28679928')).toMatchObject({
      division: '0D',
      area: '0A',
      csp: false,
      membershipBase: 27,
      activeMembers: 27,
      netGrowth: 0,
      officerListOnTime: 1,
      distinguishedStatus: null,
    })
    expect(byNumber(parsed.rows, '00000396')).toMatchObject({
      clubName: 'Thunderbird Toastmasters Club',
      csp: true,
      netGrowth: 2,
      goalsMet: 5,
      level1s: 3,
      level2s: 2,
      addLevel2s: 0,
      level3s: 2,
      officersTrainedRound1: 7,
      duesOnTimeOct: 1,
    })
    // Stray spaces are data: never trimmed.
    expect(byNumber(parsed.rows, '00004560').clubName).toBe('Achievers  Toastmasters Club')
    expect(parsed.rows.every((r) => Object.keys(r.extra).length === 0)).toBe(true)
    expect(parsed.rows.every((r) => r.invalidCells.length === 0)).toBe(true)
  })

  it('keeps every cell of every row in `cells`', () => {
    const text = fixture(OPEN)
    const parsed = parseClubPerformance(text)
    expect(parsed.rows.map((r) => r.cells)).toEqual(parseCsvBody(text).rows)
    expect(parsed.rows[0]?.cells[3]).toBe('28679928')
  })

  it('reads the same rows from an LF copy with a BOM', () => {
    const text = fixture(CLOSED)
    const variant = '\uFEFF' + text.replaceAll('\r\n', '\n')
    const body = parseCsvBody(variant)
    expect(body.hasBom).toBe(true)
    expect(body.lineBreak).toBe('\n')
    expect(body.rows).toEqual(parseCsvBody(text).rows)
    expect(body.header[0]).toBe('District')
  })
})
