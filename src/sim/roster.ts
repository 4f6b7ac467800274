/**
 * Clubs of a district over the years and their placement in one program year. A district
 * keeps a stable universe of clubs (some chartered, some suspended each year); the roster
 * of one (district, program year) is built once and cached, so a snapshot for any day costs
 * O(clubs).
 */
import { generateClubName } from './club-names.ts'
import type { ClubPlan } from './club-plan.ts'
import { planClub } from './club-plan.ts'
import { programYearStart } from './headers.ts'
import type { Rng } from './rng.ts'
import { hashKey, rngFor } from './rng.ts'

const HISTORY_START = 2010
const HISTORY_END = 2045
const YEARLY_CHARTER_RATE = 0.03
const YEARLY_SUSPEND_RATE = 0.03

interface UniverseClub {
  clubNumber: string
  clubName: string
  /** Program-year start in which the club was chartered; null = before the history. */
  birthYear: number | null
  /** Program-year start in which it is suspended; null = never within the history. */
  deathYear: number | null
}

export interface DistrictRoster {
  districtId: string
  programYear: string
  region: string
  /** Sorted by Division, Area, Club Number (unassigned 0D/0A first). */
  clubs: ClubPlan[]
  paymentBase: number
  /** Day index on which each district prerequisite turns to `Y` (null: stays `N`). */
  prerequisiteDays: Record<string, number | null>
}

export function defaultClubCount(seed: number, districtId: string): number {
  return rngFor(seed, 'size', districtId).int(35, 220)
}

function drawSuspension(rng: Rng, fromYear: number): number | null {
  for (let year = fromYear; year <= HISTORY_END; year++) {
    if (rng.chance(YEARLY_SUSPEND_RATE)) return year
  }
  return null
}

function newClubNumber(rng: Rng, birthYear: number | null): number {
  if (birthYear !== null) return 27_000_000 + (birthYear - 2000) * 60_000 + rng.int(0, 59_999)
  const roll = rng.next()
  if (roll < 0.3) return rng.int(1, 9_999)
  if (roll < 0.7) return rng.int(10_000, 1_999_999)
  return rng.int(2_000_000, 7_999_999)
}

function generateUniverse(seed: number, districtId: string, size: number): UniverseClub[] {
  const rng = rngFor(seed, 'universe', districtId)
  const used = new Set<number>()
  const clubs: UniverseClub[] = []
  const add = (birthYear: number | null): void => {
    let n = newClubNumber(rng, birthYear)
    while (used.has(n)) n++
    used.add(n)
    const clubNumber = String(n).padStart(8, '0')
    const clubName = generateClubName(rngFor(seed, 'name', districtId, clubNumber), clubNumber)
    const deathYear = drawSuspension(rng, (birthYear ?? HISTORY_START - 1) + 1)
    clubs.push({ clubNumber, clubName, birthYear, deathYear })
  }
  for (let i = 0; i < size; i++) add(null)
  for (let year = HISTORY_START; year <= HISTORY_END; year++) {
    const births = Math.round(size * YEARLY_CHARTER_RATE * (0.5 + rng.next()))
    for (let i = 0; i < births; i++) add(year)
  }
  return clubs
}

/** Areas of 3–7 clubs numbered 01.. across the district, 3–6 areas per division A.. */
function placeClubs(rng: Rng, count: number): { division: string; area: string }[] {
  const places: { division: string; area: string }[] = []
  let areaNumber = 0
  let divisionIndex = 0
  let areasLeftInDivision = rng.int(3, 6)
  while (places.length < count) {
    areaNumber++
    const area = String(areaNumber).padStart(2, '0')
    const division = String.fromCharCode(65 + Math.min(divisionIndex, 25))
    const size = rng.int(3, 7)
    for (let i = 0; i < size && places.length < count; i++) places.push({ division, area })
    if (--areasLeftInDivision === 0) {
      divisionIndex++
      areasLeftInDivision = rng.int(3, 6)
    }
  }
  return places
}

function expectedYearPayments(c: ClubPlan): number {
  const counters = [c.newPayments, c.octRenewals, c.lateRenewals, c.aprRenewals]
  return counters.reduce((sum, k) => sum + k.final, c.charterMembers)
}

function compareClubs(a: ClubPlan, b: ClubPlan): number {
  if (a.division !== b.division) return a.division < b.division ? -1 : 1
  if (a.area !== b.area) return a.area < b.area ? -1 : 1
  return a.clubNumber < b.clubNumber ? -1 : a.clubNumber > b.clubNumber ? 1 : 0
}

export function regionOf(seed: number, districtId: string): string {
  if (districtId === 'U') return 'DNAR'
  return String(1 + (hashKey(seed, 'region', districtId) % 14)).padStart(2, '0')
}

const PREREQUISITES = [
  'DSP',
  'Training',
  'Market Analysis',
  'Communication Plan',
  'Region Advisor Visit',
]

export interface RosterSource {
  roster(districtId: string, programYear: string): DistrictRoster
}

/** A new district of a realignment and the retired districts whose clubs it takes over. */
export interface Succession {
  id: string
  from?: readonly string[]
}

export function createRosterSource(
  seed: number,
  clubCounts: Record<string, number> = {},
  successions: readonly Succession[] = [],
): RosterSource {
  const universes = new Map<string, UniverseClub[]>()
  const rosters = new Map<string, DistrictRoster>()
  const successorsOf = (retired: string): string[] =>
    successions.filter((s) => s.from?.includes(retired)).map((s) => s.id)
  const universeOf = (districtId: string): UniverseClub[] => {
    let universe = universes.get(districtId)
    if (!universe) {
      const from = successions.find((s) => s.id === districtId)?.from ?? []
      universe =
        from.length > 0
          ? from.flatMap((retired) => movedClubs(seed, universeOf(retired), retired, districtId))
          : generateUniverse(
              seed,
              districtId,
              clubCounts[districtId] ?? defaultClubCount(seed, districtId),
            )
      universes.set(districtId, universe)
    }
    return universe
  }
  /** The clubs of a retired district that move to `successor`: same numbers and names. */
  function movedClubs(
    seed: number,
    clubs: UniverseClub[],
    retired: string,
    successor: string,
  ): UniverseClub[] {
    const heirs = successorsOf(retired)
    const index = heirs.indexOf(successor)
    return clubs.filter(
      (c) => hashKey(seed, 'realign', retired, c.clubNumber) % heirs.length === index,
    )
  }
  return {
    roster(districtId, programYear) {
      const key = `${districtId}|${programYear}`
      let roster = rosters.get(key)
      if (!roster) {
        roster = buildRoster(seed, districtId, programYear, universeOf(districtId))
        rosters.set(key, roster)
      }
      return roster
    },
  }
}

function buildRoster(
  seed: number,
  districtId: string,
  programYear: string,
  universe: UniverseClub[],
): DistrictRoster {
  const year = programYearStart(programYear)
  const alive = universe.filter(
    (c) => (c.birthYear ?? -Infinity) <= year && (c.deathYear ?? Infinity) >= year,
  )
  const existing = alive
    .filter((c) => c.birthYear !== year)
    .sort((a, b) => hashKey(seed, 'place', a.clubNumber) - hashKey(seed, 'place', b.clubNumber))
  const places = placeClubs(rngFor(seed, 'areas', districtId, programYear), existing.length)
  const plan = (c: UniverseClub, division: string, area: string): ClubPlan =>
    planClub(
      {
        districtId,
        clubNumber: c.clubNumber,
        clubName: c.clubName,
        division,
        area,
        programYearStart: year,
        isChartered: c.birthYear === year,
        isSuspended: c.deathYear === year,
      },
      rngFor(seed, 'plan', districtId, programYear, c.clubNumber),
    )
  const clubs = [
    ...existing.map((c, i) => plan(c, places[i]?.division ?? 'A', places[i]?.area ?? '01')),
    ...alive.filter((c) => c.birthYear === year).map((c) => plan(c, '0D', '0A')),
  ].sort(compareClubs)
  const rng = rngFor(seed, 'district', districtId, programYear)
  // Last year's payments ≈ this year's expected total, give or take 10%.
  const expectedPayments = clubs.reduce((sum, c) => sum + expectedYearPayments(c), 0)
  const prerequisiteDays: Record<string, number | null> = {}
  for (const name of PREREQUISITES)
    prerequisiteDays[name] = rng.chance(0.85) ? rng.int(30, 300) : null
  return {
    districtId,
    programYear,
    region: regionOf(seed, districtId),
    clubs,
    paymentBase: Math.max(1, Math.round((expectedPayments * rng.int(95, 112)) / 100)),
    prerequisiteDays,
  }
}
