/** Human output of the CLI: plain tables on stdout, JSON on request. */
import cliProgress from 'cli-progress'
import type { RebuildResult } from '../server/collect/index.ts'
import type { VerifyReport } from '../server/storage/index.ts'
import type { BackfillResponse } from '../shared/backfill-api.ts'
import type { RefreshResult } from '../shared/refresh-api.ts'

/** Exit codes of every command (sysexits' EX_USAGE for usage errors). */
export const EXIT = {
  /** Done: job complete, refresh written or unchanged, nothing wrong found. */
  OK: 0,
  /** The job or command failed (or `verify` found problems). */
  FAILED: 1,
  /** Partly done: some cells or districts failed, the rest is stored. */
  PARTIAL: 2,
  /** PostgreSQL mode: no worker is running; the job stays queued and runs when one starts. */
  QUEUED: 3,
  /** Bad invocation: unknown or missing flag, bad flag value, bad setting. Nothing was done. */
  USAGE: 64,
  /** DATA_DIR is held by another writer (a server, or another CLI command); nothing was done. */
  BUSY: 75,
  /** Interrupted (Ctrl-C); a backfill is cancelled cleanly, finished cells stay stored. */
  INTERRUPTED: 130,
} as const

/** A failure to report to the user as one line, with the exit code it ends the process with. */
export class CliError extends Error {
  override name = 'CliError'
  readonly exitCode: number
  constructor(message: string, exitCode: number = EXIT.FAILED) {
    super(message)
    this.exitCode = exitCode
  }
}

/** Bad flags or values: exit 64, before any work starts. */
export class UsageError extends CliError {
  override name = 'UsageError'
  constructor(message: string) {
    super(message, EXIT.USAGE)
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  process.stdout.write(`${line(header)}\n`)
  for (const r of rows) process.stdout.write(`${line(r)}\n`)
  if (rows.length === 0) process.stdout.write('(none)\n')
}

/** Exit code of a finished backfill job, local or run by a server. */
export const EXIT_BY_STATUS: Record<string, number> = {
  complete: EXIT.OK,
  partial_success: EXIT.PARTIAL,
  error: EXIT.FAILED,
  cancelled: EXIT.INTERRUPTED,
}

export function createBar() {
  return new cliProgress.SingleBar(
    {
      format:
        ' {bar} {percentage}% | {value}/{total} cells | {current} | failed {failed} | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  )
}

export function payloadOf(job: BackfillResponse) {
  return { failed: job.progress.failed, current: job.progress.current || '-' }
}

/** ", 3 not a district on that date", or nothing when there is none (docs/upstream.md#the-district-set-of-a-date). */
function notADistrict(count: number): string {
  return count > 0 ? `, ${count} not a district on that date` : ''
}

export function printPlan(plan: {
  counts: { total: number; fetch: number; skip: number; unavailable: number; notADistrict: number }
  requests: { total: number; exact: boolean }
  dates: number
  chosenDates?: string[]
  request?: { cadence?: string | null }
  collectionStrategy: { type: string; rationale: string }
}) {
  const how = plan.request?.cadence ?? 'dates list'
  process.stdout.write(
    [
      `dry run: ${plan.dates} dates, ${plan.counts.total} cells (${plan.counts.fetch} to fetch, ${plan.counts.skip} already stored, ${plan.counts.unavailable} unpublished${notADistrict(plan.counts.notADistrict)})`,
      ...(plan.chosenDates ? [`dates (${how}): ${plan.chosenDates.join(', ')}`] : []),
      `strategy: ${plan.collectionStrategy.type}: ${plan.collectionStrategy.rationale}`,
      `upstream requests: ${plan.requests.total}${plan.requests.exact ? '' : ' (estimate)'}`,
      '',
    ].join('\n'),
  )
}

export function printSummary(job: BackfillResponse) {
  const p = job.progress
  const of = job.retryOf ? ` (retry of ${job.retryOf})` : ''
  process.stdout.write(
    `backfill ${job.backfillId}${of}: ${job.status} — ${p.completed} completed, ${p.skipped} skipped, ${p.unavailable} unavailable${notADistrict(p.notADistrict)}, ${p.failed} failed of ${p.total} cells; ${job.snapshotIds.length} snapshots written\n`,
  )
  if (job.error) process.stdout.write(`error: ${job.error}\n`)
  else for (const w of job.warnings ?? []) process.stdout.write(`warning: ${w}\n`)
  printTable(
    ['district', 'status', 'dates', 'ok', 'failed', 'retries', 'last error'],
    Object.values(p.districtProgress).map((d) => [
      d.districtId,
      d.status,
      `${d.datesProcessed}/${d.datesTotal}`,
      String(d.successfulDates.length),
      String(d.failedDates.length),
      String(d.retryCount),
      d.lastError ?? '',
    ]),
  )
}

/** Prints a refresh result; its exit code: 0 written/unchanged, 2 partial, 1 failed. */
export function reportRefresh(result: RefreshResult, json?: boolean): number {
  if (json) printJson(result)
  else {
    process.stdout.write(`${result.message}\n`)
    for (const f of result.districts.failed)
      process.stdout.write(`  failed ${f.districtId}: ${f.error.code} ${f.error.message}\n`)
  }
  return result.status === 'failed' || result.status === 'unavailable'
    ? EXIT.FAILED
    : result.status === 'partial'
      ? EXIT.PARTIAL
      : EXIT.OK
}

/** Prints a verify report; exit 1 when it found problems. */
export function reportVerify(report: VerifyReport, repair?: boolean, json?: boolean): number {
  if (json) printJson(report)
  else {
    for (const p of report.problems) process.stdout.write(`${p.code}  ${p.path}  ${p.message}\n`)
    process.stdout.write(
      `${report.ok ? 'OK' : 'PROBLEMS FOUND'}: ${report.checked.snapshots} snapshots, ${report.checked.files} files, ${report.checked.rawBodies} raw bodies checked, ${report.problems.length} problems${repair ? ' (repair applied)' : ''}\n`,
    )
  }
  return report.ok ? EXIT.OK : EXIT.FAILED
}

/** Prints what a rebuild re-derived; exit 2 when some district could not be rebuilt or was skipped. */
export function reportRebuild(result: RebuildResult, json?: boolean): number {
  if (json) printJson(result)
  else {
    printTable(
      ['as-of', 'data month', 'full', 'summary', 'failed', 'skipped'],
      result.dates.map((d) => [
        d.asOf,
        d.dataMonth ?? '',
        d.full.join(' '),
        d.summary.join(' '),
        d.failed.map((f) => f.districtId).join(' '),
        d.skipped.map((f) => f.districtId).join(' '),
      ]),
    )
    for (const d of result.dates)
      for (const s of d.skipped)
        process.stdout.write(`skipped ${d.asOf} ${s.districtId}: ${s.reason}\n`)
  }
  return result.dates.some((d) => d.failed.length > 0 || d.skipped.length > 0)
    ? EXIT.PARTIAL
    : EXIT.OK
}
