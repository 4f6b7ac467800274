/**
 * One district on one as-of: its clubs' values plus the area, division and district
 * aggregates the division report and the summary derive from them (docs/upstream.md#districtsummary, docs/upstream.md#divisionperformance).
 */
import type { IsoDate } from '../shared/iso-date.ts'
import { diffDays } from '../shared/iso-date.ts'
import type { ClubValues } from './club-values.ts'
import { clubValuesAt, isClubPresent } from './club-values.ts'
import { programYearStart } from './headers.ts'
import type { DistrictRoster } from './roster.ts'

export interface GroupStats {
  clubBase: number
  paidClubs: number
  distinguishedClubs: number
  paidGoals: [number, number, number]
  distinguishedGoals: [number, number, number]
  /** `Distinguished`, `Select Distinguished`, `Presidents Distinguished` or empty. */
  recognition: string
}

export interface DistrictTotals {
  region: string
  districtId: string
  /** Prerequisite column → `Y`/`N`, for every prerequisite the year might print. */
  prerequisites: Record<string, 'Y' | 'N'>
  newPayments: number
  aprilPayments: number
  octoberPayments: number
  latePayments: number
  charterPayments: number
  totalYtdPayments: number
  paymentBase: number
  paidClubBase: number
  paidClubs: number
  activeClubs: number
  distinguishedClubs: number
  selectDistinguishedClubs: number
  presidentsDistinguishedClubs: number
  smedleyDistinguishedClubs: number
  totalDistinguishedClubs: number
}

export interface DistrictSnapshot {
  programYear: string
  clubs: ClubValues[]
  /** Keyed `division|area`. */
  areas: Map<string, GroupStats>
  divisions: Map<string, GroupStats>
  totals: DistrictTotals
}

const TIERS = ['Distinguished', 'Select Distinguished', 'Presidents Distinguished'] as const

function recognition(
  base: number,
  paid: number,
  distinguished: number,
  goals: Pick<GroupStats, 'paidGoals' | 'distinguishedGoals'>,
): string {
  if (base === 0) return ''
  let level = ''
  TIERS.forEach((tier, i) => {
    if (paid >= goals.paidGoals[i]! && distinguished >= goals.distinguishedGoals[i]!) level = tier
  })
  return level
}

/** Area goals: paid base/base/base+1, distinguished ⌈50%⌉/⌈50%⌉+1/⌈50%⌉+1 (docs/upstream.md#divisionperformance). */
function areaGoals(base: number): Pick<GroupStats, 'paidGoals' | 'distinguishedGoals'> {
  const half = Math.ceil(base * 0.5)
  return { paidGoals: [base, base, base + 1], distinguishedGoals: [half, half + 1, half + 1] }
}

/** Division goals: paid base/base+1/base+2, distinguished ⌈45%⌉/⌈50%⌉/⌈55%⌉. */
function divisionGoals(base: number): Pick<GroupStats, 'paidGoals' | 'distinguishedGoals'> {
  const pct = (p: number): number => Math.ceil((base * p) / 100)
  return {
    paidGoals: [base, base + 1, base + 2],
    distinguishedGoals: [pct(45), pct(50), pct(55)],
  }
}

function groupStats(
  clubs: ClubValues[],
  goalsFor: (base: number) => Pick<GroupStats, 'paidGoals' | 'distinguishedGoals'>,
): GroupStats {
  const clubBase = clubs.filter((c) => c.inClubBase).length
  const paidClubs = clubs.filter((c) => c.status === 'Active').length
  const distinguishedClubs = clubs.filter((c) => c.distinguishedStatus !== '').length
  const goals = goalsFor(clubBase)
  return {
    clubBase,
    paidClubs,
    distinguishedClubs,
    ...goals,
    recognition: recognition(clubBase, paidClubs, distinguishedClubs, goals),
  }
}

function groupBy(clubs: ClubValues[], key: (c: ClubValues) => string): Map<string, ClubValues[]> {
  const groups = new Map<string, ClubValues[]>()
  for (const club of clubs) {
    const k = key(club)
    const list = groups.get(k)
    if (list) list.push(club)
    else groups.set(k, [club])
  }
  return groups
}

function mapValues<V, W>(map: Map<string, V>, fn: (v: V) => W): Map<string, W> {
  return new Map([...map].map(([k, v]) => [k, fn(v)]))
}

function sum(clubs: ClubValues[], pick: (c: ClubValues) => number): number {
  return clubs.reduce((total, c) => total + pick(c), 0)
}

function districtTotals(roster: DistrictRoster, clubs: ClubValues[], day: number): DistrictTotals {
  const prerequisites: Record<string, 'Y' | 'N'> = {}
  for (const [name, onDay] of Object.entries(roster.prerequisiteDays))
    prerequisites[name] = onDay !== null && day >= onDay ? 'Y' : 'N'
  const letters = (l: string): number => clubs.filter((c) => c.distinguishedStatus === l).length
  const [d, s, p, m] = [letters('D'), letters('S'), letters('P'), letters('M')]
  return {
    region: roster.region,
    districtId: roster.districtId,
    prerequisites,
    newPayments: sum(clubs, (c) => c.payments.newMembers),
    aprilPayments: sum(clubs, (c) => c.payments.aprRenewals),
    octoberPayments: sum(clubs, (c) => c.payments.octRenewals),
    latePayments: sum(clubs, (c) => c.payments.lateRenewals),
    charterPayments: sum(clubs, (c) => c.payments.charter),
    totalYtdPayments: sum(clubs, (c) => c.payments.totalToDate),
    paymentBase: roster.paymentBase,
    paidClubBase: clubs.filter((c) => c.inClubBase).length,
    paidClubs: clubs.filter((c) => c.status === 'Active').length,
    activeClubs: clubs.filter((c) => c.status !== 'Suspended').length,
    distinguishedClubs: d,
    selectDistinguishedClubs: s,
    presidentsDistinguishedClubs: p,
    smedleyDistinguishedClubs: m,
    totalDistinguishedClubs: d + s + p + m,
  }
}

/**
 * `shiftDays` > 0 computes the values of a later day under the same as-of: that is how a
 * restatement (late-arriving data under an unchanged stamp) is modelled.
 */
export function computeDistrictSnapshot(
  roster: DistrictRoster,
  asOf: IsoDate,
  shiftDays = 0,
): DistrictSnapshot {
  const pyStart = programYearStart(roster.programYear)
  const day = diffDays(`${pyStart}-07-01`, asOf) + shiftDays
  const clubs = roster.clubs
    .filter((plan) => isClubPresent(plan, day))
    .map((plan) => clubValuesAt(plan, day, pyStart))
  return {
    programYear: roster.programYear,
    clubs,
    areas: mapValues(
      groupBy(clubs, (c) => `${c.division}|${c.area}`),
      (g) => groupStats(g, areaGoals),
    ),
    divisions: mapValues(
      groupBy(clubs, (c) => c.division),
      (g) => groupStats(g, divisionGoals),
    ),
    totals: districtTotals(roster, clubs, day),
  }
}
