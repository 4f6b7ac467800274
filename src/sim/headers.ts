/**
 * Header rows per report and program year, as docs/upstream.md#the-four-reports lists them. The start
 * year of the program year decides the shape.
 */
import type { ReportKind } from '../shared/snapshot-types.ts'

export function programYearStart(programYear: string): number {
  return Number(programYear.slice(0, 4))
}

const SUMMARY_HEAD = ['REGION', 'DISTRICT', 'DSP', 'Training']
const SUMMARY_PAYMENTS = [
  'New Payments',
  'April Payments',
  'October Payments',
  'Late Payments',
  'Charter Payments',
  'Total YTD Payments',
  'Payment Base',
  '% Payment Growth',
  'Paid Club Base',
  'Paid Clubs',
  '% Club Growth',
  'Active Clubs',
  'Distinguished Clubs',
  'Select Distinguished Clubs',
  'Presidents Distinguished Clubs',
]
const SUMMARY_TAIL = ['Total Distinguished Clubs', '% Distinguished Clubs']

/** Pre-2025 order is the reference's inferred one (UNCERTAIN there). */
export function summaryHeader(programYear: string): string[] {
  const start = programYearStart(programYear)
  if (start < 2025) return [...SUMMARY_HEAD, ...SUMMARY_PAYMENTS, ...SUMMARY_TAIL]
  const prerequisites =
    start === 2025
      ? ['Market Analysis', 'Communication Plan', 'Region Advisor Visit']
      : ['Market Analysis', 'Communication Plan']
  return [
    ...SUMMARY_HEAD,
    ...prerequisites,
    ...SUMMARY_PAYMENTS,
    'Smedley Distinguished Clubs',
    ...SUMMARY_TAIL,
  ]
}

const CLUB_TAIL = [
  'New Members',
  'Add. New Members',
  'Off. Trained Round 1',
  'Off. Trained Round 2',
  'Mem. dues on time Oct',
  'Mem. dues on time Apr',
  'Off. List On Time',
  'Club Distinguished Status',
]

export function clubHeader(programYear: string): string[] {
  const start = programYearStart(programYear)
  const id = ['District', 'Division', 'Area', 'Club Number', 'Club Name', 'Club Status']
  if (start < 2024) {
    return [
      ...id,
      ...['Mem. Base', 'Active Members', 'Goals Met', 'Level 1s', 'Level 2s', 'Add. Level 2s'],
      ...['Level 3s', 'Level 4s, Level 5s, or DTM award', 'Add. Level 4s, Level 5s, or DTM award'],
      ...CLUB_TAIL,
    ]
  }
  const level2 =
    start < 2026 ? ['Level 2s', 'Add. Level 2s'] : ['Level 2s or EOM', 'Add. Level 2s or EOM']
  return [
    ...id,
    ...['CSP', 'Mem. Base', 'Active Members', 'Net Growth', 'Goals Met', 'Level 1s'],
    ...level2,
    'Level 3s',
    'Level 4s, Path Completions, or DTM Awards',
    'Add. Level 4s, Path Completions, or DTM award',
    ...CLUB_TAIL,
  ]
}

function goalColumns(scope: 'Area' | 'Division'): string[] {
  return [
    `${scope} Club Base`,
    `${scope} Paid Club Goal for Dist.`,
    `${scope} Paid Club Goal for Select Dist.`,
    `${scope} Paid Club Goal for Pres. Dist.`,
    `Total Paid ${scope} Clubs`,
    `${scope} Dist. Club Goal for Dist.`,
    `${scope} Dist. Club Goal for Select Dist.`,
    `${scope} Dist. Club Goal for Pres. Dist.`,
    `Total Dist. ${scope} Clubs`,
    `Distinguished ${scope}`,
  ]
}

export const DIVISION_HEADER: readonly string[] = [
  ...['District', 'Division', 'Area', 'Club', 'Club Name', 'October Renewals', 'April Renewals'],
  ...['Nov Visit award', 'May Visit award', 'Membership to date', 'Club Goals Met'],
  'Distinguished Club',
  ...goalColumns('Area'),
  ...goalColumns('Division'),
  'Charter Date/Suspend Date',
]

export const DISTRICT_PERFORMANCE_HEADER: readonly string[] = [
  ...['District', 'Division', 'Area', 'Club', 'Club Name', 'New', 'Late Ren.', 'Oct. Ren.'],
  ...['Apr. Ren.', 'Total Ren.', 'Total Chart', 'Total to Date', 'Distinguished Status'],
  'Charter Date/Suspend Date',
]

export function headerFor(report: ReportKind, programYear: string): readonly string[] {
  switch (report) {
    case 'districtsummary':
      return summaryHeader(programYear)
    case 'clubperformance':
      return clubHeader(programYear)
    case 'divisionperformance':
      return DIVISION_HEADER
    case 'districtperformance':
      return DISTRICT_PERFORMANCE_HEADER
  }
}
