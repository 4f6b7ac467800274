/**
 * `migrate --from-data-dir DIR` and `export --to-data-dir DIR`: a file DATA_DIR into PostgreSQL
 * and back (README "Moving to PostgreSQL and back"). Thin adapters over src/server/transfer.
 */
import { stat } from 'node:fs/promises'
import type { Command } from 'commander'
import path from 'node:path'
import { createLogger } from '../server/logger.ts'
import type { PgPool } from '../server/pg/index.ts'
import {
  acquireDataDirLock,
  DataDirLockedError,
  prepareDataDir,
  StorageUnavailableError,
} from '../server/storage/index.ts'
import type { DataDirLock } from '../server/storage/index.ts'
import { exportDataDir, migrateDataDir, UnfinishedJobsError } from '../server/transfer/index.ts'
import type { Counts, TransferProgress, TransferReport } from '../server/transfer/index.ts'
import { configFromFlags } from './config-from-flags.ts'
import { CliError, EXIT, printJson, UsageError } from './output.ts'

/** Without a terminal, one progress line per this many dates (and one for the last). */
export const PROGRESS_EVERY_DATES = 10

export interface TransferFlags {
  json?: boolean
}

/** The PostgreSQL modules, loaded by the commands that use them (docs/performance.md#start-up). */
const pgModules = () => import('../server/pg/index.ts')

async function connect(command: string): Promise<PgPool> {
  const { createPgPool, migrate, redactDatabaseUrl } = await pgModules()
  const config = configFromFlags({}, process.env, { LOG_LEVEL: 'warn' })
  if (config.databaseUrl === null)
    throw new UsageError(
      `DATABASE_URL is not set: ${command} needs the PostgreSQL database (DATABASE_URL=postgres://user@host:5432/database)`,
    )
  const url = config.databaseUrl
  const pool = createPgPool({ databaseUrl: url, applicationName: `tm-backfill ${command}`, max: 2 })
  try {
    await migrate(pool)
  } catch (e) {
    await pool.end().catch(() => undefined)
    throw new CliError(`PostgreSQL at ${redactDatabaseUrl(url)}: ${(e as Error).message}`)
  }
  return pool
}

async function lockDataDir(dir: string, command: string): Promise<DataDirLock> {
  try {
    return await acquireDataDirLock({ dataDir: dir, role: 'cli', command })
  } catch (e) {
    if (e instanceof DataDirLockedError)
      throw new CliError(`${e.message}; stop it first`, EXIT.BUSY)
    if (e instanceof StorageUnavailableError) throw new CliError(e.message)
    throw e
  }
}

function progressPrinter(command: string): (p: TransferProgress) => void {
  const every = process.stderr.isTTY ? 1 : PROGRESS_EVERY_DATES
  return (p) => {
    if (p.done % every === 0 || p.done === p.total)
      process.stderr.write(`${command}: ${p.done}/${p.total} dates (${p.asOf})\n`)
  }
}

function countsLine(what: string, c: Counts, differing: string): string {
  const parts = [`${c.copied} copied`, `${c.alreadyThere} already there`]
  if (c.differing > 0) parts.push(`${c.differing} ${differing}`)
  if (c.failed > 0) parts.push(`${c.failed} failed their check`)
  return `  ${what}: ${parts.join(', ')}`
}

/** Prints the report; exit 0 when nothing failed or differed, 2 otherwise. */
function reportTransfer(report: TransferReport, json?: boolean): number {
  if (json) printJson(report)
  else {
    const differing =
      report.direction === 'migrate' ? 'differ there (left as they are)' : 'replaced'
    const lines = [
      `${report.direction} ${report.source} -> ${report.target}:`,
      countsLine(`${report.dates.total} dates`, report.dates, differing),
      countsLine('raw CSV bodies', report.rawBodies, differing),
      `  configured districts: ${report.config}`,
      `  current snapshot pointer: ${report.current}`,
      report.jobs.available
        ? countsLine('finished jobs', report.jobs, differing)
        : '  finished jobs: not copied (this build has no PostgreSQL job history)',
    ]
    if (report.jobs.unfinished.length > 0)
      lines.push(`  unfinished jobs not copied: ${report.jobs.unfinished.join(', ')}`)
    for (const p of report.problems) lines.push(`problem  ${p.path}  ${p.message}`)
    lines.push(
      !report.ok
        ? `PARTIAL: ${report.problems.length} problems; what failed was not copied`
        : report.nothingToDo
          ? `OK: nothing to copy, ${report.target} already holds everything`
          : 'OK',
    )
    process.stdout.write(`${lines.join('\n')}\n`)
  }
  return report.ok ? EXIT.OK : EXIT.PARTIAL
}

export async function migrateCommand(
  flags: TransferFlags & { fromDataDir: string },
): Promise<number> {
  const source = path.resolve(flags.fromDataDir)
  const isDir = await stat(source).then(
    (s) => s.isDirectory(),
    () => false,
  )
  if (!isDir) throw new UsageError(`--from-data-dir ${source} is not a directory`)
  const pool = await connect('migrate')
  try {
    // A running server (or CLI command) on the source would keep changing it: refused, exit 75.
    const lock = await lockDataDir(source, 'migrate')
    try {
      const report = await migrateDataDir({
        sourceDir: source,
        pool,
        jobHistory: (await pgModules()).createPgJobHistory(pool),
        onProgress: progressPrinter('migrate'),
      }).catch((e: unknown) => {
        if (e instanceof UnfinishedJobsError) throw new CliError(e.message)
        throw e
      })
      return reportTransfer(report, flags.json)
    } finally {
      await lock.release()
    }
  } finally {
    await pool.end()
  }
}

export async function exportCommand(flags: TransferFlags & { toDataDir: string }): Promise<number> {
  const target = path.resolve(flags.toDataDir)
  const pool = await connect('export')
  try {
    const lock = await lockDataDir(target, 'export')
    try {
      const config = configFromFlags({}, process.env, {
        LOG_LEVEL: 'warn',
      })
      // Proves the target writable and sweeps what a killed export left (temp files, staging).
      await prepareDataDir({ dataDir: target, logger: createLogger(config.logLevel) }).catch(
        (e: unknown) => {
          if (e instanceof StorageUnavailableError) throw new CliError(e.message)
          throw e
        },
      )
      const report = await exportDataDir({
        targetDir: target,
        pool,
        jobHistory: (await pgModules()).createPgJobHistory(pool),
        onProgress: progressPrinter('export'),
      })
      return reportTransfer(report, flags.json)
    } finally {
      await lock.release()
    }
  } finally {
    await pool.end()
  }
}

type ExitRow = readonly [code: number, meaning: string]

/** Registers `migrate` and `export` (their --help lists their exit codes like the others). */
export function addTransferCommands(
  program: Command,
  setExit: (code: number) => void,
  exitCodes: (rows: readonly ExitRow[]) => string,
  usageRow: ExitRow,
): void {
  const rows = (done: string, partial: string, busy: string): ExitRow[] => [
    [EXIT.OK, done],
    [EXIT.FAILED, 'the command failed (PostgreSQL unreachable, unfinished jobs in the source, …)'],
    [EXIT.PARTIAL, partial],
    usageRow,
    [EXIT.BUSY, busy],
  ]
  program
    .command('migrate')
    .description(
      'copy a file DATA_DIR (snapshots, raw CSV bodies, configured districts, finished jobs) into the PostgreSQL database of DATABASE_URL, checking every checksum; resumable, idempotent',
    )
    .requiredOption('--from-data-dir <dir>', 'the file DATA_DIR to copy (no server may hold it)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      exitCodes(
        rows(
          'everything is in PostgreSQL (copied now or already there)',
          'some files failed their checksum, or PostgreSQL holds different data for some dates: those were not copied, the rest was',
          'a server or another command holds the source DATA_DIR; nothing was done',
        ),
      ),
    )
    .action(async (flags) => setExit(await migrateCommand(flags)))
  program
    .command('export')
    .description(
      'write the PostgreSQL database of DATABASE_URL out as a file DATA_DIR (for backups and static publishing); resumable, idempotent',
    )
    .requiredOption('--to-data-dir <dir>', 'the file DATA_DIR to write (created if needed)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      exitCodes(
        rows(
          'the directory holds everything (written now or already there)',
          'some stored data failed its checksum: it was not written, the rest was',
          'a server or another command holds the target directory; nothing was done',
        ),
      ),
    )
    .action(async (flags) => setExit(await exportCommand(flags)))
}
