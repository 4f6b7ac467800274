/**
 * The simulated dashboard's data: calendar + district rosters + rendering. Everything is
 * computed lazily from the seed; only rosters (per district and year, shared by the models of
 * one seed), the recently computed district snapshots and a few recent bodies are cached.
 */
import type { IsoDate, YearMonth } from '../shared/iso-date.ts'
import { compareDistrictIds } from '../shared/district-id.ts'
import type { ReportKind } from '../shared/snapshot-types.ts'
import type { SimCalendar } from './calendar.ts'
import { createSimCalendar } from './calendar.ts'
import { createClosingDateLookup } from './closing-dates.ts'
import type { DistrictSnapshot } from './district-snapshot.ts'
import { computeDistrictSnapshot } from './district-snapshot.ts'
import { programYearStart } from './headers.ts'
import type { SimulatorConfig } from './options.ts'
import { renderReportCsv } from './render.ts'
import { createRosterSource } from './roster.ts'
import type { RosterSource } from './roster.ts'

/**
 * Default districts, with the 2026 realignment (docs/upstream.md#lessons-of-2026) at the
 * 2026-27 boundary: `13` and `106` are retired after 2025-26 and their clubs move to new
 * three-digit districts numbered as the real ones are (201, 202, 203, 205: 204 is absent).
 * `from` names the districts whose clubs a new district takes over, so "districts valid for a
 * date" and "the district of a club" both differ by year.
 */
export const DEFAULT_DISTRICTS: readonly SimDistrict[] = [
  ...[
    '02',
    '09',
    '21',
    '33',
    '36',
    '42',
    '44',
    '57',
    '52',
    '61',
    '70',
    '91',
    '101',
    '117',
    '128',
    'F',
    'U',
  ].map((id) => ({ id })),
  { id: '13', untilYear: 2025 },
  { id: '106', untilYear: 2025 },
  { id: '201', fromYear: 2026, from: ['13'] },
  { id: '202', fromYear: 2026, from: ['13'] },
  { id: '203', fromYear: 2026, from: ['106'] },
  { id: '205', fromYear: 2026, from: ['106'] },
]

export interface SimDistrict {
  id: string
  /** First program-year start it exists in; absent = always. */
  fromYear?: number
  /** Last program-year start it exists in; absent = always. */
  untilYear?: number
  /** Retired districts whose clubs it takes over (split evenly between their successors). */
  from?: readonly string[]
}

/** What to render: `dataAsOf` null = no published data (header + footer only). */
export interface RenderTarget {
  report: ReportKind
  districtId: string | null
  programYear: string
  dataMonth: YearMonth
  dataAsOf: IsoDate | null
  footerAsOf: IsoDate
}

export interface SimModel {
  calendar: SimCalendar
  /** null returns to the configured clock (and drops a forced rollover). */
  setToday(date: IsoDate | null): void
  /**
   * Forces the intraday rollover of the current day (true: the new month shows now; false: not
   * yet); null returns to options.rolloverAt. Refused (false) when no rollover is configured.
   */
  setRolledOver(value: boolean | null): boolean
  /** The rollover's configuration and state now; null when none is configured. */
  rollover(): { at: string; forced: boolean | null; rolledOver: boolean } | null
  districtsFor(programYear: string): string[]
  archivedProgramYears(): string[]
  isArchivedProgramYear(programYear: string): boolean
  /** Whether an archived year keeps only each month's final as-of (options.monthEndOnlyYears). */
  keepsOnlyMonthEnds(programYear: string): boolean
  snapshot(
    districtId: string,
    programYear: string,
    asOf: IsoDate,
    shiftDays?: number,
  ): DistrictSnapshot | null
  render(target: RenderTarget, shiftDays?: number): string
}

const BODY_CACHE_SIZE = 64
/**
 * Recently computed district snapshots. One as-of's summary needs every district's snapshot
 * (up to 23), and a client fetches the summary and then each district's three reports of the
 * same as-of, so this holds a few as-ofs of the default district set.
 */
const SNAPSHOT_CACHE_SIZE = 128

/**
 * Roster sources shared by every model of one seed, club counts and district set in the
 * process: a roster is a pure function of those, read only, and building the rosters of the
 * default districts costs about half a second per program year. Tests start many simulators of
 * about a dozen seed and club-count choices (a run of the node project built 602 rosters with 4
 * sources kept, 405 with 8: docs/performance.md#simulator); a server runs one. Frozen, so a
 * caller that tried to change one would throw.
 */
const ROSTER_SOURCES = 8
const rosterSources = new Map<string, RosterSource>()

function sharedRosterSource(config: SimulatorConfig): RosterSource {
  const key = JSON.stringify([config.seed, config.clubCounts, config.districts === null])
  return cached(rosterSources, ROSTER_SOURCES, key, () => {
    const source = createRosterSource(
      config.seed,
      config.clubCounts,
      config.districts ? [] : DEFAULT_DISTRICTS,
    )
    return {
      roster(districtId, programYear) {
        const roster = source.roster(districtId, programYear)
        if (!Object.isFrozen(roster)) {
          for (const club of roster.clubs) Object.freeze(club)
          Object.freeze(roster.clubs)
          Object.freeze(roster)
        }
        return roster
      },
    }
  })
}

/** The cached value of `key`, made (and the oldest entry dropped when full) on a miss. */
function cached<V>(cache: Map<string, V>, size: number, key: string, make: () => V): V {
  const hit = cache.get(key)
  if (hit !== undefined) {
    // Refresh recency so the map iterates least-recently-used first.
    cache.delete(key)
    cache.set(key, hit)
    return hit
  }
  const value = make()
  if (cache.size >= size) cache.delete(cache.keys().next().value ?? '')
  cache.set(key, value)
  return value
}

function shiftYear(programYear: string, years: number): string {
  const start = programYearStart(programYear) + years
  return `${start}-${start + 1}`
}

export function createSimModel(config: SimulatorConfig): SimModel {
  let todayOverride: IsoDate | null = null
  let forcedRollover: boolean | null = null
  const rolloverAt = config.rolloverAtMinutes
  const rolledOver = (): boolean => {
    if (forcedRollover !== null) return forcedRollover
    const ms = config.now()
    const minutes = Math.floor((((ms % 86_400_000) + 86_400_000) % 86_400_000) / 60_000)
    return rolloverAt !== null && minutes >= rolloverAt
  }
  const calendar = createSimCalendar({
    closingDate: createClosingDateLookup(config.seed, config.closingDates),
    firstLiveDayOfJuly: config.firstLiveDayOfJuly,
    today: () => todayOverride ?? config.today(),
    ...(rolloverAt === null ? {} : { rollover: { rolledOver } }),
  })
  const rosters = sharedRosterSource(config)
  const bodies = new Map<string, string>()
  // Shared by every caller: the renderers and the truth only read a snapshot, and it is frozen
  // (with its club list) so a caller that tried to change it would throw.
  const snapshots = new Map<string, DistrictSnapshot>()

  const districtsFor = (programYear: string): string[] => {
    if (config.districts) return [...config.districts].sort(compareDistrictIds)
    const year = programYearStart(programYear)
    return DEFAULT_DISTRICTS.filter(
      (d) => (d.fromYear ?? -Infinity) <= year && year <= (d.untilYear ?? Infinity),
    )
      .map((d) => d.id)
      .sort(compareDistrictIds)
  }
  const archivedProgramYears = (): string[] => {
    const live = calendar.liveProgramYear()
    const years = config.programYears ?? [shiftYear(live, -2), shiftYear(live, -1)]
    return years.filter((py) => py < live).sort()
  }
  const snapshot: SimModel['snapshot'] = (districtId, programYear, asOf, shiftDays = 0) => {
    if (!districtsFor(programYear).includes(districtId)) return null
    const key = `${districtId}|${programYear}|${asOf}|${shiftDays}`
    return cached(snapshots, SNAPSHOT_CACHE_SIZE, key, () => {
      const computed = computeDistrictSnapshot(
        rosters.roster(districtId, programYear),
        asOf,
        shiftDays,
      )
      Object.freeze(computed.clubs)
      return Object.freeze(computed)
    })
  }
  const renderUncached = (t: RenderTarget, shiftDays: number): string => {
    const dataAsOf = t.dataAsOf
    const ids =
      dataAsOf === null ? [] : t.districtId === null ? districtsFor(t.programYear) : [t.districtId]
    const found = ids.flatMap((id) => snapshot(id, t.programYear, dataAsOf ?? '', shiftDays) ?? [])
    return renderReportCsv(t.report, t.programYear, found, t.dataMonth, t.footerAsOf)
  }

  return {
    calendar,
    setToday: (date) => {
      todayOverride = date
      forcedRollover = null
    },
    setRolledOver: (value) => {
      if (rolloverAt === null) return false
      forcedRollover = value
      return true
    },
    rollover: () =>
      rolloverAt === null
        ? null
        : {
            at: `${String(Math.floor(rolloverAt / 60)).padStart(2, '0')}:${String(rolloverAt % 60).padStart(2, '0')}`,
            forced: forcedRollover,
            rolledOver: rolledOver(),
          },
    districtsFor,
    archivedProgramYears,
    isArchivedProgramYear: (py) => archivedProgramYears().includes(py),
    keepsOnlyMonthEnds: (py) => config.monthEndOnlyYears.includes(py),
    snapshot,
    render: (target, shiftDays = 0) =>
      cached(bodies, BODY_CACHE_SIZE, JSON.stringify([target, shiftDays]), () =>
        renderUncached(target, shiftDays),
      ),
  }
}
