/** Findings of `verify`: what is wrong where, and how `--repair` would fix it. */
import type { DistrictId } from '../../shared/district-id.ts'
import type { IsoDate } from '../../shared/iso-date.ts'

export type VerifyProblemCode =
  | 'INVALID_JSON'
  | 'INVALID_SHAPE'
  | 'UNSUPPORTED_SCHEMA'
  | 'SIZE_MISMATCH'
  | 'SHA_MISMATCH'
  | 'CONTENT_MISMATCH'
  | 'DETAIL_MISMATCH'
  | 'MISSING_FILE'
  | 'ORPHAN_FILE'
  | 'UNEXPECTED_FILE'
  | 'TEMP_LEFTOVER'
  | 'PENDING_COMMITTED'
  | 'PENDING_UNCOMMITTED'
  | 'SNAPSHOT_UNREADABLE'
  | 'CURRENT_INVALID'
  | 'CURRENT_DANGLING'
  | 'RAW_META_INVALID'
  | 'RAW_META_MISSING'
  | 'RAW_BODY_MISSING'
  | 'RAW_SHA_MISMATCH'
  | 'CONFIG_INVALID'
  /** A series index record that disagrees with its snapshot (derived again on read). */
  | 'INDEX_STALE'

export interface VerifyProblem {
  /** Relative to the data dir, `/`-separated. */
  path: string
  code: VerifyProblemCode
  message: string
  /** Only with `repair: true`: whether the repair made the problem go away. */
  repaired?: boolean
}

export type Fix =
  /** Move these absolute paths to quarantine. */
  | { kind: 'quarantine'; paths: string[] }
  /** Quarantine the file (if any) and take the district (null = all-districts) out of the manifest. */
  /** `asOf`: the snapshot key (an as-of, or `<asOf>_<YYYY-MM>` for its second data month). */
  | { kind: 'drop'; asOf: IsoDate; districtId: DistrictId | null; paths: string[]; reason: string }
  /** A committed pending file: move it over its target. */
  | { kind: 'roll-forward'; from: string; to: string }
  | { kind: 'current' }

export interface Finding {
  problem: VerifyProblem
  fix: Fix
}

export interface VerifyCounts {
  snapshots: number
  files: number
  rawBodies: number
}
