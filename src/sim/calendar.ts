/**
 * Which (data month, as-of) pairs the simulated dashboard has published on a given "today"
 * (docs/upstream.md#publishing-cadence-and-restatements, docs/upstream.md#month-end-closing-periods). Every calendar day up to today − 1 is an as-of; the days of a
 * closing period belong to the previous month; at the June→July boundary the new year's
 * list starts on the configured first live day of July (or the day after June closes, when
 * that is earlier), so late-July days can exist both as June close and as first July days.
 */
import type { IsoDate, YearMonth } from '../shared/iso-date.ts'
import { addDays, addMonths, programYearOf, yearMonthOf } from '../shared/iso-date.ts'

export interface CalendarDeps {
  closingDate: (dataMonth: YearMonth) => IsoDate
  firstLiveDayOfJuly: number
  today: () => IsoDate
  /**
   * Intraday rollover (options.rolloverAt): a month's list begins on the previous month's
   * closing date, and while that date is the latest as-of the new month shows only once
   * `rolledOver()` says so. Absent: lists begin the day after the previous close.
   */
  rollover?: { rolledOver: () => boolean }
}

export interface PublishedMonth {
  dataMonth: YearMonth
  programYear: string
}

export interface SimCalendar {
  today(): IsoDate
  latestAsOf(): IsoDate
  closingDate(dataMonth: YearMonth): IsoDate
  /** First as-of day of a data month's list (not clipped to today). */
  firstAsOf(dataMonth: YearMonth): IsoDate
  /** Data months (oldest first) whose list holds the day, ignoring whether it is published yet. */
  dataMonthsOn(asOf: IsoDate): YearMonth[]
  isPublished(dataMonth: YearMonth, asOf: IsoDate): boolean
  /** The month the root shows for that as-of: the newest one; null when not yet published. */
  rootMonthFor(asOf: IsoDate): PublishedMonth | null
  liveDataMonth(): YearMonth
  liveProgramYear(): string
  /** Newest published as-of of a month, or null when the month has none yet. */
  lastPublishedAsOf(dataMonth: YearMonth): IsoDate | null
}

export function createSimCalendar(deps: CalendarDeps): SimCalendar {
  const { closingDate } = deps
  const latestAsOf = (): IsoDate => addDays(deps.today(), -1)

  const firstAsOf = (dataMonth: YearMonth): IsoDate => {
    const afterPrevious = addDays(closingDate(addMonths(dataMonth, -1)), deps.rollover ? 0 : 1)
    if (!dataMonth.endsWith('-07')) return afterPrevious
    const liveDay = `${dataMonth}-${String(deps.firstLiveDayOfJuly).padStart(2, '0')}`
    return liveDay < afterPrevious ? liveDay : afterPrevious
  }

  const holds = (dataMonth: YearMonth, asOf: IsoDate): boolean =>
    firstAsOf(dataMonth) <= asOf && asOf <= closingDate(dataMonth)

  const dataMonthsOn = (asOf: IsoDate): YearMonth[] => {
    const month = yearMonthOf(asOf)
    return [addMonths(month, -1), month].filter((m) => holds(m, asOf))
  }

  /** The new month's first as-of is the latest one, and the switch has not happened yet today. */
  const beforeRollover = (dataMonth: YearMonth, asOf: IsoDate): boolean =>
    deps.rollover !== undefined &&
    asOf === latestAsOf() &&
    asOf === closingDate(addMonths(dataMonth, -1)) &&
    !deps.rollover.rolledOver()

  const isPublished = (dataMonth: YearMonth, asOf: IsoDate): boolean =>
    asOf <= latestAsOf() && holds(dataMonth, asOf) && !beforeRollover(dataMonth, asOf)

  const rootMonthFor = (asOf: IsoDate): PublishedMonth | null => {
    if (asOf > latestAsOf()) return null
    const dataMonth = dataMonthsOn(asOf)
      .filter((m) => isPublished(m, asOf))
      .at(-1)
    return dataMonth === undefined ? null : { dataMonth, programYear: programYearOf(dataMonth) }
  }

  const liveDataMonth = (): YearMonth => {
    const month = rootMonthFor(latestAsOf())
    // A gap in a user-supplied closing table can leave a day without a month: fall back.
    return month?.dataMonth ?? addMonths(yearMonthOf(latestAsOf()), -1)
  }

  return {
    today: deps.today,
    latestAsOf,
    closingDate,
    firstAsOf,
    dataMonthsOn,
    isPublished,
    rootMonthFor,
    liveDataMonth,
    liveProgramYear: () => programYearOf(liveDataMonth()),
    lastPublishedAsOf: (dataMonth) => {
      if (firstAsOf(dataMonth) > latestAsOf()) return null
      const close = closingDate(dataMonth)
      const last = close < latestAsOf() ? close : latestAsOf()
      return isPublished(dataMonth, last) ? last : null
    },
  }
}
