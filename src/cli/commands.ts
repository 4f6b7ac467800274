/** Command implementations: thin adapters over the same services the server uses (docs/architecture.md#cli). */
import type { Command } from 'commander'
import { loadConfig, LOG_LEVELS } from '../server/config.ts'
import { createLogger } from '../server/logger.ts'
import { createServices, type Services } from '../server/compose.ts'
import { DataDirLockedError, StorageUnavailableError, verify } from '../server/storage/index.ts'
import { rebuildFromCache } from '../server/collect/index.ts'
import { TOOL_VERSION } from '../server/version.ts'
import { isIsoDate } from '../shared/iso-date.ts'
import { normalizeDistrictId } from '../shared/district-id.ts'
import { configFromFlags, type CommonFlags } from './config-from-flags.ts'
import {
  CliError,
  EXIT,
  printJson,
  printTable,
  reportRebuild,
  reportRefresh,
  reportVerify,
  UsageError,
} from './output.ts'
import { asDataDirWriter, remoteRebuild, remoteRefresh, remoteVerifyRepair } from './remote.ts'
import { inPgMode, withPgServices } from './pg-commands.ts'

/** Settings defaults of commands other than `serve` and `demo`: their output is for people. */
export const CLI_DEFAULTS: Readonly<Record<string, string>> = { LOG_LEVEL: 'warn' }
/** `serve` uses the documented defaults of the environment variables as they are. */
export const SERVER_DEFAULTS: Readonly<Record<string, string>> = {}
const QUIET = CLI_DEFAULTS

/** Which settings flags a command offers: only those it uses (default: all). */
export interface SettingsFlags {
  /** --dashboard-url; off for commands that collect from a fixed place. */
  dashboardUrl?: boolean
  /** --max-requests, --window-ms, --max-concurrent, --timeout-ms; off for offline commands. */
  upstream?: boolean
  /** --log-level; off for commands that log nothing. */
  logLevel?: boolean
}

/** Commands that never talk to the dashboard. */
export const OFFLINE: SettingsFlags = { dashboardUrl: false, upstream: false }

/**
 * The settings flags, each described with the value it has when neither the flag nor the
 * environment variable is set; `defaults` are the command's own (see `configFromFlags`).
 */
export function addCommonOptions(
  cmd: Command,
  defaults: Readonly<Record<string, string>> = CLI_DEFAULTS,
  offered: SettingsFlags = {},
): Command {
  const d = loadConfig({ ...defaults })
  cmd.option('--data-dir <dir>', `DATA_DIR: where snapshots are stored (default: ${d.dataDir})`)
  if (offered.dashboardUrl !== false)
    cmd.option(
      '--dashboard-url <url>',
      `TOASTMASTERS_DASHBOARD_URL: the dashboard or simulator to collect from (default: ${d.dashboardUrl})`,
    )
  if (offered.logLevel !== false)
    cmd.option(
      '--log-level <level>',
      `LOG_LEVEL: ${LOG_LEVELS.join('|')}, JSON on stderr (default: ${d.logLevel})`,
    )
  if (offered.upstream === false) return cmd
  return cmd
    .option(
      '--max-requests <n>',
      `UPSTREAM_MAX_REQUESTS per window, 0 = no limit, simulator only (default: ${d.upstream.maxRequests})`,
    )
    .option('--window-ms <ms>', `UPSTREAM_WINDOW_MS (default: ${d.upstream.windowMs})`)
    .option(
      '--max-concurrent <n>',
      `UPSTREAM_MAX_CONCURRENT (default: ${d.upstream.maxConcurrent})`,
    )
    .option('--timeout-ms <ms>', `UPSTREAM_TIMEOUT_MS (default: ${d.upstream.timeoutMs})`)
}

export function addServerOptions(
  cmd: Command,
  defaults: Readonly<Record<string, string>> = SERVER_DEFAULTS,
  offered: SettingsFlags = {},
): Command {
  const d = loadConfig({ ...defaults })
  return addCommonOptions(cmd, defaults, offered)
    .option('--port <port>', `PORT of the HTTP server, 0 = any free port (default: ${d.port})`)
    .option('--host <host>', `HOST to bind; non-loopback needs ADMIN_TOKEN (default: ${d.host})`)
}

/**
 * Runs `fn` over services built from the flags (quiet logs), closing them whatever happens. A
 * command that writes DATA_DIR (the default) first has it checked for writability and swept
 * of interrupted writes, as the server does at start-up.
 */
export function withServices<T>(
  flags: CommonFlags,
  fn: (services: Services) => Promise<T>,
): Promise<T> {
  return runWithServices(flags, fn, true)
}

/** `withServices` for commands that only read DATA_DIR (a read-only mount is fine for them). */
export function withReadOnlyServices<T>(
  flags: CommonFlags,
  fn: (services: Services) => Promise<T>,
): Promise<T> {
  return runWithServices(flags, fn, false)
}

async function runWithServices<T>(
  flags: CommonFlags,
  fn: (services: Services) => Promise<T>,
  writes: boolean,
): Promise<T> {
  const config = configFromFlags(flags, process.env, QUIET)
  const services = await createServices(config, createLogger(config.logLevel))
  try {
    if (writes) await prepareOrRefuse(services)
    return await fn(services)
  } finally {
    await services.close()
  }
}

/** A DATA_DIR that cannot be written is the user's to fix: a plain message, no stack. */
async function prepareOrRefuse(services: Services): Promise<void> {
  try {
    await services.prepareDataDir()
  } catch (e) {
    if (e instanceof StorageUnavailableError) throw new CliError(e.message)
    throw e
  }
}

export function assertDate(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && !isIsoDate(value))
    throw new UsageError(`${flag} must be a real calendar date written YYYY-MM-DD, got ${value}`)
  return value
}

export async function serveCommand(flags: CommonFlags): Promise<void> {
  const config = configFromFlags(flags, process.env, SERVER_DEFAULTS)
  // Loaded only here: the HTTP stack is a large share of every other command's start-up cost.
  const { closeOnSignals, startServer, startWorker } = await import('../server/serve.ts')
  const logger = createLogger(config.logLevel)
  if (config.role === 'worker') {
    const worker = await startWorker(config, logger)
    process.stdout.write('toastmasters-backfill worker started (role worker, no HTTP)\n')
    closeOnSignals(worker.close, logger)
    return
  }
  const server = await startServer(config, logger).catch(refuseWhenLocked)
  process.stdout.write(`toastmasters-backfill listening on ${server.url}\n`)
  closeOnSignals(server.close, logger)
}

export async function refreshCommand(
  flags: CommonFlags & { date?: string; json?: boolean },
): Promise<number> {
  const date = assertDate(flags.date, '--date')
  // PostgreSQL mode: collected here, through the budget every process shares.
  if (inPgMode(flags))
    return withPgServices(flags, async (services) =>
      reportRefresh(await services.refresh.refresh(date ? { date } : {}), flags.json),
    )
  return asDataDirWriter(flags, 'refresh', {
    remote: (server) => remoteRefresh(server, date, flags.json),
    local: () =>
      withServices(flags, async (services) =>
        reportRefresh(await services.refresh.refresh(date ? { date } : {}), flags.json),
      ),
  })
}

export async function snapshotsListCommand(
  flags: CommonFlags & { from?: string; to?: string; json?: boolean },
): Promise<number> {
  const from = assertDate(flags.from, '--from')
  const to = assertDate(flags.to, '--to')
  if (from && to && from > to)
    throw new UsageError(`--to must not be before --from (${to} < ${from})`)
  return withReadOnlyServices(flags, async (services) => {
    const list = await services.store.listSnapshots({ from, to })
    const current = (await services.store.getCurrent())?.asOf ?? null
    if (flags.json) printJson({ current, snapshots: list })
    else
      printTable(
        [
          'as-of',
          'status',
          'month',
          'closing',
          'districts',
          'full',
          'failed',
          'warnings',
          'summary',
          '',
        ],
        list.map((s) => [
          s.asOf,
          s.status,
          s.dataMonth,
          s.closingPeriod ? 'yes' : '',
          String(s.districtCount),
          String(s.fullDetailCount),
          String(s.failedCount),
          String(s.warningCount),
          s.hasAllDistricts ? 'yes' : '',
          s.asOf === current ? 'current' : '',
        ]),
      )
    return EXIT.OK
  })
}

export async function snapshotsShowCommand(
  date: string,
  flags: CommonFlags & { district?: string; json?: boolean },
): Promise<number> {
  assertDate(date, '<date>')
  const districtId = flags.district === undefined ? undefined : normalizeDistrictId(flags.district)
  if (districtId === null)
    throw new UsageError(`--district must be 1-4 letters or digits, got ${flags.district}`)
  return withReadOnlyServices(flags, async (services) => {
    if (districtId) {
      const file = await services.store.readDistrict(date, districtId)
      if (!file) throw new CliError(`district ${districtId} is not in the snapshot of ${date}`)
      printJson(file)
      return EXIT.OK
    }
    const metadata = await services.store.readMetadata(date)
    if (!metadata) throw new CliError(`no snapshot for ${date}`)
    const manifest = await services.store.readManifest(date)
    if (flags.json) printJson({ metadata, manifest })
    else {
      process.stdout.write(
        `snapshot ${date}: ${metadata.status}, data month ${metadata.dataMonth}, program year ${metadata.programYear}${metadata.closingPeriod ? ', closing period' : ''}\n`,
      )
      printTable(
        ['district', 'detail', 'bytes', 'job', 'written'],
        Object.values(manifest?.districts ?? {}).map((e) => [
          e.districtId,
          e.detail,
          String(e.sizeBytes),
          e.jobId ?? '',
          e.writtenAt,
        ]),
      )
      for (const f of metadata.failedDistricts)
        process.stdout.write(`failed ${f.districtId}: ${f.code} ${f.message}\n`)
    }
    return EXIT.OK
  })
}

export async function verifyCommand(
  flags: CommonFlags & { repair?: boolean; json?: boolean },
): Promise<number> {
  const config = configFromFlags(flags, process.env, QUIET)
  if (config.databaseUrl !== null)
    throw new UsageError(
      'verify checks a file DATA_DIR, and DATABASE_URL is set (the snapshots are in PostgreSQL): ' +
        'write them out with `tm-backfill export --to-data-dir DIR`, then check that copy with ' +
        '`env -u DATABASE_URL tm-backfill verify --data-dir DIR`',
    )
  const here = async () =>
    reportVerify(
      flags.repair
        ? await withServices(flags, () => verify({ dataDir: config.dataDir, repair: true }))
        : await verify({ dataDir: config.dataDir }),
      flags.repair,
      flags.json,
    )
  // Without --repair verify only reads: it never takes the lock and runs beside a server.
  if (!flags.repair) return here()
  return asDataDirWriter(flags, 'verify --repair', {
    remote: (server) => remoteVerifyRepair(server, flags.json),
    local: here,
  })
}

export async function rebuildCommand(
  flags: CommonFlags & { from?: string; to?: string; json?: boolean },
): Promise<number> {
  const from = assertDate(flags.from, '--from')
  const to = assertDate(flags.to, '--to')
  if (!from || !to) throw new UsageError('rebuild needs --from and --to')
  if (from > to) throw new UsageError(`--to must not be before --from (${to} < ${from})`)
  const rebuildWith = async (services: Services) =>
    reportRebuild(
      await rebuildFromCache({ ...services, now: Date.now, toolVersion: TOOL_VERSION, from, to }),
      flags.json,
    )
  // PostgreSQL mode: from the raw bodies in the database, into its snapshot store.
  if (inPgMode(flags)) return withPgServices(flags, rebuildWith)
  return asDataDirWriter(flags, 'rebuild', {
    remote: (server) => remoteRebuild(server, { from, to }, flags.json),
    local: () => withServices(flags, rebuildWith),
  })
}

/** A second server on a held DATA_DIR: one line naming the holder, exit EXIT.BUSY. */
export function refuseWhenLocked(error: unknown): never {
  if (error instanceof DataDirLockedError)
    throw new CliError(`${error.message}; stop it first`, EXIT.BUSY)
  throw error
}
