/** `districtperformance` rows: per-club payments of one district, 14 columns (docs/upstream.md#districtperformance). */
import type { CharterSuspendValue, RowBase, RowReader } from '../row-reader.ts'
import type { DistinguishedCode } from './club-performance.ts'

export interface DistrictPerformanceRow extends RowBase {
  district: string | null
  division: string
  area: string | null
  /** `Club` column: 8-digit club number as text. */
  clubNumber: string
  clubName: string | null
  newPayments: number | null
  lateRenewals: number | null
  octoberRenewals: number | null
  aprilRenewals: number | null
  /** Late + Oct + Apr, as published. */
  totalRenewals: number | null
  charterPayments: number | null
  /** New + Total Ren. + Total Chart: the club's payment count to date. */
  totalToDate: number | null
  distinguishedStatus: DistinguishedCode | null
  /** `Charter 05/22/26` / ` Susp 03/31/26` (leading space kept in `text`), dates as ISO. */
  charterSuspend: CharterSuspendValue | null
}

export const DISTRICT_PERFORMANCE_KEY_COLUMNS = ['Club', 'Division'] as const

export function toDistrictPerformanceRow(r: RowReader): DistrictPerformanceRow {
  return {
    district: r.text('District'),
    division: r.text('Division') ?? '',
    area: r.text('Area'),
    clubNumber: r.text('Club') ?? '',
    clubName: r.text('Club Name'),
    newPayments: r.int('New'),
    lateRenewals: r.int('Late Ren.'),
    octoberRenewals: r.int('Oct. Ren.'),
    aprilRenewals: r.int('Apr. Ren.'),
    totalRenewals: r.int('Total Ren.'),
    charterPayments: r.int('Total Chart'),
    totalToDate: r.int('Total to Date'),
    distinguishedStatus: r.code('Distinguished Status'),
    charterSuspend: r.charterSuspend('Charter Date/Suspend Date'),
    ...r.finish(),
  }
}
