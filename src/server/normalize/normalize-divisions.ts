import type { AreaStats, DivisionStats, GoalLadder } from '../../shared/district-statistics.ts'
import type { DivisionPerformanceRow, RecognitionGoals } from '../upstream/index.ts'

const ladder = (g: RecognitionGoals): GoalLadder => ({
  distinguished: g.distinguished,
  select: g.selectDistinguished,
  presidents: g.presidentsDistinguished,
})

type Aggregate = readonly [column: string, value: (row: DivisionPerformanceRow) => unknown]

const goalColumns = (
  prefix: string,
  goals: (row: DivisionPerformanceRow) => RecognitionGoals,
): Aggregate[] => [
  [`${prefix} for Dist.`, (r) => goals(r).distinguished],
  [`${prefix} for Select Dist.`, (r) => goals(r).selectDistinguished],
  [`${prefix} for Pres. Dist.`, (r) => goals(r).presidentsDistinguished],
]

/** Every area aggregate column of the division report (docs/upstream.md#divisionperformance). */
const AREA_AGGREGATES: Aggregate[] = [
  ['Area Club Base', (r) => r.areaClubBase],
  ...goalColumns('Area Paid Club Goal', (r) => r.areaPaidClubGoals),
  ['Total Paid Area Clubs', (r) => r.totalPaidAreaClubs],
  ...goalColumns('Area Dist. Club Goal', (r) => r.areaDistinguishedClubGoals),
  ['Total Dist. Area Clubs', (r) => r.totalDistinguishedAreaClubs],
  ['Distinguished Area', (r) => r.distinguishedArea],
]

const DIVISION_AGGREGATES: Aggregate[] = [
  ['Division Club Base', (r) => r.divisionClubBase],
  ...goalColumns('Division Paid Club Goal', (r) => r.divisionPaidClubGoals),
  ['Total Paid Division Clubs', (r) => r.totalPaidDivisionClubs],
  ...goalColumns('Division Dist. Club Goal', (r) => r.divisionDistinguishedClubGoals),
  ['Total Dist. Division Clubs', (r) => r.totalDistinguishedDivisionClubs],
  ['Distinguished Division', (r) => r.distinguishedDivision],
]

/** Rows of one area or division, for the agreement check of its aggregate columns. */
class Group {
  readonly rows: DivisionPerformanceRow[] = []
  constructor(readonly label: string) {}

  /**
   * One warning naming every aggregate column on which the rows disagree, each value with the
   * clubs that carry it; null when all rows agree. The stored value is the first row's.
   */
  disagreement(columns: readonly Aggregate[]): string | null {
    const parts: string[] = []
    for (const [column, value] of columns) {
      const byValue = new Map<string, string[]>()
      for (const row of this.rows) {
        const v = JSON.stringify(value(row) ?? null)
        byValue.set(v, [...(byValue.get(v) ?? []), row.clubNumber])
      }
      if (byValue.size < 2) continue
      const values = [...byValue].map(([v, clubs]) => `${v} (club ${clubs.join(', ')})`)
      parts.push(`${column} ${values.join(' vs ')}`)
    }
    if (parts.length === 0) return null
    return `${this.label}: aggregate columns differ between its club rows, the first row's value is kept: ${parts.join('; ')}`
  }
}

/**
 * Area and division aggregates are repeated on every club row of the division report
 * (docs/upstream.md#divisionperformance); they are taken from the first row of each group, and
 * any later row that differs on any aggregate column is named in one warning per group.
 */
export function buildDivisions(rows: readonly DivisionPerformanceRow[]): {
  divisions: DivisionStats[]
  warnings: string[]
} {
  const divisions = new Map<string, DivisionStats>()
  const areas = new Map<string, AreaStats>()
  const divisionGroups = new Map<string, Group>()
  const areaGroups = new Map<string, Group>()
  for (const row of rows) {
    const div = divisions.get(row.division) ?? newDivision(row)
    divisions.set(row.division, div)
    div.clubCount++
    const divGroup = divisionGroups.get(row.division) ?? new Group(`division ${row.division}`)
    divisionGroups.set(row.division, divGroup)
    divGroup.rows.push(row)
    const areaKey = `${row.division}|${row.area ?? ''}`
    let area = areas.get(areaKey)
    if (!area) {
      area = newArea(row)
      areas.set(areaKey, area)
      div.areas.push(area)
      areaGroups.set(areaKey, new Group(`area ${row.division}${row.area ?? ''}`))
    }
    areaGroups.get(areaKey)?.rows.push(row)
    area.clubCount++
    area.novVisits += row.novVisitAward ?? 0
    area.mayVisits += row.mayVisitAward ?? 0
  }
  const warnings = [
    ...[...divisionGroups.values()].map((g) => g.disagreement(DIVISION_AGGREGATES)),
    ...[...areaGroups.values()].map((g) => g.disagreement(AREA_AGGREGATES)),
  ].filter((w) => w !== null)
  return { divisions: [...divisions.values()], warnings }
}

function newDivision(row: DivisionPerformanceRow): DivisionStats {
  return {
    division: row.division,
    clubBase: row.divisionClubBase,
    paidClubGoals: ladder(row.divisionPaidClubGoals),
    totalPaidClubs: row.totalPaidDivisionClubs,
    distinguishedClubGoals: ladder(row.divisionDistinguishedClubGoals),
    totalDistinguishedClubs: row.totalDistinguishedDivisionClubs,
    recognition: row.distinguishedDivision,
    clubCount: 0,
    areas: [],
  }
}

function newArea(row: DivisionPerformanceRow): AreaStats {
  return {
    division: row.division,
    area: row.area ?? '',
    clubBase: row.areaClubBase,
    paidClubGoals: ladder(row.areaPaidClubGoals),
    totalPaidClubs: row.totalPaidAreaClubs,
    distinguishedClubGoals: ladder(row.areaDistinguishedClubGoals),
    totalDistinguishedClubs: row.totalDistinguishedAreaClubs,
    recognition: row.distinguishedArea,
    clubCount: 0,
    novVisits: 0,
    mayVisits: 0,
  }
}
