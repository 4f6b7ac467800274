/** Pure formatting of a job view for the page (docs/architecture.md#web-page): no React, tested on their own. */
import {
  isTerminal,
  type BackfillProgress,
  type BackfillResponse,
  type DistrictProgress,
  type JobStatus,
} from '../../shared/backfill-api.ts'
import { compareDistrictIds } from '../../shared/district-id.ts'

export { isTerminal }

type Counts = Pick<
  BackfillProgress,
  'total' | 'completed' | 'skipped' | 'unavailable' | 'notADistrict' | 'failed'
>

/** Cells with an outcome, whatever it was. */
export function doneCells(p: Counts): number {
  return p.completed + p.skipped + p.unavailable + p.notADistrict + p.failed
}

/** Whole percent of cells with an outcome, 0-100; 100 only when every cell has one. */
export function progressPercent(p: Counts): number {
  if (p.total <= 0) return 0
  const pct = Math.floor((doneCells(p) / p.total) * 100)
  return Math.min(100, Math.max(0, pct))
}

/** "45 s", "3 min 20 s", "2 h 05 min"; null (not measurable yet) reads as "estimating". */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'estimating…'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) {
    const rest = s % 60
    return rest === 0 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 60)} min ${rest} s`
  }
  const h = Math.floor(s / 3600)
  const m = Math.round((s % 3600) / 60)
  return m === 60 ? `${h + 1} h 00 min` : `${h} h ${String(m).padStart(2, '0')} min`
}

const STATUS_LABELS: Record<JobStatus, string> = {
  queued: 'Queued',
  processing: 'Running',
  complete: 'Complete',
  partial_success: 'Partial success',
  error: 'Failed',
  cancelled: 'Cancelled',
}

export function statusLabel(status: JobStatus): string {
  return STATUS_LABELS[status] ?? status
}

/** Cells a retry would run: none completed, skipped, unavailable or not a district (failed, cancelled, never run). */
export function unfinishedCells(
  p: Pick<BackfillProgress, 'total' | 'completed' | 'skipped' | 'unavailable' | 'notADistrict'>,
): number {
  return Math.max(0, p.total - p.completed - p.skipped - p.unavailable - p.notADistrict)
}

/** Once a job has ended, its unfinished cells can run again in a new job. */
export function canRetryFailed(job: Pick<BackfillResponse, 'status' | 'progress'>): boolean {
  return isTerminal(job.status) && job.status !== 'complete' && unfinishedCells(job.progress) > 0
}

/** "Retry failed cells (2)" when only failures are left, else "Finish remaining cells (5)". */
export function retryLabel(job: Pick<BackfillResponse, 'progress'>): string {
  const left = unfinishedCells(job.progress)
  return left > job.progress.failed
    ? `Finish remaining cells (${left})`
    : `Retry failed cells (${job.progress.failed})`
}

export function canCancel(job: Pick<BackfillResponse, 'status'>): boolean {
  return !isTerminal(job.status)
}

/** Districts in the dashboard's order (numbers before letters, 02 before 61). */
export function districtRows(p: Pick<BackfillProgress, 'districtProgress'>): DistrictProgress[] {
  return Object.values(p.districtProgress).sort((a, b) =>
    compareDistrictIds(a.districtId, b.districtId),
  )
}

/** "58%" from a 0..1 rate. */
export function formatRate(rate: number): string {
  return `${Math.round(rate * 100)}%`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
}

/** "02, 61" or "all configured districts" for a job's scope. */
export function describeScope(
  job: Pick<BackfillResponse, 'scope' | 'type' | 'districtId'>,
): string {
  if (job.type === 'district' && job.districtId) return `district ${job.districtId}`
  const ids = job.scope.targetDistricts
  if (ids.length === 0) return 'every district in the summary'
  if (job.scope.scopeType === 'system-wide') return `all configured (${ids.join(', ')})`
  return ids.join(', ')
}

export function describeRange(job: Pick<BackfillResponse, 'request'>): string {
  const { startDate, endDate } = job.request
  return startDate === endDate ? startDate : `${startDate} → ${endDate}`
}

/** "11–20 of 45"; "0 of 0" when empty. */
export function pageLabel(offset: number, shown: number, total: number): string {
  if (shown === 0) return `0 of ${total}`
  return `${offset + 1}–${offset + shown} of ${total}`
}

/** One error a finished job records: which cell, its stable code and its message. */
export interface JobErrorLine {
  districtId: string
  date: string | null
  code: string
  message: string
}

const NOTE_RE = /^(\d{4}-\d{2}-\d{2}): ([A-Z_]+): ([\s\S]*)$/

/**
 * The errors of a job, per district and date: the partial snapshots' errors, then each
 * district's last error (as "date: CODE: message") for districts those do not cover.
 */
export function jobErrors(
  job: Pick<BackfillResponse, 'partialSnapshots' | 'progress'>,
): JobErrorLine[] {
  const lines: JobErrorLine[] = []
  for (const snap of job.partialSnapshots ?? []) {
    for (const e of snap.errors)
      lines.push({
        districtId: e.districtId,
        date: snap.snapshotId,
        code: e.code,
        message: e.message,
      })
  }
  const covered = new Set(lines.map((l) => l.districtId))
  for (const d of districtRows(job.progress)) {
    if (!d.lastError || covered.has(d.districtId)) continue
    const m = NOTE_RE.exec(d.lastError)
    lines.push(
      m
        ? { districtId: d.districtId, date: m[1]!, code: m[2]!, message: m[3]! }
        : { districtId: d.districtId, date: null, code: 'ERROR', message: d.lastError },
    )
  }
  return lines
}

/** Codes that mean the dashboard itself could not be reached (not one bad answer). */
const UNREACHABLE_CODES = new Set(['CIRCUIT_OPEN', 'UPSTREAM_NETWORK', 'UPSTREAM_TIMEOUT'])

/** A sentence for a job that ended because the dashboard was unreachable; null otherwise. */
export function unreachableSentence(
  job: Pick<BackfillResponse, 'status' | 'error' | 'partialSnapshots' | 'progress'>,
): string | null {
  if (!isTerminal(job.status) || job.status === 'complete') return null
  const codes = jobErrors(job).map((e) => e.code)
  const unreachable =
    codes.some((c) => UNREACHABLE_CODES.has(c)) || /circuit|unreachable/i.test(job.error ?? '')
  return unreachable
    ? 'The Toastmasters dashboard could not be reached, so the job stopped. Nothing is lost: the cells it did not finish can run again once the dashboard answers.'
    : null
}

/**
 * A district row's state once its job has ended: a district still "processing" or "pending"
 * when the job stopped did not finish, and the row says so instead of freezing.
 */
export function finalDistrictStatus(
  d: Pick<DistrictProgress, 'status'>,
  jobStatus: JobStatus,
): string {
  if (!isTerminal(jobStatus)) return d.status
  if (d.status !== 'processing' && d.status !== 'pending') return d.status
  return jobStatus === 'cancelled' ? 'cancelled' : 'not finished'
}
