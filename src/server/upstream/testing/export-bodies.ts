/**
 * Canned export bodies built from the formats of docs/upstream.md#csv-format-and-footer: every cell quoted, CRLF, an
 * unquoted footer `Month of Jun, As of 06/09/2026`. Header lists are those of docs/upstream.md#the-four-reports.
 */

// prettier-ignore
export const SUMMARY_HEADER_2025_26 = [
  'REGION', 'DISTRICT', 'DSP', 'Training', 'Market Analysis', 'Communication Plan',
  'Region Advisor Visit', 'New Payments', 'April Payments', 'October Payments', 'Late Payments',
  'Charter Payments', 'Total YTD Payments', 'Payment Base', '% Payment Growth', 'Paid Club Base',
  'Paid Clubs', '% Club Growth', 'Active Clubs', 'Distinguished Clubs',
  'Select Distinguished Clubs', 'Presidents Distinguished Clubs', 'Smedley Distinguished Clubs',
  'Total Distinguished Clubs', '% Distinguished Clubs',
]

export const SUMMARY_HEADER_2026_27 = SUMMARY_HEADER_2025_26.filter(
  (name) => name !== 'Region Advisor Visit',
)

// prettier-ignore
export const SUMMARY_HEADER_PRE_2025 = [
  'REGION', 'DISTRICT', 'DSP', 'Training', 'New Payments', 'April Payments', 'October Payments',
  'Late Payments', 'Charter Payments', 'Total YTD Payments', 'Payment Base', '% Payment Growth',
  'Paid Club Base', 'Paid Clubs', '% Club Growth', 'Active Clubs', 'Distinguished Clubs',
  'Select Distinguished Clubs', 'Presidents Distinguished Clubs', 'Total Distinguished Clubs',
  '% Distinguished Clubs',
]

/** districtsummary example rows (2025-26 shape, docs/upstream.md#districtsummary). */
// prettier-ignore
export const SUMMARY_ROWS_2025_26 = [
  ['01', '07', 'Y', 'Y', 'N', 'Y', 'N', '812', '1904', '2001', '9', '40', '4766', '5120', '-6.91%', '150', '146', '-2.67%', '158', '12', '7', '5', '3', '27', '18%'],
  ['05', '61', 'Y', 'Y', 'Y', 'Y', 'N', '640', '2310', '2350', '11', '63', '5374', '5700', '-5.72%', '160', '162', '1.25%', '171', '20', '14', '11', '12', '57', '35.62%'],
  ['DNAR', 'U', 'N', 'N', 'N', 'N', 'N', '95', '210', '230', '2', '0', '537', '600', '-10.5%', '32', '29', '-9.38%', '33', '2', '0', '0', '0', '2', '6.25%'],
]

// prettier-ignore
export const CLUB_HEADER_2025_26 = [
  'District', 'Division', 'Area', 'Club Number', 'Club Name', 'Club Status', 'CSP', 'Mem. Base',
  'Active Members', 'Net Growth', 'Goals Met', 'Level 1s', 'Level 2s', 'Add. Level 2s',
  'Level 3s', 'Level 4s, Path Completions, or DTM Awards',
  'Add. Level 4s, Path Completions, or DTM award', 'New Members', 'Add. New Members',
  'Off. Trained Round 1', 'Off. Trained Round 2', 'Mem. dues on time Oct',
  'Mem. dues on time Apr', 'Off. List On Time', 'Club Distinguished Status',
]

/** clubperformance example rows (docs/upstream.md#clubperformance). */
// prettier-ignore
export const CLUB_ROWS_2025_26 = [
  ['61', '0D', '0A', '28690001', 'Lakeside Toastmasters', 'Active', 'N', '21', '21', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', ''],
  ['61', 'A', '01', '00001234', 'Example Speakers Club', 'Active', 'Y', '14', '19', '5', '6', '4', '2', '1', '1', '1', '0', '4', '3', '5', '4', '1', '1', '1', 'D'],
  ['61', 'A', '01', '00005678', 'Sunrise Orators', 'Low', 'N', '10', '6', '-4', '1', '2', '0', '0', '0', '0', '0', '1', '0', '2', '0', '1', '0', '1', ''],
  ['61', 'B', '10', '28671234', 'Harbourfront Toastmasters', 'Active', 'Y', '24', '27', '3', '10', '6', '2', '3', '2', '1', '2', '4', '6', '6', '5', '1', '1', '1', 'M'],
]

// prettier-ignore
export const DIVISION_HEADER_2025_26 = [
  'District', 'Division', 'Area', 'Club', 'Club Name', 'October Renewals', 'April Renewals',
  'Nov Visit award', 'May Visit award', 'Membership to date', 'Club Goals Met',
  'Distinguished Club', 'Area Club Base', 'Area Paid Club Goal for Dist.',
  'Area Paid Club Goal for Select Dist.', 'Area Paid Club Goal for Pres. Dist.',
  'Total Paid Area Clubs', 'Area Dist. Club Goal for Dist.', 'Area Dist. Club Goal for Select Dist.',
  'Area Dist. Club Goal for Pres. Dist.', 'Total Dist. Area Clubs', 'Distinguished Area',
  'Division Club Base', 'Division Paid Club Goal for Dist.',
  'Division Paid Club Goal for Select Dist.', 'Division Paid Club Goal for Pres. Dist.',
  'Total Paid Division Clubs', 'Division Dist. Club Goal for Dist.',
  'Division Dist. Club Goal for Select Dist.', 'Division Dist. Club Goal for Pres. Dist.',
  'Total Dist. Division Clubs', 'Distinguished Division', 'Charter Date/Suspend Date',
]

/** divisionperformance example rows (docs/upstream.md#divisionperformance). */
// prettier-ignore
export const DIVISION_ROWS_2025_26 = [
  ['61', 'A', '01', '00001234', 'Example Speakers Club', '1', '1', '1', '0', '19', '6', 'D', '2', '2', '2', '3', '1', '1', '2', '2', '1', '', '3', '3', '4', '5', '2', '2', '2', '2', '2', '', ''],
  ['61', 'A', '02', '00009012', 'Ridge Talkers', '1', '1', '1', '1', '22', '8', 'S', '1', '1', '1', '2', '1', '1', '2', '2', '1', 'Distinguished', '3', '3', '4', '5', '2', '2', '2', '2', '2', '', ''],
]

// prettier-ignore
export const DISTRICT_HEADER = [
  'District', 'Division', 'Area', 'Club', 'Club Name', 'New', 'Late Ren.', 'Oct. Ren.',
  'Apr. Ren.', 'Total Ren.', 'Total Chart', 'Total to Date', 'Distinguished Status',
  'Charter Date/Suspend Date',
]

/** districtperformance example rows (docs/upstream.md#districtperformance). */
// prettier-ignore
export const DISTRICT_ROWS = [
  ['61', 'A', '01', '00001234', 'Example Speakers Club', '7', '0', '12', '14', '26', '0', '33', 'D', ''],
  ['61', 'B', '10', '28671234', 'Harbourfront Toastmasters', '10', '1', '0', '17', '18', '22', '50', 'M', 'Charter 11/14/25'],
  ['61', 'C', '20', '00004321', 'Quiet Hours Club', '0', '0', '6', '0', '6', '0', '6', '', ' Susp 03/31/26'],
]

export function csvLine(cells: readonly string[]): string {
  return cells.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(',')
}

const ABBREVIATIONS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ')

/** `Month of Jun, As of 06/09/2026` for data month `YYYY-MM` (or 1–12) and an ISO as-of. */
export function footerLine(dataMonth: string | number, asOf: string): string {
  const month = typeof dataMonth === 'number' ? dataMonth : Number(dataMonth.slice(5, 7))
  const [y, m, d] = asOf.split('-')
  return `Month of ${ABBREVIATIONS[month - 1]}, As of ${m}/${d}/${y}`
}

export function exportBody(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  footer: string | null,
  lineBreak = '\r\n',
): string {
  const lines = [csvLine(header), ...rows.map(csvLine)]
  if (footer !== null) lines.push(footer)
  return lines.map((line) => line + lineBreak).join('')
}
