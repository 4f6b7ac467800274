import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { eachDate } from '../shared/iso-date.ts'
import type { ClubValues } from './club-values.ts'
import { createTestModel, parseCsvBody } from './test-support.ts'

type Row = Record<string, string>

// 2026-27 live, two archived years before it: as-ofs from 2024-07-21 to 2027-06-14.
const { truth } = createTestModel({ today: '2027-06-15', seed: 11 })
const DATES = truth.publishedAsOfs('2024-07-21', '2027-06-14')
const n = (row: Row | undefined, column: string): number => {
  const value = row?.[column]
  if (value === undefined || !/^-?\d+$/.test(value))
    throw new Error(`${column} is not an integer: ${value}`)
  return Number(value)
}
const pick = (row: Row, ...names: string[]): number =>
  n(row, names.find((c) => c in row) ?? names[0]!)

const districtDate = fc.constantFrom(...DATES).chain((asOf) =>
  fc.record({
    asOf: fc.constant(asOf),
    districtId: fc.constantFrom(...truth.districtsFor(truth.dataMonthFor(asOf)!.programYear)),
  }),
)

/**
 * The five checks below share one random seed per run of the suite, so they draw the same
 * (district, as-of) pairs: each still checks its runs' worth of random pairs, a new sample at
 * every run, and a pair's reports are rendered and parsed once for all of them (the seed is
 * in a failure's message, to replay it).
 */
const SAMPLE_SEED = Math.floor(Math.random() * 0x7fffffff)
const parsedReports = new Map<string, Row[]>()
afterAll(() => parsedReports.clear())

/** The three district reports, each rendered and parsed only when a check first reads it. */
function reports(districtId: string, asOf: string) {
  const parse = (report: 'clubperformance' | 'divisionperformance' | 'districtperformance') => {
    const key = `${report}|${districtId}|${asOf}`
    let rows = parsedReports.get(key)
    if (rows === undefined) {
      rows = parseCsvBody(truth.renderReport(report, districtId, asOf) ?? '').rows
      parsedReports.set(key, rows)
    }
    return rows
  }
  return {
    get club() {
      return parse('clubperformance')
    },
    get division() {
      return parse('divisionperformance')
    },
    get district() {
      return parse('districtperformance')
    },
  }
}

/** docs/upstream.md#domain-rules-behind-the-columns, re-implemented from the printed columns. */
function goalsFromColumns(r: Row): number {
  const level2 = pick(r, 'Level 2s', 'Level 2s or EOM')
  const addLevel2 = pick(r, 'Add. Level 2s', 'Add. Level 2s or EOM')
  const level4 = pick(
    r,
    'Level 4s, Path Completions, or DTM Awards',
    'Level 4s, Level 5s, or DTM award',
  )
  const addLevel4 = pick(
    r,
    'Add. Level 4s, Path Completions, or DTM award',
    'Add. Level 4s, Level 5s, or DTM award',
  )
  return [
    n(r, 'Level 1s') >= 4,
    level2 >= 2,
    addLevel2 >= 2,
    n(r, 'Level 3s') >= 2,
    level4 >= 1,
    addLevel4 >= 1,
    n(r, 'New Members') >= 4,
    n(r, 'Add. New Members') >= 4,
    n(r, 'Off. Trained Round 1') >= 4 && n(r, 'Off. Trained Round 2') >= 4,
    n(r, 'Off. List On Time') >= 1 &&
      (n(r, 'Mem. dues on time Oct') >= 1 || n(r, 'Mem. dues on time Apr') >= 1),
  ].filter(Boolean).length
}

function expectPercent(cell: string | undefined, numerator: number, denominator: number): void {
  expect(cell).toMatch(/^-?\d+(\.\d{1,2})?%$/)
  expect(cell).not.toMatch(/\.\d*0%$/)
  expect(
    Math.abs(Number(cell?.slice(0, -1)) - (numerator / denominator) * 100),
  ).toBeLessThanOrEqual(0.005 + 1e-9)
}

describe('generated data holds together', () => {
  it('club rows obey the per-club relations', () => {
    fc.assert(
      fc.property(districtDate, ({ districtId, asOf }) => {
        // Every broken relation, named with its club: one assertion per report, not per cell.
        const broken = reports(districtId, asOf).club.flatMap((r) =>
          [
            'Net Growth' in r &&
              n(r, 'Net Growth') !== n(r, 'Active Members') - n(r, 'Mem. Base') &&
              'net growth',
            n(r, 'Goals Met') !== goalsFromColumns(r) && 'goals met',
            !['Active', 'Low', 'Ineligible', 'Suspended'].includes(r['Club Status']!) && 'status',
            !['', 'D', 'S', 'P', 'M'].includes(r['Club Distinguished Status']!) && 'letter',
            n(r, 'New Members') > 4 && 'new members over 4',
            n(r, 'Add. New Members') > 0 && n(r, 'New Members') !== 4 && 'add. new members',
            r['Club Status'] === 'Suspended' && n(r, 'Active Members') !== 0 && 'suspended',
            !/^\d{8}$/.test(r['Club Number'] ?? '') && 'club number',
          ].flatMap((what) => (what ? [`${r['Club Number']}: ${what}`] : [])),
        )
        expect(broken).toEqual([])
      }),
      { numRuns: 25, seed: SAMPLE_SEED },
    )
  })

  it('the three district reports list the same clubs, sorted by division, area and number', () => {
    fc.assert(
      fc.property(districtDate, ({ districtId, asOf }) => {
        const { club, division, district } = reports(districtId, asOf)
        const keys = club.map((r) => [r.Division, r.Area, r['Club Number']].join('|'))
        expect(division.map((r) => [r.Division, r.Area, r.Club].join('|'))).toEqual(keys)
        expect(district.map((r) => [r.Division, r.Area, r.Club].join('|'))).toEqual(keys)
        expect([...keys].sort()).toEqual(keys)
        const unassigned = club.filter((r) => r.Division === '0D')
        expect(unassigned.every((r) => r.Area === '0A')).toBe(true)
        expect(club.slice(0, unassigned.length)).toEqual(unassigned)
      }),
      { numRuns: 25, seed: SAMPLE_SEED },
    )
  })

  it('payments add up per club and the division report mirrors the club report', () => {
    fc.assert(
      fc.property(districtDate, ({ districtId, asOf }) => {
        const { club, division, district } = reports(districtId, asOf)
        // Column against column over the whole report: one assertion per relation.
        const renewals = (r: Row) => n(r, 'Late Ren.') + n(r, 'Oct. Ren.') + n(r, 'Apr. Ren.')
        const col = (rows: Row[], f: (r: Row) => unknown) => rows.map(f)
        expect(col(district, (r) => n(r, 'Total Ren.'))).toEqual(col(district, renewals))
        expect(col(district, (r) => n(r, 'Total to Date'))).toEqual(
          col(district, (r) => n(r, 'New') + renewals(r) + n(r, 'Total Chart')),
        )
        const clubs = club.slice(0, district.length)
        const divisions = division.slice(0, district.length)
        const letters = col(clubs, (r) => r['Club Distinguished Status'])
        expect(col(district, (r) => r['Distinguished Status'])).toEqual(letters)
        expect(col(divisions, (r) => n(r, 'Membership to date'))).toEqual(
          col(clubs, (r) => n(r, 'Active Members')),
        )
        expect(col(divisions, (r) => n(r, 'Club Goals Met'))).toEqual(
          col(clubs, (r) => n(r, 'Goals Met')),
        )
        expect(col(divisions, (r) => r['Distinguished Club'])).toEqual(letters)
        expect(col(divisions, (r) => r['Charter Date/Suspend Date'])).toEqual(
          col(district, (r) => r['Charter Date/Suspend Date']),
        )
      }),
      { numRuns: 25, seed: SAMPLE_SEED },
    )
  })

  it('area and division columns follow the goal rules and count the clubs', () => {
    fc.assert(
      fc.property(districtDate, ({ districtId, asOf }) => {
        const { club, division } = reports(districtId, asOf)
        const check = (scope: 'Area' | 'Division', keyOf: (r: Row) => string) => {
          for (const key of new Set(division.map(keyOf))) {
            const rows = division.filter((r) => keyOf(r) === key)
            const clubs = club.filter((r) => keyOf(r) === key)
            const first = rows[0]!
            for (const r of rows) expect(r[`${scope} Club Base`]).toBe(first[`${scope} Club Base`])
            const base = n(first, `${scope} Club Base`)
            const goals = [
              `${scope} Paid Club Goal for Dist.`,
              `${scope} Paid Club Goal for Select Dist.`,
              `${scope} Paid Club Goal for Pres. Dist.`,
              `${scope} Dist. Club Goal for Dist.`,
              `${scope} Dist. Club Goal for Select Dist.`,
              `${scope} Dist. Club Goal for Pres. Dist.`,
            ].map((c) => n(first, c))
            const c = (p: number) => Math.ceil((base * p) / 100)
            const expected =
              scope === 'Area'
                ? [base, base, base + 1, c(50), c(50) + 1, c(50) + 1]
                : [base, base + 1, base + 2, c(45), c(50), c(55)]
            expect(goals).toEqual(expected)
            expect(n(first, `Total Paid ${scope} Clubs`)).toBe(
              clubs.filter((r) => r['Club Status'] === 'Active').length,
            )
            expect(n(first, `Total Dist. ${scope} Clubs`)).toBe(
              clubs.filter((r) => r['Club Distinguished Status'] !== '').length,
            )
          }
        }
        check('Area', (r) => `${r.Division}|${r.Area}`)
        check('Division', (r) => r.Division ?? '')
      }),
      { numRuns: 20, seed: SAMPLE_SEED },
    )
  })

  it('the summary row agrees with the district reports', () => {
    fc.assert(
      fc.property(districtDate, ({ districtId, asOf }) => {
        const row = truth.summaryRow(asOf, districtId)!
        const { club, district } = reports(districtId, asOf)
        const payments = [
          'New Payments',
          'April Payments',
          'October Payments',
          'Late Payments',
          'Charter Payments',
        ]
        const ytd = n(row, 'Total YTD Payments')
        expect(ytd).toBe(payments.reduce((s, c) => s + n(row, c), 0))
        expect(ytd).toBe(district.reduce((s, r) => s + n(r, 'Total to Date'), 0))
        expect(n(row, 'New Payments')).toBe(district.reduce((s, r) => s + n(r, 'New'), 0))
        expect(n(row, 'Paid Clubs')).toBe(club.filter((r) => r['Club Status'] === 'Active').length)
        expect(n(row, 'Active Clubs')).toBe(
          club.filter((r) => r['Club Status'] !== 'Suspended').length,
        )
        const tiers = [
          'Distinguished Clubs',
          'Select Distinguished Clubs',
          'Presidents Distinguished Clubs',
          'Smedley Distinguished Clubs',
        ]
        const total = tiers.filter((t) => t in row).reduce((s, t) => s + n(row, t), 0)
        expect(n(row, 'Total Distinguished Clubs')).toBe(total)
        expect(total).toBe(club.filter((r) => r['Club Distinguished Status'] !== '').length)
        expectPercent(row['% Payment Growth'], ytd - n(row, 'Payment Base'), n(row, 'Payment Base'))
        expectPercent(
          row['% Club Growth'],
          n(row, 'Paid Clubs') - n(row, 'Paid Club Base'),
          n(row, 'Paid Club Base'),
        )
        expectPercent(row['% Distinguished Clubs'], total, n(row, 'Paid Club Base'))
        expect(row.REGION).toBe(districtId === 'U' ? 'DNAR' : row.REGION)
        expect(row.REGION).toMatch(/^(0[1-9]|1[0-4]|DNAR)$/)
      }),
      { numRuns: 25, seed: SAMPLE_SEED },
    )
  })
})

const CUMULATIVE: ((c: ClubValues) => number)[] = [
  (c) => c.payments.newMembers,
  (c) => c.payments.lateRenewals,
  (c) => c.payments.octRenewals,
  (c) => c.payments.aprRenewals,
  (c) => c.payments.charter,
  (c) => c.payments.totalToDate,
  (c) => c.level1s,
  (c) => c.level2s + c.addLevel2s,
  (c) => c.level3s,
  (c) => c.level4s + c.addLevel4s,
  (c) => c.offTrainedRound1,
  (c) => c.offTrainedRound2,
  (c) => c.duesOnTimeOct + c.duesOnTimeApr + c.offListOnTime,
]

describe('generated data over time', () => {
  const PY = '2025-2026'
  const pyDates = DATES.filter((d) => truth.dataMonthsFor(d).some((m) => m.programYear === PY))
  const clubsOn = (districtId: string, asOf: string) => {
    const month = truth.dataMonthsFor(asOf).find((m) => m.programYear === PY)!.dataMonth
    return truth.clubs(districtId, asOf, month) ?? []
  }

  it('cumulative counters never decrease within a program year and clubs never vanish', () => {
    const pair = fc
      .tuple(fc.constantFrom(...pyDates), fc.constantFrom(...pyDates))
      .map(([a, b]) => (a < b ? [a, b] : [b, a]))
    fc.assert(
      fc.property(pair, fc.constantFrom(...truth.districtsFor(PY)), ([early, late], districtId) => {
        const later = new Map(clubsOn(districtId, late!).map((c) => [c.clubNumber, c]))
        // Every vanished club and every counter that went down: one assertion per pair of days.
        const wrong = clubsOn(districtId, early!).flatMap((club) => {
          const after = later.get(club.clubNumber)
          if (!after) return [`${club.clubNumber} vanished`]
          return CUMULATIVE.flatMap((counter, i) =>
            counter(after) < counter(club)
              ? [`${club.clubNumber} counter ${i}: ${counter(club)} -> ${counter(after)}`]
              : [],
          )
        })
        expect(wrong).toEqual([])
      }),
      { numRuns: 40 },
    )
  })

  it('resets the counters when the new program year starts', () => {
    for (const districtId of ['61', 'F']) {
      const juneClose = clubsOn(districtId, '2026-07-27').reduce(
        (s, c) => s + c.payments.totalToDate,
        0,
      )
      const july = (truth.clubs(districtId, '2026-07-27', '2026-07') ?? []).reduce(
        (s, c) => s + c.payments.totalToDate,
        0,
      )
      expect(july).toBeLessThan(juneClose / 4)
    }
  })

  it('lets some clubs change status during the year', () => {
    const changed = truth.districtsFor(PY).some((districtId) => {
      const before = new Map(clubsOn(districtId, '2025-08-15').map((c) => [c.clubNumber, c.status]))
      return clubsOn(districtId, '2026-06-20').some(
        (c) => before.has(c.clubNumber) && before.get(c.clubNumber) !== c.status,
      )
    })
    expect(changed).toBe(true)
    const statuses = new Set(
      truth.districtsFor(PY).flatMap((d) => clubsOn(d, '2026-06-20').map((c) => c.status)),
    )
    expect([...statuses].sort()).toEqual(['Active', 'Ineligible', 'Low', 'Suspended'])
  })

  it('publishes every calendar day of the served years', () => {
    expect(DATES).toEqual(eachDate('2024-07-21', '2027-06-14'))
  })
})
