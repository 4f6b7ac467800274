/**
 * Cell-by-cell round trip: every non-empty cell of every body is found, with its value, in the
 * district file the product stores (parse → normalize → file store on a temp dir → read back).
 * The bodies: the real exports of test/fixtures/real-exports (club reports; the division and
 * district reports are header-only there, no real ones exist) and the four reports of one
 * simulated date (fetched over loopback), so every column of every report is covered. The
 * column → field table below is this test's own, written from docs/upstream.md#the-four-reports.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { normalizeFullDistrict } from '../../src/server/normalize/index.ts'
import { createFileSnapshotStore } from '../../src/server/storage/file-snapshot-store.ts'
import { districtFile, makeTempRoot, FIXED_NOW } from '../../src/server/storage/test-helpers.ts'
import { verify } from '../../src/server/storage/verify.ts'
import {
  createDashboardClient,
  parseCsvBody,
  parseReportBody,
} from '../../src/server/upstream/index.ts'
import type {
  AreaStats,
  ClubStats,
  DistrictStatistics,
  DivisionStats,
} from '../../src/shared/district-statistics.ts'
import type { ReportKind } from '../../src/shared/snapshot-types.ts'
import { startSimulator } from '../../src/sim/index.ts'

const FIXTURES = new URL('../fixtures/real-exports/', import.meta.url)
const REAL_BODIES = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.csv'))
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(name, FIXTURES), 'utf8') }))

type Stored = string | number | boolean | null | undefined
type Per<T> = (x: T) => Stored

const CLUB_COLUMNS: Record<string, Per<ClubStats>> = {
  District: (c) => c.reportCells?.club?.district,
  Division: (c) => c.reportCells?.club?.division,
  Area: (c) => c.reportCells?.club?.area,
  'Club Number': (c) => c.clubNumber,
  'Club Name': (c) => c.clubName,
  'Club Status': (c) => c.status,
  CSP: (c) => c.csp,
  'Mem. Base': (c) => c.membershipBase,
  'Active Members': (c) => c.activeMembers,
  'Net Growth': (c) => c.netGrowth,
  'Goals Met': (c) => c.goalsMet,
  'Level 1s': (c) => c.awards.level1s,
  'Level 2s': (c) => c.awards.level2s,
  'Level 2s or EOM': (c) => c.awards.level2s,
  'Add. Level 2s': (c) => c.awards.addLevel2s,
  'Add. Level 2s or EOM': (c) => c.awards.addLevel2s,
  'Level 3s': (c) => c.awards.level3s,
  'Level 4s, Path Completions, or DTM Awards': (c) => c.awards.level4s,
  'Level 4s, Level 5s, or DTM award': (c) => c.awards.level4s,
  'Add. Level 4s, Path Completions, or DTM award': (c) => c.awards.addLevel4s,
  'Add. Level 4s, Level 5s, or DTM award': (c) => c.awards.addLevel4s,
  'New Members': (c) => c.newMembers,
  'Add. New Members': (c) => c.addNewMembers,
  'Off. Trained Round 1': (c) => c.officersTrainedRound1,
  'Off. Trained Round 2': (c) => c.officersTrainedRound2,
  'Mem. dues on time Oct': (c) => c.duesOnTimeOct,
  'Mem. dues on time Apr': (c) => c.duesOnTimeApr,
  'Off. List On Time': (c) => c.officerListOnTime,
  'Club Distinguished Status': (c) => c.distinguishedStatus,
}

const ladder = (
  prefix: string,
  pick: (g: AreaStats | DivisionStats) => AreaStats['paidClubGoals'],
) => ({
  [`${prefix} for Dist.`]: (g: AreaStats | DivisionStats) => pick(g).distinguished,
  [`${prefix} for Select Dist.`]: (g: AreaStats | DivisionStats) => pick(g).select,
  [`${prefix} for Pres. Dist.`]: (g: AreaStats | DivisionStats) => pick(g).presidents,
})

/** Division-report columns that describe the club's area / division rather than the club. */
const AREA_COLUMNS: Record<string, Per<AreaStats>> = {
  'Area Club Base': (a) => a.clubBase,
  ...ladder('Area Paid Club Goal', (g) => g.paidClubGoals),
  'Total Paid Area Clubs': (a) => a.totalPaidClubs,
  ...ladder('Area Dist. Club Goal', (g) => g.distinguishedClubGoals),
  'Total Dist. Area Clubs': (a) => a.totalDistinguishedClubs,
  'Distinguished Area': (a) => a.recognition,
}
const DIVISION_COLUMNS: Record<string, Per<DivisionStats>> = {
  'Division Club Base': (d) => d.clubBase,
  ...ladder('Division Paid Club Goal', (g) => g.paidClubGoals),
  'Total Paid Division Clubs': (d) => d.totalPaidClubs,
  ...ladder('Division Dist. Club Goal', (g) => g.distinguishedClubGoals),
  'Total Dist. Division Clubs': (d) => d.totalDistinguishedClubs,
  'Distinguished Division': (d) => d.recognition,
}

const DIVISION_CLUB_COLUMNS: Record<string, Per<ClubStats>> = {
  District: (c) => c.reportCells?.division?.district,
  Division: (c) => c.reportCells?.division?.division,
  Area: (c) => c.reportCells?.division?.area,
  Club: (c) => c.clubNumber,
  'Club Name': (c) => c.reportCells?.division?.clubName,
  'October Renewals': (c) => c.divisionReport?.octoberRenewals,
  'April Renewals': (c) => c.divisionReport?.aprilRenewals,
  'Nov Visit award': (c) => c.divisionReport?.novVisit,
  'May Visit award': (c) => c.divisionReport?.mayVisit,
  'May visit award': (c) => c.divisionReport?.mayVisit,
  'Membership to date': (c) => c.divisionReport?.membershipToDate,
  'Club Goals Met': (c) => c.divisionReport?.clubGoalsMet,
  'Distinguished Club': (c) => c.divisionReport?.distinguishedClub,
  'Charter Date/Suspend Date': (c) => c.charterSuspendText,
}

const DISTRICT_CLUB_COLUMNS: Record<string, Per<ClubStats>> = {
  District: (c) => c.reportCells?.district?.district,
  Division: (c) => c.reportCells?.district?.division,
  Area: (c) => c.reportCells?.district?.area,
  Club: (c) => c.clubNumber,
  'Club Name': (c) => c.reportCells?.district?.clubName,
  New: (c) => c.payments?.new,
  'Late Ren.': (c) => c.payments?.lateRenewals,
  'Oct. Ren.': (c) => c.payments?.octRenewals,
  'Apr. Ren.': (c) => c.payments?.aprRenewals,
  'Total Ren.': (c) => c.payments?.totalRenewals,
  'Total Chart': (c) => c.payments?.charter,
  'Total to Date': (c) => c.payments?.totalToDate,
  'Distinguished Status': (c) => c.reportCells?.district?.distinguishedStatus,
  'Charter Date/Suspend Date': (c) => c.charterSuspendText,
}

type Summary = NonNullable<DistrictStatistics['summary']>
const SUMMARY_COLUMNS: Record<string, Per<Summary>> = {
  REGION: (s) => s.region,
  'New Payments': (s) => s.payments.new,
  'April Payments': (s) => s.payments.april,
  'October Payments': (s) => s.payments.october,
  'Late Payments': (s) => s.payments.late,
  'Charter Payments': (s) => s.payments.charter,
  'Total YTD Payments': (s) => s.payments.totalYtd,
  'Payment Base': (s) => s.payments.base,
  '% Payment Growth': (s) => s.payments.growth?.text,
  'Paid Club Base': (s) => s.clubs.paidBase,
  'Paid Clubs': (s) => s.clubs.paid,
  '% Club Growth': (s) => s.clubs.growth?.text,
  'Active Clubs': (s) => s.clubs.active,
  'Distinguished Clubs': (s) => s.distinguished.distinguished,
  'Select Distinguished Clubs': (s) => s.distinguished.select,
  'Presidents Distinguished Clubs': (s) => s.distinguished.presidents,
  'Smedley Distinguished Clubs': (s) => s.distinguished.smedley,
  'Total Distinguished Clubs': (s) => s.distinguished.total,
  '% Distinguished Clubs': (s) => s.distinguished.percent?.text,
}
for (const p of [
  'DSP',
  'Training',
  'Market Analysis',
  'Communication Plan',
  'Region Advisor Visit',
])
  SUMMARY_COLUMNS[p] = (s) => s.prerequisites[p]

/** A stored value stands for a cell: numbers by value, Y/N flags as booleans, text verbatim. */
function holds(stored: Stored, cell: string): boolean {
  if (typeof stored === 'number') return /^-?\d+$/.test(cell.trim()) && Number(cell) === stored
  if (typeof stored === 'boolean') return cell.trim().toUpperCase() === (stored ? 'Y' : 'N')
  return stored === cell
}

interface Tally {
  cells: number
  missing: string[]
}

function check(
  tally: Tally,
  where: string,
  header: readonly string[],
  cells: readonly string[],
  lookup: (column: string) => Stored[],
) {
  header.forEach((column, i) => {
    const cell = cells[i] ?? ''
    if (cell.trim() === '') return
    tally.cells++
    if (!lookup(column).some((v) => holds(v, cell)))
      tally.missing.push(`${where} ${column} ${JSON.stringify(cell)}`)
  })
}

type Bodies = Partial<Record<ReportKind, string>>

const HEADER_ONLY: Bodies = {
  divisionperformance:
    '"District","Division","Area","Club","Club Name","October Renewals","April Renewals","Nov Visit award","May Visit award","Membership to date","Club Goals Met","Distinguished Club","Area Club Base","Area Paid Club Goal for Dist.","Area Paid Club Goal for Select Dist.","Area Paid Club Goal for Pres. Dist.","Total Paid Area Clubs","Area Dist. Club Goal for Dist.","Area Dist. Club Goal for Select Dist.","Area Dist. Club Goal for Pres. Dist.","Total Dist. Area Clubs","Distinguished Area","Division Club Base","Division Paid Club Goal for Dist.","Division Paid Club Goal for Select Dist.","Division Paid Club Goal for Pres. Dist.","Total Paid Division Clubs","Division Dist. Club Goal for Dist.","Division Dist. Club Goal for Select Dist.","Division Dist. Club Goal for Pres. Dist.","Total Dist. Division Clubs","Distinguished Division","Charter Date/Suspend Date"\r\n',
  districtperformance:
    '"District","Division","Area","Club","Club Name","New","Late Ren.","Oct. Ren.","Apr. Ren.","Total Ren.","Total Chart","Total to Date","Distinguished Status","Charter Date/Suspend Date"\r\n',
}

let root: { dataDir: string; cleanup: () => Promise<void> }
/** The simulated date's four bodies, set by the test that fetches them. */
let simulatedBodies: Bodies | null = null

beforeAll(async () => {
  root = await makeTempRoot()
})
afterAll(() => root.cleanup())

/**
 * The product's path for one district and date: parse each body, normalize, write the district
 * file to the file store, read it back (through the on-disk schema). Returns the cell tally per
 * report.
 */
async function roundTrip(districtId: string, asOf: string, bodies: Bodies, dataDir = root.dataDir) {
  const club = parseReportBody('clubperformance', bodies.clubperformance ?? '')
  const division = parseReportBody(
    'divisionperformance',
    bodies.divisionperformance ?? HEADER_ONLY.divisionperformance ?? '',
  )
  const district = parseReportBody(
    'districtperformance',
    bodies.districtperformance ?? HEADER_ONLY.districtperformance ?? '',
  )
  const summary = bodies.districtsummary
    ? parseReportBody('districtsummary', bodies.districtsummary)
    : null
  const { statistics, warnings } = normalizeFullDistrict(
    districtId,
    { club, division, district },
    summary,
  )
  const store = createFileSnapshotStore({
    dataDir,
    toolVersion: 'test',
    now: () => FIXED_NOW,
  })
  await store.writeDistrict(
    districtFile(districtId, asOf, { detail: 'full', statistics, warnings }),
  )
  const file = await store.readDistrict(asOf, districtId)
  const stored = file?.statistics as DistrictStatistics
  expect(stored.version).toBe(2)
  const byNumber = new Map((stored.clubs ?? []).map((c) => [c.clubNumber, c]))
  const areaOf = (c: ClubStats | undefined) =>
    stored.divisions
      ?.find((d) => d.division === c?.reportCells?.division?.division)
      ?.areas.find((a) => a.area === c?.reportCells?.division?.area)
  const divisionOf = (c: ClubStats | undefined) =>
    stored.divisions?.find((d) => d.division === c?.reportCells?.division?.division)
  const tallies: Partial<Record<ReportKind, Tally>> = {}
  const tally = (r: ReportKind) => (tallies[r] ??= { cells: 0, missing: [] })
  /** A value kept only in a warning (a later row's differing aggregate) counts as found. */
  const inWarnings = (cell: string) => (file?.warnings ?? []).some((w) => w.includes(cell))

  for (const [report, parsed, columns, key] of [
    ['clubperformance', club, CLUB_COLUMNS, 'Club Number'],
    ['divisionperformance', division, DIVISION_CLUB_COLUMNS, 'Club'],
    ['districtperformance', district, DISTRICT_CLUB_COLUMNS, 'Club'],
  ] as const) {
    const extraKey =
      report === 'clubperformance'
        ? 'club'
        : report === 'divisionperformance'
          ? 'division'
          : 'district'
    const t = tally(report)
    for (const row of parsed.rows) {
      const cells = row.cells
      const c = byNumber.get(cells[parsed.header.indexOf(key)] ?? '')
      check(t, `${report} club ${c?.clubNumber}`, parsed.header, cells, (column) => {
        const verbatim = c?.extra[extraKey][column]
        const typed = columns[column]?.(c as ClubStats)
        const area = AREA_COLUMNS[column]?.(areaOf(c) as AreaStats)
        const div = DIVISION_COLUMNS[column]?.(divisionOf(c) as DivisionStats)
        const cell = cells[parsed.header.indexOf(column)] ?? ''
        const warned = (AREA_COLUMNS[column] ?? DIVISION_COLUMNS[column]) && inWarnings(cell)
        return [verbatim, typed, area, div, warned ? cell : undefined]
      })
    }
  }
  if (summary) {
    const row = summary.rows.find((r) => r.district === districtId)
    const t = tally('districtsummary')
    check(t, 'districtsummary', summary.header, row?.cells ?? [], (column) => [
      stored.summary?.extra[column],
      column === 'DISTRICT'
        ? file?.districtId
        : SUMMARY_COLUMNS[column]?.(stored.summary as Summary),
    ])
    expect(row, `district ${districtId} in the summary`).toBeDefined()
  }
  return { tallies, file }
}

/** Non-empty cells of a body's data rows, counted from the CSV alone (for the test names). */
function nonEmptyCells(text: string): number {
  return parseCsvBody(text).rows.reduce((n, r) => n + r.filter((c) => c.trim() !== '').length, 0)
}

describe('cell-by-cell round trip through parse, normalize and the file store', () => {
  it.each(REAL_BODIES.map((b) => [b.name, nonEmptyCells(b.text), b.text] as const))(
    'real %s: all %i non-empty cells are in the stored district file',
    async (name, count, text) => {
      const body = parseReportBody('clubperformance', text)
      const districtId = body.rows[0]?.district ?? ''
      const asOf = body.footer?.asOf ?? ''
      const { tallies } = await roundTrip(districtId, asOf, { clubperformance: text })
      const t = tallies.clubperformance
      expect(t?.missing).toEqual([])
      expect(t?.cells).toBe(count)
      expect(count).toBeGreaterThan(1000)
    },
  )

  it('simulated district 61 on 2025-03-18: every non-empty cell of all four reports is in the stored file', async () => {
    const sim = await startSimulator({ seed: 99, today: '2026-11-29' })
    try {
      const client = createDashboardClient({ baseUrl: sim.url })
      const bodies: Bodies = {}
      for (const report of [
        'districtsummary',
        'clubperformance',
        'divisionperformance',
        'districtperformance',
      ] as const) {
        const r = await client.fetchReport({
          report,
          districtId: report === 'districtsummary' ? null : '61',
          asOf: '2025-03-18',
        })
        if (r.kind !== 'data') throw new Error(`${report}: ${r.reason}`)
        bodies[report] = r.body
      }
      simulatedBodies = bodies
      const { tallies } = await roundTrip('61', '2025-03-18', bodies)
      const counts = Object.fromEntries(
        Object.entries(tallies).map(([report, t]) => [report, t.cells]),
      )
      console.info('cells found per report', counts)
      for (const [report, t] of Object.entries(tallies)) {
        expect(t.missing, report).toEqual([])
        expect(t.cells, report).toBeGreaterThan(report === 'districtsummary' ? 20 : 500)
      }
    } finally {
      await sim.close()
    }
  })

  it('a district file of statistics version 1 (no reportCells) is still read and verified', async () => {
    expect(simulatedBodies, 'set by the simulated round trip').not.toBeNull()
    const own = await makeTempRoot()
    try {
      const { file } = await roundTrip('61', '2025-03-18', simulatedBodies ?? {}, own.dataDir)
      const v1 = structuredClone(file?.statistics) as DistrictStatistics
      v1.version = 1
      for (const c of v1.clubs ?? []) {
        delete c.reportCells
        delete c.placementSource
      }
      const store = createFileSnapshotStore({
        dataDir: own.dataDir,
        toolVersion: 'test',
        now: () => FIXED_NOW,
      })
      await store.writeDistrict(
        districtFile('61', '2025-03-19', { detail: 'full', statistics: v1 }),
      )
      const back = await store.readDistrict('2025-03-19', '61')
      expect(back?.statistics).toEqual(v1)
      const report = await verify({ dataDir: own.dataDir, repair: false, now: () => FIXED_NOW })
      expect(report.problems).toEqual([])
      expect(report.ok).toBe(true)
    } finally {
      await own.cleanup()
    }
  })
})
