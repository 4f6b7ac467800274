import type { AreaStats, DivisionStats, GoalLadder } from '../../shared/district-statistics.ts'
import type { DivisionPerformanceRow, RecognitionGoals } from '../upstream/index.ts'

const ladder = (g: RecognitionGoals): GoalLadder => ({
  distinguished: g.distinguished,
  select: g.selectDistinguished,
  presidents: g.presidentsDistinguished,
})

/**
 * Area and division aggregates are repeated on every club row of the division report
 * (docs/upstream.md#divisionperformance); they are taken from the first row of each and checked for agreement.
 */
export function buildDivisions(rows: readonly DivisionPerformanceRow[]): {
  divisions: DivisionStats[]
  warnings: string[]
} {
  const warnings: string[] = []
  const divisions = new Map<string, DivisionStats>()
  const areas = new Map<string, AreaStats>()
  for (const row of rows) {
    const div = divisions.get(row.division) ?? newDivision(row)
    divisions.set(row.division, div)
    div.clubCount++
    if (
      div.totalPaidClubs !== row.totalPaidDivisionClubs ||
      div.clubBase !== row.divisionClubBase
    ) {
      warnings.push(
        `division ${row.division}: aggregate columns differ between its club rows (club ${row.clubNumber})`,
      )
    }
    const areaKey = `${row.division}|${row.area ?? ''}`
    let area = areas.get(areaKey)
    if (!area) {
      area = newArea(row)
      areas.set(areaKey, area)
      div.areas.push(area)
    } else if (
      area.totalPaidClubs !== row.totalPaidAreaClubs ||
      area.clubBase !== row.areaClubBase
    ) {
      warnings.push(
        `area ${row.division}${row.area ?? ''}: aggregate columns differ between its club rows`,
      )
    }
    area.clubCount++
    area.novVisits += row.novVisitAward ?? 0
    area.mayVisits += row.mayVisitAward ?? 0
  }
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
