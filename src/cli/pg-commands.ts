/**
 * Writing commands beside a PostgreSQL deployment (DATABASE_URL set). There is no DATA_DIR to
 * lock and no server to find: the command joins the database as an API process does (role
 * `api`: it migrates if needed, enqueues, and never claims work), so its jobs are in the
 * shared history and on every page. A backfill or retry is run by the worker processes and
 * followed here with the same progress bar, summary and exit codes; when no worker is
 * connected the command says so and, unless `--wait`, exits EXIT.QUEUED leaving the job
 * queued (README "Running on several machines").
 */
import { createLogger } from '../server/logger.ts'
import { createServices, type Services } from '../server/compose.ts'
import type { PgPool } from '../server/pg/index.ts'
import { isTerminal, type BackfillResponse } from '../shared/backfill-api.ts'
import { configFromFlags, type CommonFlags } from './config-from-flags.ts'
import { createBar, EXIT, EXIT_BY_STATUS, payloadOf, printJson, printSummary } from './output.ts'

/** How long a followed job may go without any worker connected before the command says so. */
export const NO_WORKER_SECONDS = 5
const POLL_MS = 250

export interface PgFollowFlags extends CommonFlags {
  json?: boolean
  progress?: boolean
  wait?: boolean
}

/** True when the command's settings point at PostgreSQL. */
export function inPgMode(flags: CommonFlags): boolean {
  return configFromFlags(flags, process.env, { LOG_LEVEL: 'warn' }).databaseUrl !== null
}

/** Runs `fn` over services started as an API process on the database, closing them after. */
export async function withPgServices<T>(
  flags: CommonFlags,
  fn: (services: Services, pool: PgPool) => Promise<T>,
): Promise<T> {
  const config = {
    ...configFromFlags(flags, process.env, { LOG_LEVEL: 'warn' }),
    role: 'api' as const,
  }
  const services = await createServices(config, createLogger(config.logLevel))
  // Loaded here, not at start-up: a file-mode command never needs pg (docs/performance.md#start-up).
  const { createPgPool } = await import('../server/pg/index.ts')
  const pool = createPgPool({
    databaseUrl: config.databaseUrl!,
    applicationName: 'tm-backfill cli',
    max: 1,
  })
  try {
    await services.start()
    return await fn(services, pool)
  } finally {
    await services.close()
    await pool.end()
  }
}

/** Follows a job the workers run, to its end or until no worker has been seen for a while. */
export async function followPgJob(
  services: Services,
  pool: PgPool,
  job: BackfillResponse,
  flags: PgFollowFlags,
): Promise<number> {
  const { connectedWorkers } = await import('../server/pg/index.ts')
  const svc = services.backfills
  const id = job.backfillId
  const bar = flags.progress !== false && !flags.json ? createBar() : null
  bar?.start(job.progress.total, 0, payloadOf(job))
  let interrupted = false
  const onSigint = () => {
    if (interrupted) process.exit(EXIT.INTERRUPTED)
    interrupted = true
    void svc.cancel(id).catch(() => undefined)
  }
  process.on('SIGINT', onSigint)
  let lastSeen = Date.now()
  let told = false
  let state: BackfillResponse
  try {
    for (;;) {
      state = await svc.get(id)
      const p = state.progress
      bar?.setTotal(p.total)
      bar?.update(p.completed + p.skipped + p.unavailable + p.notADistrict + p.failed, {
        failed: p.failed,
        current: p.current || '-',
      })
      if (isTerminal(state.status)) break
      if ((await connectedWorkers(pool)) > 0) lastSeen = Date.now()
      else if (!told && Date.now() - lastSeen >= NO_WORKER_SECONDS * 1000) {
        told = true
        bar?.stop()
        process.stderr.write(
          `no worker is running: the job ${id} is queued and will run when one starts` +
            ` (tm-backfill serve --role worker)${flags.wait ? '; waiting for it (--wait)' : ''}\n`,
        )
        if (!flags.wait) {
          if (flags.json) printJson(state)
          return EXIT.QUEUED
        }
      }
      await new Promise((r) => setTimeout(r, POLL_MS))
    }
  } finally {
    process.off('SIGINT', onSigint)
    bar?.stop()
  }
  if (flags.json) printJson(state)
  else printSummary(state)
  return EXIT_BY_STATUS[state.status] ?? EXIT.FAILED
}
