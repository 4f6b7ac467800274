/**
 * Lossless split of an export body into header, rows and footer (docs/upstream.md#csv-format-and-footer). Cells are
 * returned exactly as written (never trimmed); anything that does not fit the shape is an error,
 * never dropped.
 */
import { ErrorCode } from '../../shared/error-codes.ts'
import { parse } from 'csv-parse/sync'
import { csvParseRows } from 'd3-dsv'
import { UpstreamBodyError } from './errors.ts'
import { parseFooter } from './dashboard-date.ts'
import type { FooterLine } from './dashboard-date.ts'

export interface CsvBody {
  /** A leading U+FEFF was present (and stripped before parsing). */
  hasBom: boolean
  header: string[]
  /** Data rows, cells verbatim; widths are checked by assertRowWidths. */
  rows: string[][]
  footer: FooterLine | null
  /** Complete exports end with a line break; a missing one hints at truncation. */
  endsWithLineBreak: boolean
  lineBreak: '\r\n' | '\n'
}

/** Splits off the unquoted footer line, then parses the rest (parseRecords). Throws UPSTREAM_PARSE. */
export function parseCsvBody(text: string, url: string | null = null): CsvBody {
  const hasBom = text.startsWith('\uFEFF')
  const content = hasBom ? text.slice(1) : text
  const endsWithLineBreak = content.endsWith('\n')
  const { csvText, footer } = splitFooter(content)
  const records = parseRecords(csvText, url)
  const header = records[0] ?? []
  const rows = records.slice(1)
  const lineBreak = content.includes('\r\n') ? '\r\n' : '\n'
  return { hasBom, header, rows, footer, endsWithLineBreak, lineBreak }
}

/** Every row must have as many cells as the header: a short row means a cut or broken body. */
export function assertRowWidths(body: CsvBody, url: string | null = null): void {
  body.rows.forEach((row, i) => {
    if (row.length !== body.header.length) {
      throw new UpstreamBodyError(
        ErrorCode.UPSTREAM_PARSE,
        `CSV row ${i + 1} has ${row.length} cells but the header has ${body.header.length} (truncated or malformed)`,
        url,
      )
    }
  })
}

function splitFooter(content: string): { csvText: string; footer: FooterLine | null } {
  const withoutFinalBreak = content.replace(/\r?\n$/, '')
  const lastBreak = withoutFinalBreak.lastIndexOf('\n')
  const footer = parseFooter(withoutFinalBreak.slice(lastBreak + 1))
  if (footer === null) return { csvText: content, footer: null }
  return { csvText: withoutFinalBreak.slice(0, lastBreak + 1), footer }
}

/**
 * RFC 4180 text, line by line: every field either quoted (its quotes doubled inside) or free of
 * quotes, commas and line breaks, fields separated by commas, lines ended by CRLF or LF. A
 * field's first character tells the two kinds apart, so matching never backtracks far (about
 * 0.025 ms for a 26 KB export). It does keep one backtracking entry per character it passes
 * inside a repetition, so a very long field or body runs out of that stack (isPlainCsv).
 */
export const WELL_FORMED_CSV =
  /^(?:(?:"(?:[^"]|"")*"|[^",\r\n]*)(?:,(?:"(?:[^"]|"")*"|[^",\r\n]*))*(?:\r?\n|$))*$/

/** Every line break is CRLF, or every one is LF, with no bare CR: one record delimiter. */
function hasOneLineBreak(text: string): boolean {
  const lf = countOf(text, '\n')
  const cr = countOf(text, '\r')
  return cr === 0 || (cr === lf && countOf(text, '\r\n') === lf)
}

function countOf(text: string, needle: string): number {
  let n = 0
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++
  return n
}

/**
 * Well-formed text with one kind of line break goes to d3-dsv's parser, about 4× faster than
 * csv-parse and, for such text, the same records (src/server/upstream/csv-body.test.ts checks it
 * on generated bodies); anything else goes to csv-parse, whose errors report what is malformed
 * (d3-dsv reads malformed quoting without complaint, and would lose characters).
 */
function parseRecords(csvText: string, url: string | null): string[][] {
  return isPlainCsv(csvText) ? csvParseRows(csvText) : parseStrict(csvText, url)
}

function isPlainCsv(csvText: string): boolean {
  try {
    return WELL_FORMED_CSV.test(csvText) && hasOneLineBreak(csvText)
  } catch {
    // The regular expression's backtracking ran out of stack (on Node 20: one quoted field of
    // some 8 MiB, or a body of some 32 MiB): csv-parse reads it instead.
    return false
  }
}

/** csv-parse, for any text: its records, or UPSTREAM_PARSE naming what is malformed. */
function parseStrict(csvText: string, url: string | null): string[][] {
  try {
    // relax_column_count: the cell-count check above reports which row is off.
    return parse(csvText, { relax_column_count: true }) as string[][]
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new UpstreamBodyError(ErrorCode.UPSTREAM_PARSE, `Malformed CSV: ${detail}`, url, {
      cause: error,
    })
  }
}
