/**
 * `tm-backfill backfill`: the same BackfillService as the API, with a live progress bar, a
 * summary table and exit codes 0 complete / 2 partial / 1 error / 130 cancelled (Ctrl-C
 * cancels the job cleanly: finished cells stay stored).
 */
import {
  BackfillError,
  parseBackfillRequest,
  type BackfillService,
} from '../server/backfill/index.ts'
import type { BackfillResponse } from '../shared/backfill-api.ts'
import { todayUtc } from '../shared/iso-date.ts'
import type { Services } from '../server/compose.ts'
import type { CommonFlags } from './config-from-flags.ts'
import { assertDate, withServices } from './commands.ts'
import {
  CliError,
  createBar,
  EXIT,
  EXIT_BY_STATUS,
  payloadOf,
  printJson,
  printPlan,
  printSummary,
  UsageError,
} from './output.ts'
import { asDataDirWriter, remoteBackfill, remoteRetry } from './remote.ts'
import { followPgJob, inPgMode, withPgServices } from './pg-commands.ts'

/** How a started job is followed: a progress bar on stderr, then a summary or JSON. */
export interface FollowFlags extends CommonFlags {
  json?: boolean
  progress?: boolean
  /** PostgreSQL mode: keep following while no worker is running. */
  wait?: boolean
}

export interface BackfillFlags extends FollowFlags {
  from?: string
  to?: string
  cadence?: string
  dates?: string
  districts?: string
  strategy?: string
  concurrency?: string
  skipExisting?: boolean
  reprocess?: string
  retry?: boolean
  cache?: boolean
  delayMs?: string
  dryRun?: boolean
}

/** Flags → the API's request body; the service validates it (one rule set for HTTP and CLI). */
export function toBackfillRequest(flags: BackfillFlags): Record<string, unknown> {
  const from = assertDate(flags.from, '--from')
  if (!from && flags.dates === undefined)
    throw new UsageError('backfill needs --from YYYY-MM-DD (or --dates YYYY-MM-DD,…)')
  const body: Record<string, unknown> = {}
  if (from) {
    body.startDate = from
    body.endDate = assertDate(flags.to, '--to') ?? from
  } else if (flags.to !== undefined) body.endDate = assertDate(flags.to, '--to')
  // Passed on as typed: the service names a bad cadence or entry (`--dates entry 2 must be …`).
  if (flags.cadence !== undefined) body.cadence = flags.cadence
  if (flags.dates !== undefined) body.dates = flags.dates.split(',').map((d) => d.trim())
  // An empty list or entry is passed on, so the service names it instead of targeting everything.
  if (flags.districts !== undefined)
    body.targetDistricts = flags.districts.split(',').map((d) => d.trim())
  if (flags.strategy) body.collectionType = flags.strategy
  if (flags.concurrency !== undefined) body.concurrency = toInt(flags.concurrency, '--concurrency')
  if (flags.delayMs !== undefined) body.rateLimitDelayMs = toInt(flags.delayMs, '--delay-ms')
  if (flags.skipExisting === false) body.skipExisting = false
  // Passed on as typed: the service names a bad choice or one --no-skip-existing contradicts.
  if (flags.reprocess !== undefined) body.reprocess = flags.reprocess
  if (flags.retry === false) body.retryFailures = false
  if (flags.cache === false) body.enableCaching = false
  if (flags.dryRun) body.dryRun = true
  return body
}

function toInt(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, got ${value}`)
  return Number(value)
}

export async function backfillCommand(flags: BackfillFlags): Promise<number> {
  const body = toBackfillRequest(flags)
  // A bad request is a usage error found before DATA_DIR is locked or touched (the service
  // validates again: the rule set is the same).
  parseBackfillRequest(body, { today: todayUtc(Date.now()) })
  if (inPgMode(flags))
    return withPgServices(flags, async (services, pool) => {
      const started = await services.backfills.initiate(body, { kind: 'global' })
      if (started.kind === 'plan') return printPlanOf(started.plan, flags)
      return followPgJob(services, pool, started.job, flags)
    })
  return asDataDirWriter(flags, 'backfill', {
    // A dry run writes nothing: it takes no lock, it only asks a server holding one for the plan.
    lockLocal: !flags.dryRun,
    remote: (server) => remoteBackfill(server, body, flags),
    local: () => backfillHere(body, flags),
  })
}

async function backfillHere(body: Record<string, unknown>, flags: BackfillFlags): Promise<number> {
  return withServices(flags, async (services) => {
    const svc = services.backfills
    const started = await svc.initiate(body, { kind: 'global' })
    if (started.kind === 'plan') return printPlanOf(started.plan, flags)
    return followJob(svc, started.job, flags)
  })
}

function printPlanOf(plan: Parameters<typeof printPlan>[0], flags: FollowFlags): number {
  if (flags.json) printJson(plan)
  else printPlan(plan)
  return EXIT.OK
}

/** The retried job, or a failed command naming why (an unknown or unfinished job). */
async function startRetry(services: Services, jobId: string): Promise<BackfillResponse> {
  try {
    return await services.backfills.retry(jobId)
  } catch (error) {
    if (error instanceof BackfillError) throw new CliError(error.message)
    throw error
  }
}

/**
 * `tm-backfill retry <jobId>`: a new job over every cell the given job did not finish (failed,
 * never run, cancelled), followed like `backfill`, with the same exit codes.
 */
export async function retryCommand(jobId: string, flags: FollowFlags): Promise<number> {
  if (inPgMode(flags))
    return withPgServices(flags, async (services, pool) =>
      followPgJob(services, pool, await startRetry(services, jobId), flags),
    )
  return asDataDirWriter(flags, 'retry', {
    remote: (server) => remoteRetry(server, jobId, flags),
    local: () =>
      withServices(flags, async (services) =>
        followJob(services.backfills, await startRetry(services, jobId), flags),
      ),
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
    bar.update(p.completed + p.skipped + p.unavailable + p.notADistrict + p.failed, {
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
}
