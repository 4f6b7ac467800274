/**
 * Ground truth for tests: the generated values behind every body, without parsing CSV.
 */
import type { IsoDate, YearMonth } from '../shared/iso-date.ts'
import { eachDate, programYearOf } from '../shared/iso-date.ts'
import type { ReportKind } from '../shared/snapshot-types.ts'
import type { ClubValues } from './club-values.ts'
import { summaryHeader } from './headers.ts'
import type { SimModel } from './model.ts'
import { pickColumns, summaryRecord } from './render.ts'

export interface PublishedDataMonth {
  dataMonth: YearMonth
  programYear: string
}

export interface SimulatorTruth {
  today(): IsoDate
  liveProgramYear(): string
  /** Today − 1: the newest as-of the root serves. */
  latestAsOf(): IsoDate
  archivedProgramYears(): string[]
  /** The data month the root shows (or showed) for that as-of; null = not published. */
  dataMonthFor(asOf: IsoDate): PublishedDataMonth | null
  /** Every published month for that as-of (two in a late-July overlap), oldest first. */
  dataMonthsFor(asOf: IsoDate): PublishedDataMonth[]
  publishedAsOfs(from: IsoDate, to: IsoDate): IsoDate[]
  districtsFor(programYear: string): string[]
  /** `dataMonth` picks the month in an overlap; default: `dataMonthFor(asOf)`. */
  summaryRow(
    asOf: IsoDate,
    districtId: string,
    dataMonth?: YearMonth,
  ): Record<string, string> | null
  clubs(districtId: string, asOf: IsoDate, dataMonth?: YearMonth): ClubValues[] | null
  renderReport(
    report: ReportKind,
    districtId: string | null,
    asOf: IsoDate,
    dataMonth?: YearMonth,
  ): string | null
  closingDate(dataMonth: YearMonth): IsoDate
}

export function createSimulatorTruth(model: SimModel): SimulatorTruth {
  const cal = model.calendar
  const isServed = (py: string): boolean =>
    py === cal.liveProgramYear() || model.isArchivedProgramYear(py)
  const dataMonthsFor = (asOf: IsoDate): PublishedDataMonth[] =>
    cal
      .dataMonthsOn(asOf)
      .filter((m) => cal.isPublished(m, asOf))
      .map((dataMonth) => ({ dataMonth, programYear: programYearOf(dataMonth) }))
      .filter((m) => isServed(m.programYear))
  const monthFor = (asOf: IsoDate, dataMonth?: YearMonth): PublishedDataMonth | null => {
    const months = dataMonthsFor(asOf)
    return (
      (dataMonth === undefined ? months.at(-1) : months.find((m) => m.dataMonth === dataMonth)) ??
      null
    )
  }
  return {
    today: () => cal.today(),
    liveProgramYear: () => cal.liveProgramYear(),
    latestAsOf: () => cal.latestAsOf(),
    archivedProgramYears: () => model.archivedProgramYears(),
    dataMonthFor: (asOf) => monthFor(asOf),
    dataMonthsFor,
    publishedAsOfs: (from, to) => eachDate(from, to).filter((d) => dataMonthsFor(d).length > 0),
    districtsFor: (py) => model.districtsFor(py),
    summaryRow(asOf, districtId, dataMonth) {
      const month = monthFor(asOf, dataMonth)
      const snapshot = month && model.snapshot(districtId, month.programYear, asOf)
      if (!month || !snapshot) return null
      return pickColumns(summaryRecord(snapshot.totals), summaryHeader(month.programYear))
    },
    clubs(districtId, asOf, dataMonth) {
      const month = monthFor(asOf, dataMonth)
      return (month && model.snapshot(districtId, month.programYear, asOf)?.clubs) ?? null
    },
    renderReport(report, districtId, asOf, dataMonth) {
      const month = monthFor(asOf, dataMonth)
      if (!month) return null
      return model.render({ report, districtId, ...month, dataAsOf: asOf, footerAsOf: asOf })
    },
    closingDate: (dataMonth) => cal.closingDate(dataMonth),
  }
}
