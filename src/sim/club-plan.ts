/**
 * One club's plan for one program year: every number the club will show on any day of the
 * year is a pure function of this plan and the day index (days since 1 July). Cumulative
 * counters are ramps, so they never decrease within the year; a new year draws a new plan.
 */
import type { IsoDate } from '../shared/iso-date.ts'
import { addDays } from '../shared/iso-date.ts'
import type { Rng } from './rng.ts'

/** A cumulative count: `final × ramp^shape`, floored; the ramp runs from `start` to `end`. */
export interface Counter {
  final: number
  start: number
  end: number
  shape: number
}

export function counterAt(c: Counter, day: number): number {
  if (c.final === 0 || day <= c.start) return 0
  if (day >= c.end) return c.final
  return Math.floor(c.final * ((day - c.start) / (c.end - c.start)) ** c.shape)
}

/** A 0 → 1 flag that turns on at `day` (null: never). */
export function flagAt(onDay: number | null, day: number): 0 | 1 {
  return onDay !== null && day >= onDay ? 1 : 0
}

/** Day indexes where the membership periods change (1 Oct, 1 Feb, 1 Apr from 1 July). */
export const OCT_1 = 92
export const FEB_1 = 215
export const APR_1 = 274

export interface ClubPlan {
  districtId: string
  clubNumber: string
  clubName: string
  division: string
  area: string
  /** Counted in the paid-club base of the year (false for clubs chartered during it). */
  inClubBase: boolean
  memBase: number
  charterDay: number | null
  charterDate: IsoDate | null
  charterMembers: number
  suspendDay: number | null
  suspendDate: IsoDate | null
  ineligibleDay: number | null
  newPayments: Counter
  octRenewals: Counter
  lateRenewals: Counter
  aprRenewals: Counter
  level1s: Counter
  level2s: Counter
  level3s: Counter
  level4s: Counter
  trainedRound1: Counter
  trainedRound2: Counter
  duesOctDay: number | null
  duesAprDay: number | null
  offList1Day: number | null
  offList2Day: number | null
  cspDay: number | null
  novVisitDay: number | null
  mayVisitDay: number | null
}

export interface ClubPlanInput {
  districtId: string
  clubNumber: string
  clubName: string
  division: string
  area: string
  programYearStart: number
  isChartered: boolean
  isSuspended: boolean
}

function skewed(rng: Rng, max: number, power: number): number {
  return Math.floor(rng.next() ** power * (max + 1))
}

function ramp(final: number, start: number, end: number, rng: Rng): Counter {
  return { final, start, end: Math.max(end, start + 1), shape: 0.6 + rng.next() * 0.9 }
}

function optionalDay(rng: Rng, p: number, min: number, max: number): number | null {
  const on = rng.chance(p)
  const day = rng.int(min, Math.max(min, max))
  return on ? day : null
}

export function planClub(input: ClubPlanInput, rng: Rng): ClubPlan {
  const pyStartDate = `${input.programYearStart}-07-01`
  const charterDay = input.isChartered ? rng.int(10, 330) : null
  const suspendDay = input.isSuspended
    ? rng.chance(0.5)
      ? rng.int(OCT_1, OCT_1 + 40)
      : rng.int(APR_1, APR_1 + 45)
    : null
  const from = charterDay ?? 0
  const memBase = input.isChartered
    ? 0
    : rng.chance(0.07)
      ? rng.int(3, 7)
      : 8 + skewed(rng, 27, 1.6)
  const charterMembers = input.isChartered ? rng.int(20, 32) : 0
  const newPayments = ramp(skewed(rng, 24, 1.7), from - 1, 390, rng)
  const counters = planRenewals(rng, { memBase, charterDay, charterMembers, newPayments })
  const level1 = skewed(rng, 12, 1.3)
  const l1Start = from + rng.int(0, 60)
  const r1 = rng.chance(0.6) ? rng.int(4, 7) : rng.int(0, 3)
  const r2 = rng.chance(0.55) ? rng.int(4, 7) : rng.int(0, 3)
  return {
    ...input,
    // The paid-club base counts clubs that were paid (8+ members) when the year began.
    inClubBase: !input.isChartered && memBase >= 8,
    memBase,
    charterDay,
    charterDate: charterDay === null ? null : addDays(pyStartDate, charterDay),
    charterMembers,
    suspendDay,
    suspendDate: suspendDay === null ? null : addDays(pyStartDate, suspendDay),
    ineligibleDay: input.isChartered || input.isSuspended ? null : optionalDay(rng, 0.02, 60, 300),
    newPayments,
    ...counters,
    level1s: ramp(level1, l1Start, rng.int(200, 380), rng),
    level2s: ramp(Math.min(level1, skewed(rng, 8, 1.5)), l1Start + 20, rng.int(220, 385), rng),
    level3s: ramp(skewed(rng, 5, 1.8), l1Start + 40, rng.int(240, 385), rng),
    level4s: ramp(skewed(rng, 3, 2), l1Start + 60, rng.int(260, 385), rng),
    trainedRound1: ramp(input.isChartered ? 0 : r1, -30, rng.int(20, 92), rng),
    trainedRound2: ramp(r2, Math.max(from, 123), rng.int(180, 240), rng),
    duesOctDay: charterDay !== null && charterDay >= 60 ? null : optionalDay(rng, 0.8, 40, 92),
    duesAprDay: optionalDay(rng, 0.7, Math.max(230, from + 1), 275),
    offList1Day: optionalDay(rng, 0.85, from, from + 60),
    offList2Day: optionalDay(rng, 0.6, Math.max(150, from), 200),
    cspDay: input.programYearStart >= 2024 ? optionalDay(rng, 0.8, Math.max(20, from), 200) : null,
    novVisitDay: optionalDay(rng, 0.8, 100, 152),
    mayVisitDay: optionalDay(rng, 0.75, 220, 334),
  }
}

interface RenewalInput {
  memBase: number
  charterDay: number | null
  charterMembers: number
  newPayments: Counter
}

/**
 * October renewals come from the members paid at the start of the year (and clubs chartered
 * in July–August); April renewals from those paid in March (and clubs chartered before
 * February). Rates below 1 model members who leave.
 */
function planRenewals(
  rng: Rng,
  club: RenewalInput,
): Pick<ClubPlan, 'octRenewals' | 'lateRenewals' | 'aprRenewals'> {
  const c = club.charterDay
  const octPool =
    c === null
      ? club.memBase + counterAt(club.newPayments, OCT_1)
      : c < 60
        ? club.charterMembers
        : 0
  const octFinal = Math.round(octPool * (0.65 + rng.next() * 0.35))
  const octStart = Math.max(c ?? 0, rng.int(30, 50))
  const octRenewals = ramp(octFinal, octStart, rng.int(octStart + 20, 91), rng)
  const lateRenewals = ramp(Math.min(club.memBase, rng.int(0, 3)), OCT_1, rng.int(150, 250), rng)
  const charterInApril = c !== null && c >= 60 && c < FEB_1 ? club.charterMembers : 0
  const aprPool =
    octFinal + lateRenewals.final + counterAt(club.newPayments, FEB_1) + charterInApril
  const aprFinal = Math.round(aprPool * (0.7 + rng.next() * 0.3))
  const aprStart = Math.max(rng.int(200, 220), (c ?? 0) + 1)
  const aprRenewals = ramp(aprFinal, aprStart, rng.int(aprStart + 30, 272), rng)
  return { octRenewals, lateRenewals, aprRenewals }
}
