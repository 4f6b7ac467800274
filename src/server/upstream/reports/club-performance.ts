/**
 * `clubperformance` rows (docs/upstream.md#clubperformance). Header variants known: 2023-24 archive (23 columns,
 * `Level 4s, Level 5s, or DTM award`), 2025-26 (25 columns with `CSP`, `Net Growth`), 2026-27
 * (`Level 2s or EOM`). Older legacy columns (CCs, ACs, …) are kept in `extra`.
 */
import type { RowBase, RowReader } from '../row-reader.ts'

/** `D` Distinguished, `S` Select, `P` President's, `M` Smedley (2025-26); others kept as data. */
export type DistinguishedCode = 'D' | 'S' | 'P' | 'M' | (string & {})

/**
 * One club of one district. Counts are null when the cell is empty or `N/A` (or unreadable: see
 * `invalidCells`) and when the column does not exist in that year's header.
 */
export interface ClubPerformanceRow extends RowBase {
  district: string | null
  /** One letter; `0D` for clubs not yet assigned to a division. */
  division: string | null
  /** Two digits such as `01`; `0A` when unassigned. */
  area: string | null
  /** 8-digit zero-padded club number, kept as text (`00000038`). */
  clubNumber: string
  clubName: string | null
  /** `Active`, `Low`, `Ineligible`, `Suspended`. */
  clubStatus: string | null
  /** Club Success Plan submitted (`CSP` Y/N); null before 2025-26. */
  csp: boolean | null
  membershipBase: number | null
  activeMembers: number | null
  /** Active Members − Mem. Base, as published; null when the column is absent (2023-24). */
  netGrowth: number | null
  /** DCP goals met, 0–10. */
  goalsMet: number | null
  level1s: number | null
  /** `Level 2s` (2026-27: `Level 2s or EOM`); capped at 2, remainder in `addLevel2s`. */
  level2s: number | null
  addLevel2s: number | null
  level3s: number | null
  /** `Level 4s, Path Completions, or DTM Awards` (older: `Level 4s, Level 5s, or DTM award`). */
  level4s: number | null
  addLevel4s: number | null
  newMembers: number | null
  addNewMembers: number | null
  officersTrainedRound1: number | null
  officersTrainedRound2: number | null
  duesOnTimeOct: number | null
  duesOnTimeApr: number | null
  officerListOnTime: number | null
  /** Letter code or null when empty. */
  distinguishedStatus: DistinguishedCode | null
}

export const CLUB_PERFORMANCE_KEY_COLUMNS = ['Club Number'] as const

export function toClubPerformanceRow(r: RowReader): ClubPerformanceRow {
  return {
    district: r.text('District'),
    division: r.text('Division'),
    area: r.text('Area'),
    clubNumber: r.text('Club Number') ?? '',
    clubName: r.text('Club Name'),
    clubStatus: r.text('Club Status'),
    csp: r.flag('CSP'),
    membershipBase: r.int('Mem. Base'),
    activeMembers: r.int('Active Members'),
    netGrowth: r.int('Net Growth'),
    goalsMet: r.int('Goals Met'),
    level1s: r.int('Level 1s'),
    level2s: r.int('Level 2s', 'Level 2s or EOM'),
    addLevel2s: r.int('Add. Level 2s', 'Add. Level 2s or EOM'),
    level3s: r.int('Level 3s'),
    level4s: r.int('Level 4s, Path Completions, or DTM Awards', 'Level 4s, Level 5s, or DTM award'),
    addLevel4s: r.int(
      'Add. Level 4s, Path Completions, or DTM award',
      'Add. Level 4s, Level 5s, or DTM award',
    ),
    newMembers: r.int('New Members'),
    addNewMembers: r.int('Add. New Members'),
    officersTrainedRound1: r.int('Off. Trained Round 1'),
    officersTrainedRound2: r.int('Off. Trained Round 2'),
    duesOnTimeOct: r.int('Mem. dues on time Oct'),
    duesOnTimeApr: r.int('Mem. dues on time Apr'),
    officerListOnTime: r.int('Off. List On Time'),
    distinguishedStatus: r.code('Club Distinguished Status'),
    ...r.finish(),
  }
}
