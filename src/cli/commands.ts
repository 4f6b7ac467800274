/** Command implementations: thin adapters over the same services the server uses (docs/architecture.md#cli). */
import type { Command } from 'commander'
import { createLogger } from '../server/logger.ts'
import { createServices, type Services } from '../server/compose.ts'
import { closeOnSignals, startServer } from '../server/serve.ts'
import { verify } from '../server/storage/index.ts'
import { rebuildFromCache } from '../server/refresh/index.ts'
import { TOOL_VERSION } from '../server/version.ts'
import { isIsoDate } from '../shared/iso-date.ts'
import { normalizeDistrictId } from '../shared/district-id.ts'
import { configFromFlags, type CommonFlags } from './config-from-flags.ts'
import { CliError, printJson, printTable } from './output.ts'

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

/** Runs `fn` over services built from the flags (quiet logs), closing them whatever happens. */
export async function withServices<T>(
  flags: CommonFlags,
  fn: (services: Services) => Promise<T>,
): Promise<T> {
  const config = configFromFlags(flags, process.env, QUIET)
  const services = createServices(config, createLogger(config.logLevel))
  try {
    return await fn(services)
  } finally {
    await services.close()
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
  const server = await startServer(config, logger)
  process.stdout.write(`toastmasters-backfill listening on ${server.url}\n`)
  closeOnSignals(server.close, logger)
}

export async function refreshCommand(
  flags: CommonFlags & { date?: string; json?: boolean },
): Promise<number> {
  const date = assertDate(flags.date, '--date')
  return withServices(flags, async (services) => {
    const result = await services.refresh.refresh(date ? { date } : {})
    if (flags.json) printJson(result)
    else {
      process.stdout.write(`${result.message}\n`)
      for (const f of result.districts.failed)
        process.stdout.write(`  failed ${f.districtId}: ${f.error.code} ${f.error.message}\n`)
    }
    return result.status === 'failed' || result.status === 'unavailable'
      ? 1
      : result.status === 'partial'
        ? 2
        : 0
  })
}

export async function snapshotsListCommand(
  flags: CommonFlags & { from?: string; to?: string; json?: boolean },
): Promise<number> {
  const from = assertDate(flags.from, '--from')
  const to = assertDate(flags.to, '--to')
  if (from && to && from > to)
    throw new CliError(`--to must not be before --from (${to} < ${from})`)
  return withServices(flags, async (services) => {
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
  return withServices(flags, async (services) => {
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
  const report = await verify({ dataDir: config.dataDir, repair: flags.repair ?? false })
  if (flags.json) printJson(report)
  else {
    for (const p of report.problems) process.stdout.write(`${p.code}  ${p.path}  ${p.message}\n`)
    process.stdout.write(
      `${report.ok ? 'OK' : 'PROBLEMS FOUND'}: ${report.checked.snapshots} snapshots, ${report.checked.files} files, ${report.checked.rawBodies} raw bodies checked, ${report.problems.length} problems${flags.repair ? ' (repair applied)' : ''}\n`,
    )
  }
  return report.ok ? 0 : 1
}

export async function rebuildCommand(
  flags: CommonFlags & { from?: string; to?: string; json?: boolean },
): Promise<number> {
  const from = assertDate(flags.from, '--from')
  const to = assertDate(flags.to, '--to')
  if (!from || !to) throw new CliError('rebuild needs --from and --to')
  if (from > to) throw new CliError(`--to must not be before --from (${to} < ${from})`)
  return withServices(flags, async (services) => {
    const result = await rebuildFromCache({
      ...services,
      now: Date.now,
      toolVersion: TOOL_VERSION,
      from,
      to,
    })
    if (flags.json) printJson(result)
    else
      printTable(
        ['as-of', 'full', 'summary', 'failed'],
        result.dates.map((d) => [
          d.asOf,
          d.full.join(' '),
          d.summary.join(' '),
          d.failed.map((f) => f.districtId).join(' '),
        ]),
      )
    return result.dates.some((d) => d.failed.length > 0) ? 2 : 0
  })
}
