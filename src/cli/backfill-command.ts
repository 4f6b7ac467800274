/**
 * `tm-backfill backfill`: the same BackfillService as the API, with a live progress bar, a
 * summary table and exit codes 0 complete / 2 partial / 1 error / 130 cancelled (Ctrl-C
 * cancels the job cleanly: finished cells stay stored).
 */
import cliProgress from 'cli-progress'
import type { BackfillResponse } from '../shared/backfill-api.ts'
import type { CommonFlags } from './config-from-flags.ts'
import { assertDate, withServices } from './commands.ts'
import { EXIT, printJson, printTable, UsageError } from './output.ts'

export interface BackfillFlags extends CommonFlags {
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
  json?: boolean
  progress?: boolean
}

/** Flags → the API's request body; the service validates it (one rule set for HTTP and CLI). */
export function toBackfillRequest(flags: BackfillFlags): Record<string, unknown> {
  const from = assertDate(flags.from, '--from')
  if (!from) throw new UsageError('backfill needs --from YYYY-MM-DD')
  const body: Record<string, unknown> = {
    startDate: from,
    endDate: assertDate(flags.to, '--to') ?? from,
  }
  // An empty list or entry is passed on, so the service names it instead of targeting everything.
  if (flags.districts !== undefined)
    body.targetDistricts = flags.districts.split(',').map((d) => d.trim())
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
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, got ${value}`)
  return Number(value)
}

export const EXIT_BY_STATUS: Record<string, number> = {
  complete: EXIT.OK,
  partial_success: EXIT.PARTIAL,
  error: EXIT.FAILED,
  cancelled: EXIT.INTERRUPTED,
}

export async function backfillCommand(flags: BackfillFlags): Promise<number> {
  const body = toBackfillRequest(flags)
  return withServices(flags, async (services) => {
    const svc = services.backfills
    const started = await svc.initiate(body, { kind: 'global' })
    if (started.kind === 'plan') {
      if (flags.json) printJson(started.plan)
      else printPlan(started.plan)
      return EXIT.OK
    }
    const id = started.job.backfillId
    const showBar = flags.progress !== false && !flags.json
    const bar = showBar ? createBar() : null
    bar?.start(started.job.progress.total, 0, payloadOf(started.job))
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
      if (interrupted) process.exit(EXIT.INTERRUPTED)
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
    return EXIT_BY_STATUS[final.status] ?? EXIT.FAILED
  })
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
  process.stdout.write(
    `backfill ${job.backfillId}: ${job.status} — ${p.completed} completed, ${p.skipped} skipped, ${p.unavailable} unavailable, ${p.failed} failed of ${p.total} cells; ${job.snapshotIds.length} snapshots written\n`,
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
