/**
 * Parsing `[/{PY}]/export.aspx?type=CSV&report=…` (docs/upstream.md#export-tokens, docs/upstream.md#simulator-rules): segments split on
 * `~`; the last three are MONTHEND, ASOF and PY whatever comes before them.
 */
import type { IsoDate } from '../shared/iso-date.ts'
import type { ReportKind } from '../shared/snapshot-types.ts'
import { REPORT_KINDS } from '../shared/snapshot-types.ts'
import { parseTokenDate } from './format.ts'

export const EXPORT_PATH_RE = /^\/(?:(\d{4}-\d{4})\/)?export\.aspx$/i

export type PathKind = 'root' | 'archive'

export interface ExportRequest {
  pathKind: PathKind
  /** The `/{PY}/` prefix, null on the root. */
  pathProgramYear: string | null
  report: ReportKind
  districtId: string | null
  monthEnd: IsoDate | null
  asOf: IsoDate | null
  /** The trailing PY segment as sent (the root ignores it). */
  programYearToken: string
}

export type ParsedExportRequest =
  | { ok: true; request: ExportRequest }
  | { ok: false; reason: string; pathProgramYear: string | null }

function isReportKind(value: string): value is ReportKind {
  return (REPORT_KINDS as readonly string[]).includes(value)
}

/** Empty slot → null; a value that is not `M/D/YYYY` → undefined (malformed). */
function dateSlot(value: string): IsoDate | null | undefined {
  if (value === '') return null
  return parseTokenDate(value) ?? undefined
}

export function parseExportRequest(pathname: string, query: URLSearchParams): ParsedExportRequest {
  const pathProgramYear = EXPORT_PATH_RE.exec(pathname)?.[1] ?? null
  const fail = (reason: string): ParsedExportRequest => ({ ok: false, reason, pathProgramYear })
  if ((query.get('type') ?? '').toUpperCase() !== 'CSV') return fail('type must be CSV')
  const segments = (query.get('report') ?? '').split('~')
  const name = segments[0] ?? ''
  if (!isReportKind(name)) return fail(`unknown report ${JSON.stringify(name)}`)
  const minimum = name === 'districtsummary' ? 4 : 5
  if (segments.length < minimum) return fail(`report token needs ${minimum} segments`)
  const [monthEndText, asOfText, programYearToken] = segments.slice(-3) as [string, string, string]
  const monthEnd = dateSlot(monthEndText)
  const asOf = dateSlot(asOfText)
  if (monthEnd === undefined || asOf === undefined) return fail('dates must be M/D/YYYY')
  const districtId = name === 'districtsummary' ? null : (segments[1] ?? '').trim().toUpperCase()
  if (districtId === '') return fail('district id missing')
  return {
    ok: true,
    request: {
      pathKind: pathProgramYear === null ? 'root' : 'archive',
      pathProgramYear,
      report: name,
      districtId,
      monthEnd,
      asOf,
      programYearToken,
    },
  }
}
