/** What `migrate` and `export` report: counts per kind of thing copied, and every problem. */
import type { IsoDate } from '../../shared/iso-date.ts'

export interface Counts {
  /** Written by this run. */
  copied: number
  /** Already in the target, identical: nothing written. */
  alreadyThere: number
  /** In the target with other content: left as it is (migrate) or replaced (export). */
  differing: number
  /** Failed a check (checksum, size, unreadable): not copied. */
  failed: number
}

export interface TransferProblem {
  /** The file or row that failed, e.g. `/data/snapshots/2026-09-01/district_61.json`. */
  path: string
  message: string
}

export interface TransferReport {
  direction: 'migrate' | 'export'
  source: string
  target: string
  dates: Counts & { total: number; failedDates: IsoDate[]; differingDates: IsoDate[] }
  rawBodies: Counts
  config: 'copied' | 'identical' | 'differing' | 'none' | 'failed'
  current: 'moved' | 'unchanged' | 'none'
  jobs: Counts & {
    /** False when this build has no job history store for PostgreSQL: nothing was copied. */
    available: boolean
    /** Jobs not finished in the source (export: still running in PostgreSQL): not copied. */
    unfinished: string[]
  }
  problems: TransferProblem[]
  /** Nothing failed and nothing differed. */
  ok: boolean
  /** Nothing was written by this run. */
  nothingToDo: boolean
}

export interface TransferProgress {
  done: number
  total: number
  asOf: IsoDate
}

export function emptyCounts(): Counts {
  return { copied: 0, alreadyThere: 0, differing: 0, failed: 0 }
}

/** Counts an outcome of one item. */
export function tally(
  counts: Counts,
  outcome: 'copied' | 'identical' | 'conflict' | 'replaced',
): void {
  if (outcome === 'copied') counts.copied++
  else if (outcome === 'identical') counts.alreadyThere++
  else if (outcome === 'replaced') {
    counts.copied++
    counts.differing++
  } else counts.differing++
}

export function finishReport(report: Omit<TransferReport, 'ok' | 'nothingToDo'>): TransferReport {
  const failed = report.problems.length > 0 || report.config === 'failed'
  const migrateConflict =
    report.direction === 'migrate' &&
    (report.dates.differing > 0 ||
      report.rawBodies.differing > 0 ||
      report.config === 'differing' ||
      report.jobs.differing > 0)
  const nothingToDo =
    report.dates.copied === 0 &&
    report.rawBodies.copied === 0 &&
    report.jobs.copied === 0 &&
    report.config !== 'copied' &&
    report.current !== 'moved'
  return { ...report, ok: !failed && !migrateConflict, nothingToDo }
}
