import { describe, expect, it } from 'vitest'
import { csvLine, footerLine, formatPercent, parseTokenDate, toTokenDate } from './format.ts'

describe('formatPercent', () => {
  it('prints at most two decimals and drops trailing zeros', () => {
    expect(formatPercent(-829, 10_000)).toBe('-8.29%')
    expect(formatPercent(0, 150)).toBe('0%')
    expect(formatPercent(27, 150)).toBe('18%')
    expect(formatPercent(57, 160)).toBe('35.63%')
    expect(formatPercent(1, 8)).toBe('12.5%')
  })

  it('never prints a negative zero', () => {
    expect(formatPercent(-1, 1_000_000)).toBe('0%')
  })
})

describe('token dates', () => {
  it('accepts padded and unpadded M/D/YYYY and rejects impossible dates', () => {
    expect(parseTokenDate('9/3/2026')).toBe('2026-09-03')
    expect(parseTokenDate('09/03/2026')).toBe('2026-09-03')
    expect(parseTokenDate('2/30/2026')).toBeNull()
    expect(parseTokenDate('2026-09-03')).toBeNull()
  })

  it('writes the unpadded form the dashboard uses', () => {
    expect(toTokenDate('2026-09-03')).toBe('9/3/2026')
  })
})

describe('csv lines', () => {
  it('quotes every cell, doubles inner quotes and ends with CRLF', () => {
    expect(csvLine(['61', 'Say "Hi" Club', ''])).toBe('"61","Say ""Hi"" Club",""\r\n')
  })

  it('writes the footer unquoted with a three-letter month and a padded date', () => {
    expect(footerLine('2026-06', '2026-06-09')).toBe('Month of Jun, As of 06/09/2026\r\n')
    expect(footerLine('2026-09', '2026-10-05')).toBe('Month of Sep, As of 10/05/2026\r\n')
  })
})
