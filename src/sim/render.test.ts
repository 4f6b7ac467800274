import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { FOOTER_RE, createTestModel, parseCsvBody } from './test-support.ts'

const FIXTURES = new URL('../../test/fixtures/real-exports/', import.meta.url)
const firstLine = (file: string): string =>
  readFileSync(new URL(file, FIXTURES), 'utf8').split('\r\n')[0] ?? ''

const QUOTED_LINE_RE = /^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/

/** Structural checks shared by real and generated bodies, so the checker itself is tested. */
function expectDashboardFormat(body: string): void {
  expect(body.charCodeAt(0)).not.toBe(0xfeff)
  expect(body.endsWith('\r\n')).toBe(true)
  expect(body.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/)
  const lines = body.split('\r\n').slice(0, -1)
  const footer = lines.pop() ?? ''
  expect(footer).toMatch(FOOTER_RE)
  const width = (lines[0] ?? '').split('","').length
  for (const line of lines) {
    expect(line).toMatch(QUOTED_LINE_RE)
    expect(parseCsvBody(`${line}\r\n`).header).toHaveLength(width)
  }
}

describe('rendered bodies match the real exports byte format', () => {
  it('real fixtures pass the structural checks (the checker is sound)', () => {
    for (const file of [
      'clubperformance-21-2023-2024-final.csv',
      'clubperformance-21-2026-09-22.csv',
    ])
      expectDashboardFormat(readFileSync(new URL(file, FIXTURES), 'utf8'))
  })

  it('uses the real 23-column 2023-24 club header for a 2023-24 archive date', () => {
    const { truth } = createTestModel({ today: '2024-09-10', programYears: ['2023-2024'] })
    const body = truth.renderReport('clubperformance', '21', '2024-03-15') ?? ''
    expect(body.split('\r\n')[0]).toBe(firstLine('clubperformance-21-2023-2024-final.csv'))
    expect(parseCsvBody(body).header).toHaveLength(23)
    expectDashboardFormat(body)
  })

  it('uses the real 2026-27 club header (Level 2s or EOM) for a 2026-27 date', () => {
    const { truth } = createTestModel({ today: '2026-09-23' })
    const body = truth.renderReport('clubperformance', '21', '2026-09-22') ?? ''
    expect(body.split('\r\n')[0]).toBe(firstLine('clubperformance-21-2026-09-22.csv'))
    expect(body.endsWith('Month of Sep, As of 09/22/2026\r\n')).toBe(true)
    expectDashboardFormat(body)
  })

  it('prints the summary header of each program-year shape', () => {
    const { truth } = createTestModel({
      today: '2026-09-23',
      programYears: ['2024-2025', '2025-2026'],
    })
    const widths = ['2025-01-15', '2026-01-15', '2026-09-01'].map((asOf) => {
      const body = truth.renderReport('districtsummary', null, asOf) ?? ''
      expectDashboardFormat(body)
      return parseCsvBody(body).header
    })
    expect(widths.map((h) => h.length)).toEqual([21, 25, 24])
    expect(widths[1]).toContain('Region Advisor Visit')
    expect(widths[2]).not.toContain('Region Advisor Visit')
    expect(widths[0]).not.toContain('Smedley Distinguished Clubs')
  })

  it('prints the 33-column division report and the 14-column district report', () => {
    const { truth } = createTestModel({ today: '2026-09-23' })
    const division = parseCsvBody(
      truth.renderReport('divisionperformance', '61', '2026-09-10') ?? '',
    )
    const district = parseCsvBody(
      truth.renderReport('districtperformance', '61', '2026-09-10') ?? '',
    )
    expect(division.header).toHaveLength(33)
    expect(division.header).toContain('May Visit award')
    expect(district.header).toHaveLength(14)
  })

  it('keeps UTF-8 accented names and stray spaces in text cells somewhere in the data', () => {
    const { truth } = createTestModel({ today: '2026-09-23' })
    const names = truth
      .districtsFor('2026-2027')
      .flatMap((d) => (truth.clubs(d, '2026-09-22') ?? []).map((c) => c.clubName))
    expect(names.some((n) => /[éèüöçãó]/.test(n))).toBe(true)
    expect(names.some((n) => n !== n.trim() || n.includes('  '))).toBe(true)
  })
})
