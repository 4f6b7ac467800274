/**
 * Decides what one upstream answer is (docs/upstream.md#accepting-a-body): data, "no data" (zero rows), or a typed
 * error. Pure: the HTTP exchange has already happened.
 */
import { ErrorCode } from '../../shared/error-codes.ts'
import { programYearBounds, programYearOf } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import type { ReportKind } from '../../shared/snapshot-types.ts'
import { parseCsvBody } from './csv-body.ts'
import { latestMonthNotAfter, monthNumberOfYearMonth } from './dashboard-date.ts'
import type { FooterLine } from './dashboard-date.ts'
import { UpstreamBodyError, UpstreamHttpError, UpstreamWrongAnswerError } from './errors.ts'
import { parseReportCsv } from './reports/parse-report.ts'
import type { ParsedReport } from './reports/parse-report.ts'
import type { PathKind } from './request-plan.ts'

/** One HTTP exchange as the client saw it. */
export interface UpstreamAnswer {
  url: string
  status: number
  statusText: string
  contentType: string | null
  location: string | null
  retryAfter: string | null
  /** Body decoded as UTF-8, a BOM (if any) kept. */
  text: string
}

/** The footer as recorded in provenance: month word, resolved data month, as-of. */
export interface ReportFooter {
  month: string
  dataMonth: YearMonth
  asOf: IsoDate
}

export interface BodyExpectation<R extends ReportKind = ReportKind> {
  report: R
  path: PathKind
  /** The requested as-of; null for "latest" (any footer as-of is accepted). */
  asOf: IsoDate | null
  /**
   * Data months the footer may name. Archive: the requested month only. Root: every candidate,
   * because the root serves the as-of's snapshot whatever the month-end slot says (docs/upstream.md#what-each-request-shape-returns).
   * Empty (latest): the month is read from the footer alone.
   */
  acceptedMonths: readonly YearMonth[]
}

export type BodyVerdict<R extends ReportKind = ReportKind> =
  | {
      kind: 'data'
      parsed: ParsedReport<R>
      /** null only for a footer-less archive body, whose as-of could not be verified. */
      footer: ReportFooter | null
      asOf: IsoDate
      dataMonth: YearMonth
    }
  | { kind: 'empty'; parsed: ParsedReport<R>; footer: ReportFooter | null }

/** Throws UpstreamHttpError / UpstreamBodyError / UpstreamWrongAnswerError for non-data answers. */
export function classifyBody<R extends ReportKind>(
  answer: UpstreamAnswer,
  expect: BodyExpectation<R>,
  nowMs: number,
): BodyVerdict<R> {
  const { url, text } = answer
  if (answer.status !== 200) throw toHttpError(answer, nowMs)
  if (looksLikeHtml(text, answer.contentType)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim()
    const what = title ? `HTML page "${title}"` : 'an HTML page'
    throw new UpstreamBodyError(
      ErrorCode.UPSTREAM_HTML,
      `Upstream answered 200 with ${what} instead of CSV`,
      url,
    )
  }
  if (text.replace(/^\uFEFF/, '').trim() === '') {
    throw new UpstreamBodyError(
      ErrorCode.UPSTREAM_PARSE,
      'Upstream answered 200 with an empty body',
      url,
    )
  }
  const csv = parseCsvBody(text, url)
  const parsed = parseReportCsv(expect.report, csv, url, csv.footer?.asOf ?? expect.asOf)
  if (parsed.footer === null) return footerless(parsed, csv.endsWithLineBreak, expect, url)
  return withFooter(parsed, parsed.footer, expect, url)
}

function withFooter<R extends ReportKind>(
  parsed: ParsedReport<R>,
  line: FooterLine,
  expect: BodyExpectation<R>,
  url: string,
): BodyVerdict<R> {
  if (expect.asOf !== null && line.asOf !== expect.asOf) {
    throw new UpstreamWrongAnswerError(ErrorCode.UPSTREAM_WRONG_AS_OF, expect.asOf, line.asOf, url)
  }
  const matched = matchFooterMonth(line, expect)
  if (parsed.rows.length === 0) {
    const dataMonth = matched ?? guessFooterMonth(line, expect)
    return { kind: 'empty', parsed, footer: { month: line.month, dataMonth, asOf: line.asOf } }
  }
  if (matched === null) {
    const expected = expect.acceptedMonths.join(' or ')
    const actual = `${guessFooterMonth(line, expect)} (${line.month})`
    throw new UpstreamWrongAnswerError(ErrorCode.UPSTREAM_WRONG_MONTH, expected, actual, url)
  }
  const footer = { month: line.month, dataMonth: matched, asOf: line.asOf }
  return { kind: 'data', parsed, footer, asOf: line.asOf, dataMonth: matched }
}

/** docs/upstream.md#accepting-a-body: a body without footer is acceptable from an archive path only. */
function footerless<R extends ReportKind>(
  parsed: ParsedReport<R>,
  endsWithLineBreak: boolean,
  expect: BodyExpectation<R>,
  url: string,
): BodyVerdict<R> {
  const requestedMonth = expect.acceptedMonths[0]
  if (expect.path === 'root' || expect.asOf === null || requestedMonth === undefined) {
    const detail = 'CSV has no footer line (Month of …, As of …); possibly truncated'
    throw new UpstreamBodyError(ErrorCode.UPSTREAM_NO_FOOTER, detail, url)
  }
  if (!endsWithLineBreak) {
    const detail = 'CSV has no footer and its last row has no line break: truncated'
    throw new UpstreamBodyError(ErrorCode.UPSTREAM_PARSE, detail, url)
  }
  if (parsed.rows.length === 0) return { kind: 'empty', parsed, footer: null }
  return { kind: 'data', parsed, footer: null, asOf: expect.asOf, dataMonth: requestedMonth }
}

/** The accepted month the footer names, null when it names another; latest: from the as-of. */
function matchFooterMonth(line: FooterLine, expect: BodyExpectation): YearMonth | null {
  if (expect.acceptedMonths.length === 0) return latestMonthNotAfter(line.monthNumber, line.asOf)
  return expect.acceptedMonths.find((m) => monthNumberOfYearMonth(m) === line.monthNumber) ?? null
}

/** Best reading of a footer month that matched nothing: same program year as the request. */
function guessFooterMonth(line: FooterLine, expect: BodyExpectation): YearMonth {
  const reference = expect.acceptedMonths[0]
  if (reference === undefined) return latestMonthNotAfter(line.monthNumber, line.asOf)
  const { end } = programYearBounds(programYearOf(reference))
  return latestMonthNotAfter(line.monthNumber, end)
}

export function looksLikeHtml(text: string, contentType: string | null): boolean {
  const start = text.replace(/^\uFEFF/, '').trimStart()
  if (start.startsWith('<')) return true
  if (start.startsWith('"')) return false
  return (
    /html/i.test(contentType ?? '') || /<(!doctype|html|head|body)\b/i.test(start.slice(0, 2048))
  )
}

function toHttpError(answer: UpstreamAnswer, nowMs: number): UpstreamHttpError {
  return new UpstreamHttpError({
    status: answer.status,
    statusText: answer.statusText,
    url: answer.url,
    location: answer.location,
    retryAfterMs: parseRetryAfter(answer.retryAfter, nowMs),
    bodySnippet: answer.text.replace(/\s+/g, ' ').trim().slice(0, 200),
  })
}

/** `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); null when absent/unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs)
}
