/**
 * The unit of work: one (date, district) cell (docs/architecture.md#the-job-model). An open scope does not know a date's
 * districts before its summary is read, so until then the whole date is one cell whose
 * districtId is WHOLE_DATE; `'*'` can never be a real id (DISTRICT_ID_RE), so keys never clash.
 */
import { compareDistrictIds } from '../../shared/district-id.ts'
import type { IsoDate } from '../../shared/iso-date.ts'

export const WHOLE_DATE = '*'

export interface CellRef {
  date: IsoDate
  /** A district id, or WHOLE_DATE for an open-scope date not yet expanded. */
  districtId: string
}

/** Stable string key of a cell, `${date}|${districtId}`, for maps and logs. */
export function cellKey(date: IsoDate, districtId: string): string {
  return `${date}|${districtId}`
}

/** Dates ascending; within a date the whole-date cell first, then districts in id order. */
export function compareCellRefs(a: CellRef, b: CellRef): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1
  if (a.districtId === b.districtId) return 0
  if (a.districtId === WHOLE_DATE) return -1
  if (b.districtId === WHOLE_DATE) return 1
  return compareDistrictIds(a.districtId, b.districtId)
}
