import { describe, expect, it } from 'vitest'
import { classifyBody, looksLikeHtml, parseRetryAfter } from './classify-body.ts'
import type { UpstreamAnswer } from './classify-body.ts'
import { UpstreamError } from './errors.ts'
import {
  SUMMARY_HEADER_2025_26,
  SUMMARY_ROWS_2025_26,
  exportBody,
  footerLine,
} from './testing/export-bodies.ts'

const NOW = Date.UTC(2026, 4, 10)

function answer(text: string, extra: Partial<UpstreamAnswer> = {}): UpstreamAnswer {
  const base = { url: 'http://dash.test/export.aspx', status: 200, statusText: 'OK' }
  return { ...base, contentType: null, location: null, retryAfter: null, text, ...extra }
}

const summary = (footer: string | null, rows = SUMMARY_ROWS_2025_26) =>
  exportBody(SUMMARY_HEADER_2025_26, rows, footer)

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return error instanceof UpstreamError ? error.code : 'foreign error'
  }
  return undefined
}

describe('classifyBody', () => {
  const root = {
    report: 'districtsummary',
    path: 'root',
    asOf: '2026-05-06',
    acceptedMonths: ['2026-04', '2026-05'],
  } as const

  it('accepts either candidate month on the root and resolves its year', () => {
    const verdict = classifyBody(answer(summary(footerLine('2026-05', '2026-05-06'))), root, NOW)
    expect(verdict).toMatchObject({ kind: 'data', dataMonth: '2026-05', asOf: '2026-05-06' })
  })

  it('calls a header + footer body without rows empty', () => {
    const verdict = classifyBody(
      answer(summary(footerLine('2026-04', '2026-05-06'), [])),
      root,
      NOW,
    )
    expect(verdict).toMatchObject({ kind: 'empty', footer: { dataMonth: '2026-04' } })
  })

  it('refuses a root month outside the candidates', () => {
    const text = summary(footerLine('2026-02', '2026-05-06'))
    expect(codeOf(() => classifyBody(answer(text), root, NOW))).toBe('UPSTREAM_WRONG_MONTH')
  })

  it('reads a December footer fetched in January as the previous year (latest)', () => {
    const latest = { ...root, asOf: null, acceptedMonths: [] }
    const verdict = classifyBody(answer(summary(footerLine(12, '2026-01-04'))), latest, NOW)
    expect(verdict).toMatchObject({ kind: 'data', dataMonth: '2025-12' })
  })

  it('refuses an empty 200 body and a lone footer', () => {
    expect(codeOf(() => classifyBody(answer(''), root, NOW))).toBe('UPSTREAM_PARSE')
    const lone = footerLine('2026-04', '2026-05-06') + '\r\n'
    expect(codeOf(() => classifyBody(answer(lone), root, NOW))).toBe('UPSTREAM_BAD_HEADER')
  })

  it('refuses a footer-less archive body cut exactly at a row end without line break', () => {
    const archive = { ...root, path: 'archive', acceptedMonths: ['2026-04'] } as const
    const text = summary(null).replace(/\r\n$/, '')
    expect(codeOf(() => classifyBody(answer(text), archive, NOW))).toBe('UPSTREAM_PARSE')
  })
})

describe('looksLikeHtml', () => {
  it('spots HTML by its first character or markers, not CSV', () => {
    expect(looksLikeHtml('\uFEFF  <html>', null)).toBe(true)
    expect(looksLikeHtml('Error\n<!DOCTYPE html>', null)).toBe(true)
    expect(looksLikeHtml('"REGION","DISTRICT"', 'text/html')).toBe(false)
    expect(looksLikeHtml('Server busy', 'text/html; charset=utf-8')).toBe(true)
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP-dates, never negative', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000)
    expect(parseRetryAfter(new Date(NOW + 5_000).toUTCString(), NOW)).toBe(5_000)
    expect(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW)).toBe(0)
    expect(parseRetryAfter('soon', NOW)).toBeNull()
    expect(parseRetryAfter(null, NOW)).toBeNull()
  })
})
