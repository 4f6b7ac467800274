/** Command implementations: thin adapters over the same services the server uses (STYLE §6). */
import type { Command } from 'commander'
import { createLogger } from '../server/logger.ts'
import { createServices, type Services } from '../server/compose.ts'
import { closeOnSignals, startServer } from '../server/serve.ts'
import { DataDirLockedError, StorageUnavailableError, verify } from '../server/storage/index.ts'
import { rebuildFromCache } from '../server/refresh/index.ts'
import { TOOL_VERSION } from '../server/version.ts'
import { isIsoDate } from '../shared/iso-date.ts'
import { normalizeDistrictId } from '../shared/district-id.ts'
import { configFromFlags, type CommonFlags } from './config-from-flags.ts'
import {
  CliError,
  printJson,
  printTable,
  reportRebuild,
  reportRefresh,
  reportVerify,
} from './output.ts'
import {
  asDataDirWriter,
  EXIT_DATA_DIR_BUSY,
  remoteRebuild,
  remoteRefresh,
  remoteVerifyRepair,
} from './remote.ts'

const QUIET = { LOG_LEVEL: 'warn' }

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'DATA_DIR: where snapshots are stored (default ./data)')
    .option(
      '--dashboard-url <url>',
      'TOASTMASTERS_DASHBOARD_URL: the dashboard or simulator to collect from',
    )
    .option('--log-level <level>', 'LOG_LEVEL: fatal|error|warn|info|debug|trace|silent')
    .option('--max-requests <n>', 'UPSTREAM_MAX_REQUESTS per window (0 = no limit, simulator only)')
    .option('--window-ms <ms>', 'UPSTREAM_WINDOW_MS')
    .option('--max-concurrent <n>', 'UPSTREAM_MAX_CONCURRENT')
    .option('--timeout-ms <ms>', 'UPSTREAM_TIMEOUT_MS')
}

export function addServerOptions(cmd: Command): Command {
  return addCommonOptions(cmd)
    .option('--port <port>', 'PORT of the HTTP server (default 5001; 0 = any free port)')
    .option('--host <host>', 'HOST to bind (default 127.0.0.1; non-loopback needs ADMIN_TOKEN)')
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
  const services = createServices(config, createLogger(config.logLevel))
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
    throw new CliError(`${flag} must be a real calendar date written YYYY-MM-DD, got ${value}`)
  return value
}

export async function serveCommand(flags: CommonFlags): Promise<void> {
  const config = configFromFlags(flags, process.env)
  const logger = createLogger(config.logLevel)
  const server = await startServer(config, logger).catch(refuseWhenLocked)
  process.stdout.write(`toastmasters-backfill listening on ${server.url}\n`)
  closeOnSignals(server.close, logger)
}

export async function refreshCommand(
  flags: CommonFlags & { date?: string; json?: boolean },
): Promise<number> {
  const date = assertDate(flags.date, '--date')
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
    throw new CliError(`--to must not be before --from (${to} < ${from})`)
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
    return 0
  })
}

export async function snapshotsShowCommand(
  date: string,
  flags: CommonFlags & { district?: string; json?: boolean },
): Promise<number> {
  assertDate(date, 'date')
  const districtId = flags.district === undefined ? undefined : normalizeDistrictId(flags.district)
  if (districtId === null)
    throw new CliError(`--district must be 1-4 letters or digits, got ${flags.district}`)
  return withReadOnlyServices(flags, async (services) => {
    if (districtId) {
      const file = await services.store.readDistrict(date, districtId)
      if (!file) throw new CliError(`district ${districtId} is not in the snapshot of ${date}`)
      printJson(file)
      return 0
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
    return 0
  })
}

export async function verifyCommand(
  flags: CommonFlags & { repair?: boolean; json?: boolean },
): Promise<number> {
  const config = configFromFlags(flags, process.env, QUIET)
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
  if (!from || !to) throw new CliError('rebuild needs --from and --to')
  if (from > to) throw new CliError(`--to must not be before --from (${to} < ${from})`)
  return asDataDirWriter(flags, 'rebuild', {
    remote: (server) => remoteRebuild(server, { from, to }, flags.json),
    local: () =>
      withServices(flags, async (services) =>
        reportRebuild(
          await rebuildFromCache({
            ...services,
            now: Date.now,
            toolVersion: TOOL_VERSION,
            from,
            to,
          }),
          flags.json,
        ),
      ),
  })
}

/** A second server on a held DATA_DIR: one line naming the holder, exit EXIT_DATA_DIR_BUSY. */
export function refuseWhenLocked(error: unknown): never {
  if (error instanceof DataDirLockedError)
    throw new CliError(`${error.message}; stop it first`, EXIT_DATA_DIR_BUSY)
  throw error
}
