import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { ClubStats } from '../../shared/district-statistics.ts'
import { parseCsvBody, parseReportCsv, type ParsedReport } from '../upstream/index.ts'
import type { ReportKind } from '../../shared/snapshot-types.ts'
import { normalizeFullDistrict, normalizeSummaryOnly } from './normalize-district.ts'
import { buildDivisions } from './normalize-divisions.ts'

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/real-exports/${name}`, import.meta.url), 'utf8')

function parse<R extends ReportKind>(report: R, text: string): ParsedReport<R> {
  return parseReportCsv(report, parseCsvBody(text))
}

const DIVISION_HEADER =
  '"District","Division","Area","Club","Club Name","October Renewals","April Renewals","Nov Visit award","May Visit award","Membership to date","Club Goals Met","Distinguished Club","Area Club Base","Area Paid Club Goal for Dist.","Area Paid Club Goal for Select Dist.","Area Paid Club Goal for Pres. Dist.","Total Paid Area Clubs","Area Dist. Club Goal for Dist.","Area Dist. Club Goal for Select Dist.","Area Dist. Club Goal for Pres. Dist.","Total Dist. Area Clubs","Distinguished Area","Division Club Base","Division Paid Club Goal for Dist.","Division Paid Club Goal for Select Dist.","Division Paid Club Goal for Pres. Dist.","Total Paid Division Clubs","Division Dist. Club Goal for Dist.","Division Dist. Club Goal for Select Dist.","Division Dist. Club Goal for Pres. Dist.","Total Dist. Division Clubs","Distinguished Division","Charter Date/Suspend Date"'
const DISTRICT_HEADER =
  '"District","Division","Area","Club","Club Name","New","Late Ren.","Oct. Ren.","Apr. Ren.","Total Ren.","Total Chart","Total to Date","Distinguished Status","Charter Date/Suspend Date"'
const SUMMARY_HEADER =
  '"REGION","DISTRICT","DSP","Training","Market Analysis","Communication Plan","Region Advisor Visit","New Payments","April Payments","October Payments","Late Payments","Charter Payments","Total YTD Payments","Payment Base","% Payment Growth","Paid Club Base","Paid Clubs","% Club Growth","Active Clubs","Distinguished Clubs","Select Distinguished Clubs","Presidents Distinguished Clubs","Smedley Distinguished Clubs","Total Distinguished Clubs","% Distinguished Clubs"'
const FOOTER = 'Month of Apr, As of 05/06/2026'
const csv = (header: string, rows: string[]) => [header, ...rows, FOOTER, ''].join('\r\n')

/** Independent oracle: which ClubStats value stands for each club-report column. */
const CLUB_COLUMN_VALUE: Record<string, (c: ClubStats) => unknown> = {
  Division: (c) => c.division,
  Area: (c) => c.area,
  'Club Number': (c) => c.clubNumber,
  'Club Name': (c) => c.clubName,
  'Club Status': (c) => c.status,
  CSP: (c) => (c.csp === null ? null : c.csp ? 'Y' : 'N'),
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
  'Club Distinguished Status': (c) => c.distinguishedStatus ?? '',
}

describe('normalizeFullDistrict on the real club exports', () => {
  it.each([
    ['clubperformance-21-2023-2024-final.csv', 109],
    ['clubperformance-21-2026-09-22.csv', 184],
  ])('%s keeps all %i clubs and every cell', (file, count) => {
    const club = parse('clubperformance', fixture(file))
    const reports = {
      club,
      division: parse('divisionperformance', csv(DIVISION_HEADER, [])),
      district: parse('districtperformance', csv(DISTRICT_HEADER, [])),
    }
    const { statistics } = normalizeFullDistrict('21', reports, null)
    expect(statistics.clubs).toHaveLength(count)
    const lines = fixture(file).split('\r\n')
    const header = club.header
    statistics.clubs?.forEach((c, i) => {
      const cells = parseCsvBody([lines[0], lines[i + 1], ''].join('\r\n')).rows[0] ?? []
      header.forEach((name, col) => {
        const raw = cells[col]
        if (name === 'District') return expect(c.reportCells?.club?.district).toBe(raw)
        const fromExtra = c.extra.club[name]
        const typed = CLUB_COLUMN_VALUE[name]
        if (fromExtra !== undefined) return expect(fromExtra).toBe(raw)
        expect(typed, `column ${name} neither typed nor in extra`).toBeDefined()
        expect(String(typed?.(c) ?? ''), `${c.clubNumber} ${name}`).toBe(raw)
      })
    })
    expect(statistics.totals?.clubCount).toBe(count)
    expect(statistics.totals?.membership.active).toBe(
      club.rows.reduce((sum, r) => sum + (r.activeMembers ?? 0), 0),
    )
  })
})

describe('normalizeFullDistrict joins and checks the three reports', () => {
  const clubHeader = fixture('clubperformance-21-2026-09-22.csv').split('\r\n')[0] ?? ''
  const clubRow = (num: string, base: number, active: number, net: number, goals: number) =>
    `"61","A","01","${num}","Club ${num}","Active","Y","${base}","${active}","${net}","${goals}","4","2","1","1","1","0","4","3","5","4","1","1","1","D"`
  const divRow = (num: string, members: number, goals: number) =>
    `"61","A","01","${num}","Club ${num}","1","1","1","0","${members}","${goals}","D","2","2","2","3","2","1","2","2","1","","3","3","4","5","2","2","2","2","2","",""`
  const distRow = (
    num: string,
    nw: number,
    late: number,
    oct: number,
    apr: number,
    chart: number,
    susp = '',
  ) =>
    `"61","A","01","${num}","Club ${num}","${nw}","${late}","${oct}","${apr}","${late + oct + apr}","${chart}","${nw + late + oct + apr + chart}","D","${susp}"`
  const summaryRow = (ytd: number) =>
    `"05","61","Y","Y","Y","Y","N","10","14","22","1","0","${ytd}","40","-5%","2","2","0%","2","2","0","0","0","2","100%"`

  function build(opts: { ytd: number; net?: number; extraDistrictClub?: boolean }) {
    const reports = {
      club: parse(
        'clubperformance',
        csv(clubHeader, [
          clubRow('00001111', 14, 19, opts.net ?? 5, 6),
          clubRow('00002222', 20, 20, 0, 3),
        ]),
      ),
      division: parse(
        'divisionperformance',
        csv(DIVISION_HEADER, [divRow('00001111', 19, 6), divRow('00002222', 20, 3)]),
      ),
      district: parse(
        'districtperformance',
        csv(DISTRICT_HEADER, [
          distRow('00001111', 7, 0, 12, 14, 0),
          distRow('00002222', 3, 1, 10, 0, 0, ' Susp 03/31/26'),
          ...(opts.extraDistrictClub ? [distRow('00003333', 1, 0, 0, 0, 0)] : []),
        ]),
      ),
    }
    return normalizeFullDistrict(
      '61',
      reports,
      parse('districtsummary', csv(SUMMARY_HEADER, [summaryRow(opts.ytd)])),
    )
  }

  it('builds totals, divisions and areas that agree with the rows', () => {
    const { statistics, warnings } = build({ ytd: 7 + 26 + 3 + 11 })
    expect(warnings).toEqual([])
    expect(statistics.totals).toMatchObject({
      clubCount: 2,
      membership: { base: 34, active: 39, netGrowth: 5 },
      payments: { totalToDate: 47, new: 10 },
      distinguishedByLevel: { D: 2 },
      suspensions: 1,
    })
    expect(statistics.divisions?.[0]).toMatchObject({
      division: 'A',
      clubCount: 2,
      areas: [{ area: '01', clubCount: 2, novVisits: 2 }],
    })
    const suspended = statistics.clubs?.find((c) => c.clubNumber === '00002222')
    expect(suspended).toMatchObject({
      suspendDate: '2026-03-31',
      charterSuspendText: ' Susp 03/31/26',
    })
    expect(statistics.summary?.prerequisites).toEqual({
      DSP: true,
      Training: true,
      'Market Analysis': true,
      'Communication Plan': true,
      'Region Advisor Visit': false,
    })
  })

  it('warns, without repairing, when reports disagree', () => {
    const { statistics, warnings } = build({ ytd: 999, net: 4, extraDistrictClub: true })
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Net Growth 4'),
        expect.stringContaining('00003333 of districtperformance is missing from clubperformance'),
        expect.stringContaining('summary Total YTD Payments 999'),
      ]),
    )
    expect(statistics.clubs?.find((c) => c.clubNumber === '00001111')?.netGrowth).toBe(4)
    expect(statistics.clubs?.map((c) => c.clubNumber)).toContain('00003333')
  })

  /** One quoted CSV row with cell `i` replaced (the helpers above quote every cell). */
  const setCells = (row: string, changes: Record<number, string>) =>
    row
      .slice(1, -1)
      .split('","')
      .map((cell, i) => changes[i] ?? cell)
      .map((cell) => `"${cell}"`)
      .join(',')

  function disagreeing() {
    const clubHeaderRow = clubRow('00002222', 20, 20, 0, 3)
    return normalizeFullDistrict(
      '61',
      {
        club: parse(
          'clubperformance',
          csv(clubHeader, [clubRow('00001111', 14, 19, 5, 6), clubHeaderRow]),
        ),
        division: parse(
          'divisionperformance',
          csv(DIVISION_HEADER, [
            divRow('00001111', 19, 6),
            // The division report places the club in area 02, with area 02's aggregates.
            setCells(divRow('00002222', 20, 3), { 2: '02', 12: '1', 16: '1', 20: '0' }),
          ]),
        ),
        district: parse(
          'districtperformance',
          csv(DISTRICT_HEADER, [
            distRow('00001111', 7, 0, 12, 14, 0),
            setCells(distRow('00002222', 3, 1, 10, 0, 0), {
              0: '62',
              4: 'Club 00002222 ',
              12: 'S',
            }),
          ]),
        ),
      },
      null,
    )
  }

  it("keeps each report's own repeated cells and names both values when they differ", () => {
    const { statistics, warnings } = disagreeing()
    const c = statistics.clubs?.find((x) => x.clubNumber === '00002222')
    expect(c?.reportCells).toEqual({
      club: {
        district: '61',
        division: 'A',
        area: '01',
        clubName: 'Club 00002222',
        distinguishedStatus: 'D',
      },
      division: {
        district: '61',
        division: 'A',
        area: '02',
        clubName: 'Club 00002222',
        distinguishedStatus: 'D',
      },
      district: {
        district: '62',
        division: 'A',
        area: '01',
        clubName: 'Club 00002222 ',
        distinguishedStatus: 'S',
      },
    })
    expect(warnings).toContain(
      'club 00002222: districtperformance Club Name "Club 00002222 " != clubperformance Club Name "Club 00002222"',
    )
    expect(warnings).toContain(
      'club 00002222: districtperformance Distinguished Status "S" != clubperformance Club Distinguished Status "D"',
    )
    expect(warnings).toContain('district report has 1 rows of another district than 61')
  })

  it('records a club in the area it is counted in, and warns once with both placements', () => {
    const { statistics, warnings } = disagreeing()
    const c = statistics.clubs?.find((x) => x.clubNumber === '00002222')
    expect(c).toMatchObject({ division: 'A', area: '02', placementSource: 'divisionperformance' })
    const areas = statistics.divisions?.[0]?.areas ?? []
    expect(areas.map((a) => [a.area, a.clubCount])).toEqual([
      ['01', 1],
      ['02', 1],
    ])
    const placement = warnings.filter((w) => w.includes('00002222') && w.includes('placed'))
    expect(placement).toEqual([
      'club 00002222: placed in division "A" area "02" by divisionperformance; clubperformance says division "A" area "01"; districtperformance says division "A" area "01"',
    ])
    expect(warnings.filter((w) => w.startsWith('area '))).toEqual([])
  })

  it('names every aggregate column on which later rows of an area or division differ', () => {
    const division = parse(
      'divisionperformance',
      csv(DIVISION_HEADER, [
        divRow('00001111', 19, 6),
        setCells(divRow('00002222', 20, 3), { 13: '3', 21: 'Distinguished', 31: 'Select' }),
      ]),
    )
    const { warnings } = buildDivisions(division.rows)
    expect(warnings).toEqual([
      `division A: aggregate columns differ between its club rows, the first row's value is kept: Distinguished Division null (club 00001111) vs "Select" (club 00002222)`,
      `area A01: aggregate columns differ between its club rows, the first row's value is kept: Area Paid Club Goal for Dist. 2 (club 00001111) vs 3 (club 00002222); Distinguished Area null (club 00001111) vs "Distinguished" (club 00002222)`,
    ])
  })

  it('normalizes a summary-only district and flags a district absent from the summary', () => {
    const summary = parse('districtsummary', csv(SUMMARY_HEADER, [summaryRow(47)]))
    const ok = normalizeSummaryOnly(summary, '61')
    expect(ok.statistics.summary?.payments.totalYtd).toBe(47)
    expect(ok.statistics.summary?.payments.growth).toEqual({ value: -5, text: '-5%' })
    expect(ok.statistics.clubs).toBeNull()
    const missing = normalizeSummaryOnly(summary, '99')
    expect(missing.statistics.summary).toBeNull()
    expect(missing.warnings).toEqual(['district 99 is not in the all-districts summary'])
  })
})
