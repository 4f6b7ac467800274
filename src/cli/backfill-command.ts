/**
 * `tm-backfill backfill`: the same BackfillService as the API, with a live progress bar, a
 * summary table and exit codes 0 complete / 2 partial / 1 error / 130 cancelled (Ctrl-C
 * cancels the job cleanly: finished cells stay stored).
 */
import cliProgress from 'cli-progress'
import { BackfillError, type BackfillService } from '../server/backfill/index.ts'
import type { BackfillResponse } from '../shared/backfill-api.ts'
import type { CommonFlags } from './config-from-flags.ts'
import { assertDate, withServices } from './commands.ts'
import { CliError, printJson, printTable } from './output.ts'

/** How a started job is followed: a progress bar on stderr, then a summary or JSON. */
export interface FollowFlags extends CommonFlags {
  json?: boolean
  progress?: boolean
}

export interface BackfillFlags extends FollowFlags {
  from?: string
  to?: string
  districts?: string
  strategy?: string
  concurrency?: string
  skipExisting?: boolean
  retry?: boolean
  cache?: boolean
  delayMs?: string
  dryRun?: boolean
}

/** Flags → the API's request body; the service validates it (one rule set for HTTP and CLI). */
export function toBackfillRequest(flags: BackfillFlags): Record<string, unknown> {
  const from = assertDate(flags.from, '--from')
  if (!from) throw new CliError('backfill needs --from YYYY-MM-DD')
  const body: Record<string, unknown> = {
    startDate: from,
    endDate: assertDate(flags.to, '--to') ?? from,
  }
  if (flags.districts) body.targetDistricts = flags.districts.split(',').map((d) => d.trim())
  if (flags.strategy) body.collectionType = flags.strategy
  if (flags.concurrency !== undefined) body.concurrency = toInt(flags.concurrency, '--concurrency')
  if (flags.delayMs !== undefined) body.rateLimitDelayMs = toInt(flags.delayMs, '--delay-ms')
  if (flags.skipExisting === false) body.skipExisting = false
  if (flags.retry === false) body.retryFailures = false
  if (flags.cache === false) body.enableCaching = false
  if (flags.dryRun) body.dryRun = true
  return body
}

function toInt(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value)) throw new CliError(`${flag} must be a whole number, got ${value}`)
  return Number(value)
}

export const EXIT_BY_STATUS: Record<string, number> = {
  complete: 0,
  partial_success: 2,
  error: 1,
  cancelled: 130,
}

export async function backfillCommand(flags: BackfillFlags): Promise<number> {
  const body = toBackfillRequest(flags)
  return withServices(flags, async (services) => {
    const svc = services.backfills
    const started = await svc.initiate(body, { kind: 'global' })
    if (started.kind === 'plan') {
      if (flags.json) printJson(started.plan)
      else printPlan(started.plan)
      return 0
    }
    return followJob(svc, started.job, flags)
  })
}

/**
 * `tm-backfill retry <jobId>`: a new job over every cell the given job did not finish (failed,
 * never run, cancelled), followed like `backfill`, with the same exit codes.
 */
export async function retryCommand(jobId: string, flags: FollowFlags): Promise<number> {
  return withServices(flags, async (services) => {
    let job: BackfillResponse
    try {
      job = await services.backfills.retry(jobId)
    } catch (error) {
      if (error instanceof BackfillError) throw new CliError(error.message)
      throw error
    }
    return followJob(services.backfills, job, flags)
  })
}

/** Follows a started job to its end (Ctrl-C cancels it); returns the exit code of its status. */
async function followJob(
  svc: BackfillService,
  job: BackfillResponse,
  flags: FollowFlags,
): Promise<number> {
  const id = job.backfillId
  const showBar = flags.progress !== false && !flags.json
  const bar = showBar ? createBar() : null
  bar?.start(job.progress.total, 0, payloadOf(job))
  const unsubscribe = svc.subscribe((state) => {
    if (state.backfillId !== id || !bar) return
    const p = state.progress
    bar.setTotal(p.total)
    bar.update(p.completed + p.skipped + p.unavailable + p.failed, {
      failed: p.failed,
      current: p.current || '-',
    })
  })
  let interrupted = false
  const onSigint = () => {
    if (interrupted) process.exit(130)
    interrupted = true
    void svc.cancel(id).catch(() => undefined)
  }
  process.on('SIGINT', onSigint)
  await svc.idle()
  process.off('SIGINT', onSigint)
  unsubscribe()
  bar?.stop()
  const final = await svc.get(id)
  if (flags.json) printJson(final)
  else printSummary(final)
  return EXIT_BY_STATUS[final.status] ?? 1
}

function createBar() {
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

function payloadOf(job: BackfillResponse) {
  return { failed: job.progress.failed, current: job.progress.current || '-' }
}

function printPlan(plan: {
  counts: { total: number; fetch: number; skip: number; unavailable: number }
  requests: { total: number; exact: boolean }
  dates: number
  collectionStrategy: { type: string; rationale: string }
}) {
  process.stdout.write(
    [
      `dry run: ${plan.dates} dates, ${plan.counts.total} cells (${plan.counts.fetch} to fetch, ${plan.counts.skip} already stored, ${plan.counts.unavailable} unpublished)`,
      `strategy: ${plan.collectionStrategy.type}: ${plan.collectionStrategy.rationale}`,
      `upstream requests: ${plan.requests.total}${plan.requests.exact ? '' : ' (estimate)'}`,
      '',
    ].join('\n'),
  )
}

function printSummary(job: BackfillResponse) {
  const p = job.progress
  const of = job.retryOf ? ` (retry of ${job.retryOf})` : ''
  process.stdout.write(
    `backfill ${job.backfillId}${of}: ${job.status} — ${p.completed} completed, ${p.skipped} skipped, ${p.unavailable} unavailable, ${p.failed} failed of ${p.total} cells; ${job.snapshotIds.length} snapshots written\n`,
  )
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
