import type {
  ClubStats,
  DistrictSummaryStats,
  DistrictTotals,
} from '../../shared/district-statistics.ts'

const n = (v: number | null | undefined): number => v ?? 0

/** District totals summed over the joined clubs. */
export function computeTotals(clubs: readonly ClubStats[]): DistrictTotals {
  const t: DistrictTotals = {
    clubCount: clubs.length,
    clubsByStatus: {},
    membership: { base: 0, active: 0, netGrowth: 0 },
    payments: {
      new: 0,
      lateRenewals: 0,
      octRenewals: 0,
      aprRenewals: 0,
      totalRenewals: 0,
      charter: 0,
      totalToDate: 0,
    },
    distinguishedByLevel: {},
    distinguishedTotal: 0,
    dcp: { goalsMet: 0, clubsByGoalsMet: Array.from({ length: 11 }, () => 0) },
    awards: {
      level1s: 0,
      level2s: 0,
      addLevel2s: 0,
      level3s: 0,
      level4s: 0,
      addLevel4s: 0,
      total: 0,
    },
    newMembers: 0,
    officersTrained: { round1: 0, round2: 0 },
    charters: 0,
    suspensions: 0,
  }
  for (const c of clubs) {
    const status = c.status ?? 'Unknown'
    t.clubsByStatus[status] = (t.clubsByStatus[status] ?? 0) + 1
    t.membership.base += n(c.membershipBase)
    t.membership.active += n(c.activeMembers)
    if (c.payments) {
      for (const k of Object.keys(t.payments) as (keyof DistrictTotals['payments'])[])
        t.payments[k] += n(c.payments[k])
    }
    if (c.distinguishedStatus) {
      t.distinguishedByLevel[c.distinguishedStatus] =
        (t.distinguishedByLevel[c.distinguishedStatus] ?? 0) + 1
      t.distinguishedTotal++
    }
    if (c.goalsMet !== null && c.goalsMet >= 0 && c.goalsMet <= 10) {
      t.dcp.goalsMet += c.goalsMet
      t.dcp.clubsByGoalsMet[c.goalsMet] = (t.dcp.clubsByGoalsMet[c.goalsMet] ?? 0) + 1
    }
    for (const k of Object.keys(c.awards) as (keyof ClubStats['awards'])[]) {
      t.awards[k] += n(c.awards[k])
      t.awards.total += n(c.awards[k])
    }
    t.newMembers += n(c.newMembers) + n(c.addNewMembers)
    t.officersTrained.round1 += n(c.officersTrainedRound1)
    t.officersTrained.round2 += n(c.officersTrainedRound2)
    if (c.charterDate) t.charters++
    if (c.suspendDate) t.suspensions++
  }
  t.membership.netGrowth = t.membership.active - t.membership.base
  return t
}

/**
 * Relations between columns and reports (docs/upstream.md#the-four-reports, docs/upstream.md#domain-rules-behind-the-columns). A broken
 * relation is a warning recorded in the snapshot, never a silent repair.
 */
export function crossCheck(
  clubs: readonly ClubStats[],
  totals: DistrictTotals,
  summary: DistrictSummaryStats | null,
): string[] {
  const w: string[] = []
  for (const c of clubs) {
    const id = `club ${c.clubNumber}`
    if (
      c.netGrowth !== null &&
      c.activeMembers !== null &&
      c.membershipBase !== null &&
      c.netGrowth !== c.activeMembers - c.membershipBase
    ) {
      w.push(
        `${id}: Net Growth ${c.netGrowth} != Active Members ${c.activeMembers} - Mem. Base ${c.membershipBase}`,
      )
    }
    if (c.goalsMet !== null && (c.goalsMet < 0 || c.goalsMet > 10))
      w.push(`${id}: Goals Met ${c.goalsMet} outside 0..10`)
    const p = c.payments
    if (
      p &&
      p.totalRenewals !== null &&
      p.totalRenewals !== n(p.lateRenewals) + n(p.octRenewals) + n(p.aprRenewals)
    ) {
      w.push(`${id}: Total Ren. ${p.totalRenewals} != Late + Oct + Apr`)
    }
    if (
      p &&
      p.totalToDate !== null &&
      p.totalToDate !== n(p.new) + n(p.totalRenewals) + n(p.charter)
    ) {
      w.push(`${id}: Total to Date ${p.totalToDate} != New + Total Ren. + Total Chart`)
    }
    const d = c.divisionReport
    if (
      d &&
      d.membershipToDate !== null &&
      c.activeMembers !== null &&
      d.membershipToDate !== c.activeMembers
    ) {
      w.push(`${id}: Membership to date ${d.membershipToDate} != Active Members ${c.activeMembers}`)
    }
    if (d && d.clubGoalsMet !== null && c.goalsMet !== null && d.clubGoalsMet !== c.goalsMet) {
      w.push(`${id}: Club Goals Met ${d.clubGoalsMet} != Goals Met ${c.goalsMet}`)
    }
  }
  if (summary) w.push(...checkAgainstSummary(totals, summary))
  return w
}

function checkAgainstSummary(totals: DistrictTotals, s: DistrictSummaryStats): string[] {
  const w: string[] = []
  const ytd = s.payments.totalYtd
  if (ytd !== null && ytd !== totals.payments.totalToDate) {
    w.push(
      `summary Total YTD Payments ${ytd} != sum of club Total to Date ${totals.payments.totalToDate}`,
    )
  }
  const parts = [
    s.payments.new,
    s.payments.april,
    s.payments.october,
    s.payments.late,
    s.payments.charter,
  ]
  if (
    ytd !== null &&
    parts.every((v) => v !== null) &&
    ytd !== parts.reduce((a, b) => n(a) + n(b), 0)
  ) {
    w.push(`summary Total YTD Payments ${ytd} != New + April + October + Late + Charter`)
  }
  if (s.clubs.active !== null && s.clubs.active > totals.clubCount) {
    w.push(`summary Active Clubs ${s.clubs.active} > clubs listed ${totals.clubCount}`)
  }
  const dist = s.distinguished
  const tiers = [dist.distinguished, dist.select, dist.presidents, dist.smedley]
  if (dist.total !== null && dist.total !== tiers.reduce((a: number, b) => a + n(b), 0)) {
    w.push(`summary Total Distinguished Clubs ${dist.total} != sum of tiers`)
  }
  if (dist.total !== null && s.clubs.paid !== null && dist.total > s.clubs.paid) {
    w.push(`summary Total Distinguished Clubs ${dist.total} > Paid Clubs ${s.clubs.paid}`)
  }
  return w
}
