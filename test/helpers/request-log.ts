/**
 * The simulator's request log with each export request's report token read back by the
 * simulator's own parser, so a test sees what the simulator understood it was asked for.
 */
import type { IsoDate } from '../../src/shared/iso-date.ts'
import type { ReportKind } from '../../src/shared/snapshot-types.ts'
import { parseExportRequest } from '../../src/sim/index.ts'
import type { Stack } from './stack.ts'

/** One request the simulator answered, with its report token parsed back. */
export interface LoggedRequest {
  /** Simulator clock (ms) when the answer was written. */
  at: number
  /** Simulator clock (ms) when the request arrived. */
  receivedAt: number
  status: number
  fault: string | null
  url: string
  /** `/export.aspx` (root) or `/{PY}/export.aspx` (archive); null for any other path. */
  path: 'root' | 'archive' | null
  /** null when the request is not an export the simulator could read. */
  report: ReportKind | null
  districtId: string | null
  monthEnd: IsoDate | null
  /** The as-of slot of the token; null for "latest" (root) requests. */
  asOf: IsoDate | null
  /** The token's trailing program-year segment, as sent. */
  programYear: string | null
  /** Why the simulator could not read an export request; null otherwise. */
  rejected: string | null
}

export function requestLog(stack: Stack): LoggedRequest[] {
  return stack.sim.requestLog().map((e) => {
    const url = new URL(e.url, 'http://simulator.local')
    const parsed = parseExportRequest(url.pathname, url.searchParams)
    const req = parsed.ok ? parsed.request : null
    const isExport = url.pathname.endsWith('/export.aspx')
    return {
      at: Date.parse(e.time),
      receivedAt: Date.parse(e.receivedTime),
      status: e.status,
      fault: e.fault,
      url: e.url,
      path: isExport ? (url.pathname === '/export.aspx' ? 'root' : 'archive') : null,
      report: req?.report ?? null,
      districtId: req?.districtId ?? null,
      monthEnd: req?.monthEnd ?? null,
      asOf: req?.asOf ?? null,
      programYear: req?.programYearToken ?? null,
      rejected: isExport && !parsed.ok ? parsed.reason : null,
    }
  })
}
