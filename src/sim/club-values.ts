/**
 * A club's published values on one day, derived from its plan. Every relation the reference
 * states between columns holds by construction (Total Ren. = Late + Oct + Apr, Net Growth =
 * Active − Base, Goals Met from the DCP columns, …).
 */
import { toShortUsDate } from './format.ts'
import type { ClubPlan } from './club-plan.ts'
import { APR_1, FEB_1, OCT_1, counterAt, flagAt } from './club-plan.ts'

export type ClubStatus = 'Active' | 'Low' | 'Ineligible' | 'Suspended'
export type DistinguishedLetter = '' | 'D' | 'S' | 'P' | 'M'

export interface ClubPayments {
  newMembers: number
  lateRenewals: number
  octRenewals: number
  aprRenewals: number
  totalRenewals: number
  charter: number
  totalToDate: number
}

export interface ClubValues {
  districtId: string
  division: string
  area: string
  clubNumber: string
  clubName: string
  status: ClubStatus
  csp: boolean
  memBase: number
  activeMembers: number
  netGrowth: number
  goalsMet: number
  level1s: number
  level2s: number
  addLevel2s: number
  level3s: number
  level4s: number
  addLevel4s: number
  newMembers: number
  addNewMembers: number
  offTrainedRound1: number
  offTrainedRound2: number
  duesOnTimeOct: number
  duesOnTimeApr: number
  offListOnTime: number
  distinguishedStatus: DistinguishedLetter
  payments: ClubPayments
  novVisitAward: number
  mayVisitAward: number
  /** `Charter 05/22/26`, ` Susp 03/31/26` (leading space, as in real data) or empty. */
  charterSuspendDate: string
  inClubBase: boolean
}

export function isClubPresent(plan: ClubPlan, day: number): boolean {
  return plan.charterDay === null || day >= plan.charterDay
}

function paymentsAt(plan: ClubPlan, day: number): ClubPayments {
  const newMembers = counterAt(plan.newPayments, day)
  const lateRenewals = counterAt(plan.lateRenewals, day)
  const octRenewals = counterAt(plan.octRenewals, day)
  const aprRenewals = counterAt(plan.aprRenewals, day)
  const charter = plan.charterDay !== null && day >= plan.charterDay ? plan.charterMembers : 0
  const totalRenewals = lateRenewals + octRenewals + aprRenewals
  return {
    newMembers,
    lateRenewals,
    octRenewals,
    aprRenewals,
    totalRenewals,
    charter,
    totalToDate: newMembers + totalRenewals + charter,
  }
}

/** Members paid for the current dues period (they drop out on 1 Oct and 1 Apr unless renewed). */
function activeMembersAt(plan: ClubPlan, p: ClubPayments, day: number): number {
  const c = plan.charterDay ?? -1
  if (day < OCT_1) return plan.memBase + p.newMembers + p.charter
  if (day < APR_1) return p.octRenewals + p.lateRenewals + p.newMembers + (c >= 60 ? p.charter : 0)
  const joinedSinceFeb = p.newMembers - counterAt(plan.newPayments, FEB_1)
  return p.aprRenewals + joinedSinceFeb + (c >= FEB_1 ? p.charter : 0)
}

function statusAt(plan: ClubPlan, active: number, day: number): ClubStatus {
  if (plan.suspendDay !== null && day >= plan.suspendDay) return 'Suspended'
  if (plan.ineligibleDay !== null && day >= plan.ineligibleDay) return 'Ineligible'
  return active < 8 ? 'Low' : 'Active'
}

/** docs/upstream.md#domain-rules-behind-the-columns: the ten DCP goals and the columns feeding them. */
export function countGoalsMet(v: Omit<ClubValues, 'goalsMet' | 'distinguishedStatus'>): number {
  // Summed rather than collected into an array: this runs for every club of every snapshot.
  return (
    +(v.level1s >= 4) +
    +(v.level2s >= 2) +
    +(v.addLevel2s >= 2) +
    +(v.level3s >= 2) +
    +(v.level4s >= 1) +
    +(v.addLevel4s >= 1) +
    +(v.newMembers >= 4) +
    +(v.addNewMembers >= 4) +
    +(v.offTrainedRound1 >= 4 && v.offTrainedRound2 >= 4) +
    +(v.offListOnTime >= 1 && (v.duesOnTimeOct >= 1 || v.duesOnTimeApr >= 1))
  )
}

/** Club levels (docs/upstream.md#domain-rules-behind-the-columns); Smedley (`M`) and the CSP requirement exist from 2025-26. */
export function distinguishedLetter(
  goals: number,
  active: number,
  net: number,
  csp: boolean,
  status: ClubStatus,
  pyStart: number,
): DistinguishedLetter {
  if (status === 'Suspended' || (pyStart >= 2025 && !csp)) return ''
  if (pyStart >= 2025 && goals >= 10 && active >= 25) return 'M'
  if (goals >= 9 && active >= 20) return 'P'
  if (goals >= 7 && (active >= 20 || net >= 5)) return 'S'
  if (goals >= 5 && (active >= 20 || net >= 3)) return 'D'
  return ''
}

function charterSuspendCell(plan: ClubPlan, day: number): string {
  if (plan.suspendDate !== null && plan.suspendDay !== null && day >= plan.suspendDay)
    return ` Susp ${toShortUsDate(plan.suspendDate)}`
  if (plan.charterDate !== null) return `Charter ${toShortUsDate(plan.charterDate)}`
  return ''
}

/**
 * Built as one object whose last two fields are filled in once the others are known (not a
 * partial spread into a second object): a snapshot makes one per club, and the simulator makes
 * thousands of snapshots in a test run (docs/performance.md#simulator).
 */
export function clubValuesAt(plan: ClubPlan, dayIndex: number, pyStart: number): ClubValues {
  // A suspended club's counters freeze on its suspension day.
  const day = plan.suspendDay !== null ? Math.min(dayIndex, plan.suspendDay) : dayIndex
  const isSuspended = plan.suspendDay !== null && dayIndex >= plan.suspendDay
  const payments = paymentsAt(plan, day)
  const activeMembers = isSuspended ? 0 : activeMembersAt(plan, payments, day)
  const status = statusAt(plan, activeMembers, dayIndex)
  // The first 2 Level 2s (1 Level 4, 4 new members) count for one goal, the rest for the next.
  const level2Total = counterAt(plan.level2s, day)
  const level4Total = counterAt(plan.level4s, day)
  const values: ClubValues = {
    districtId: plan.districtId,
    division: plan.division,
    area: plan.area,
    clubNumber: plan.clubNumber,
    clubName: plan.clubName,
    status,
    csp: flagAt(plan.cspDay, day) === 1,
    memBase: plan.memBase,
    activeMembers,
    netGrowth: activeMembers - plan.memBase,
    goalsMet: 0,
    level1s: counterAt(plan.level1s, day),
    level2s: Math.min(level2Total, 2),
    addLevel2s: level2Total - Math.min(level2Total, 2),
    level3s: counterAt(plan.level3s, day),
    level4s: Math.min(level4Total, 1),
    addLevel4s: level4Total - Math.min(level4Total, 1),
    newMembers: Math.min(payments.newMembers, 4),
    addNewMembers: payments.newMembers - Math.min(payments.newMembers, 4),
    offTrainedRound1: counterAt(plan.trainedRound1, day),
    offTrainedRound2: counterAt(plan.trainedRound2, day),
    duesOnTimeOct: flagAt(plan.duesOctDay, day),
    duesOnTimeApr: flagAt(plan.duesAprDay, day),
    offListOnTime: flagAt(plan.offList1Day, day) + flagAt(plan.offList2Day, day),
    distinguishedStatus: '',
    payments,
    novVisitAward: flagAt(plan.novVisitDay, day),
    mayVisitAward: flagAt(plan.mayVisitDay, day),
    charterSuspendDate: charterSuspendCell(plan, dayIndex),
    inClubBase: plan.inClubBase,
  }
  values.goalsMet = countGoalsMet(values)
  values.distinguishedStatus = distinguishedLetter(
    values.goalsMet,
    activeMembers,
    values.netGrowth,
    values.csp,
    status,
    pyStart,
  )
  return values
}
