/** `tm-backfill`: the command line over the same services as the server (docs/architecture.md#cli). */
import { Command } from 'commander'
import {
  addCommonOptions,
  addServerOptions,
  CLI_DEFAULTS,
  OFFLINE,
  rebuildCommand,
  refreshCommand,
  serveCommand,
  snapshotsListCommand,
  snapshotsShowCommand,
  verifyCommand,
} from './commands.ts'
import { backfillCommand, retryCommand } from './backfill-command.ts'
import { DEFAULT_SEED, DEFAULT_SIM_PORT } from '../sim/index.ts'
import { DEMO_DEFAULTS, demoCommand } from './demo.ts'
import { describeCliFailure } from './error-boundary.ts'
import { EXIT } from './output.ts'
import { addSimOptions, simCommand } from './sim-command.ts'
import { addTransferCommands } from './transfer-commands.ts'

type ExitRow = readonly [code: number, meaning: string]

const USAGE_ROW: ExitRow = [
  EXIT.USAGE,
  'usage error: unknown or missing flag, bad value or setting; nothing was done',
]
const SERVER_EXITS: readonly ExitRow[] = [
  [EXIT.OK, 'stopped by SIGINT or SIGTERM'],
  [EXIT.FAILED, 'could not start (e.g. the port is in use)'],
  USAGE_ROW,
  [EXIT.INTERRUPTED, 'a second signal while shutting down'],
]

/** The `Exit codes:` section of a command's --help. */
function exitCodes(rows: readonly ExitRow[]): string {
  return `\nExit codes:\n${rows.map(([code, meaning]) => `  ${String(code).padEnd(4)}${meaning}`).join('\n')}\n`
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('tm-backfill')
    .description('Collects the Toastmasters dashboard history into dated per-district snapshots.')
    .exitOverride()
    .configureOutput({
      // Commander's own usage errors, on one line like every other error of the CLI.
      outputError: (text, write) =>
        write(`tm-backfill: ${text.trim().replace(/^error: /, '')} (--help lists the options)\n`),
    })

  addServerOptions(program.command('serve').description('start the HTTP API and web page'))
    .option(
      '--role <role>',
      'ROLE: all | api (HTTP, no job work) | worker (job work, no HTTP); api and worker need DATABASE_URL (default: all)',
    )
    .addHelpText('after', exitCodes(SERVER_EXITS))
    .action(serveCommand)

  addServerOptions(
    program
      .command('demo')
      .description('start the dashboard simulator and the server wired together (offline)')
      .option('--sim-port <port>', `simulator port (default: ${DEFAULT_SIM_PORT})`)
      .option('--seed <n>', `simulator seed (default: ${DEFAULT_SEED})`),
    DEMO_DEFAULTS,
    // The demo always collects from its own simulator.
    { dashboardUrl: false },
  )
    .addHelpText('after', exitCodes(SERVER_EXITS))
    .action(demoCommand)

  addCommonOptions(
    program
      .command('backfill')
      .description('collect a date range into snapshots (same options as the API)')
      .option('--from <YYYY-MM-DD>', 'first date (required unless --dates)')
      .option('--to <YYYY-MM-DD>', 'last date (default: --from)')
      .option('--cadence <cadence>', 'daily | weekly | month-end | year-end (default daily)')
      .option('--dates <list>', 'comma-separated as-of days instead of --from/--to and --cadence')
      .option('--districts <ids>', 'comma-separated target districts (default: configured, or all)')
      .option('--strategy <type>', 'system-wide | per-district | auto', 'auto')
      .option('--concurrency <n>', 'districts in flight at once (1-10)', '3')
      .option('--delay-ms <ms>', "minimum gap between this job's requests")
      .option('--no-skip-existing', 'fetch again even when a valid file is stored')
      .option(
        '--reprocess <choice>',
        'missing | missing-and-failed | all: cells fetched again (default missing-and-failed)',
      )
      .option('--no-retry', 'do not retry failed requests')
      .option('--no-cache', 'ignore the raw CSV cache')
      .option('--dry-run', 'print the plan and the request count, start nothing')
      .option('--no-progress', 'no progress bar')
      .option('--wait', 'DATABASE_URL set: keep following while no worker is running')
      .option('--json', 'print the final job (or plan) as JSON'),
  )
    .addHelpText(
      'after',
      exitCodes([
        [EXIT.OK, 'complete (or, with --dry-run, the plan was printed)'],
        [EXIT.FAILED, 'the job ended in error, or the command failed'],
        [EXIT.PARTIAL, 'partial success: some cells failed, the rest is stored'],
        [EXIT.QUEUED, 'DATABASE_URL set, no worker is running: the job stays queued (see --wait)'],
        USAGE_ROW,
        [EXIT.INTERRUPTED, 'cancelled by Ctrl-C (finished cells stay stored)'],
      ]),
    )
    .action(async (flags) => setExit(await backfillCommand(flags)))

  addCommonOptions(
    program
      .command('retry <jobId>')
      .description(
        "run every cell a finished job did not complete (failed, cancelled, never run) in a new job; finishes a cancelled job's remaining cells",
      )
      .option('--no-progress', 'no progress bar')
      .option('--wait', 'DATABASE_URL set: keep following while no worker is running')
      .option('--json', 'print the final job as JSON'),
  )
    .addHelpText(
      'after',
      exitCodes([
        [EXIT.OK, 'the new job completed'],
        [EXIT.FAILED, 'the new job ended in error, or the job to retry is unknown or unfinished'],
        [EXIT.PARTIAL, 'partial success: some cells failed again, the rest is stored'],
        [EXIT.QUEUED, 'DATABASE_URL set, no worker is running: the job stays queued (see --wait)'],
        USAGE_ROW,
        [EXIT.BUSY, 'another CLI command holds DATA_DIR; nothing was done'],
        [EXIT.INTERRUPTED, 'cancelled by Ctrl-C (finished cells stay stored)'],
      ]),
    )
    .action(async (jobId: string, flags) => setExit(await retryCommand(jobId, flags)))

  addCommonOptions(
    program
      .command('refresh')
      .description('collect the newest published as-of (or --date) for the configured districts')
      .option('--date <YYYY-MM-DD>', 'collect this as-of date instead of the newest')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      exitCodes([
        [EXIT.OK, 'written, or already stored and unchanged'],
        [EXIT.FAILED, 'failed, or no data published for the date'],
        [EXIT.PARTIAL, 'partial: some districts failed, the rest is stored'],
        USAGE_ROW,
      ]),
    )
    .action(async (flags) => setExit(await refreshCommand(flags)))

  const snapshots = program.command('snapshots').description('list and show stored snapshots')
  addCommonOptions(
    snapshots
      .command('list')
      .description('list snapshots, optionally within a date range')
      .option('--from <YYYY-MM-DD>')
      .option('--to <YYYY-MM-DD>')
      .option('--json', 'print JSON'),
    CLI_DEFAULTS,
    OFFLINE,
  )
    .addHelpText(
      'after',
      exitCodes([[EXIT.OK, 'listed'], [EXIT.FAILED, 'could not read DATA_DIR'], USAGE_ROW]),
    )
    .action(async (flags) => setExit(await snapshotsListCommand(flags)))
  addCommonOptions(
    snapshots
      .command('show <date>')
      .description('show a snapshot, or one district file with --district')
      .option('--district <id>')
      .option('--json', 'print JSON'),
    CLI_DEFAULTS,
    OFFLINE,
  )
    .addHelpText(
      'after',
      exitCodes([
        [EXIT.OK, 'shown'],
        [EXIT.FAILED, 'no such snapshot or district file'],
        USAGE_ROW,
      ]),
    )
    .action(async (date: string, flags) => setExit(await snapshotsShowCommand(date, flags)))

  addCommonOptions(
    program
      .command('verify')
      .description('check the integrity of DATA_DIR; exit 1 when problems are found')
      .option('--repair', 'move corrupt or torn files to quarantine/ and mark their cells missing')
      .option('--json', 'print the report as JSON'),
    CLI_DEFAULTS,
    { ...OFFLINE, logLevel: false },
  )
    .addHelpText(
      'after',
      exitCodes([
        [EXIT.OK, 'no problems'],
        [EXIT.FAILED, 'problems found (repaired with --repair)'],
        USAGE_ROW,
      ]),
    )
    .action(async (flags) => setExit(await verifyCommand(flags)))

  addCommonOptions(
    program
      .command('rebuild')
      .description('re-derive snapshots from the raw CSV cache alone (no network)')
      .requiredOption('--from <YYYY-MM-DD>')
      .requiredOption('--to <YYYY-MM-DD>')
      .option('--json', 'print JSON'),
    CLI_DEFAULTS,
    OFFLINE,
  )
    .addHelpText(
      'after',
      exitCodes([
        [EXIT.OK, 'every cached date rebuilt'],
        [EXIT.FAILED, 'the command failed'],
        [EXIT.PARTIAL, 'some districts could not be rebuilt from the cache'],
        USAGE_ROW,
      ]),
    )
    .action(async (flags) => setExit(await rebuildCommand(flags)))

  addTransferCommands(program, setExit, exitCodes, USAGE_ROW)

  addSimOptions(program.command('sim').description('start the dashboard simulator'))
    .addHelpText('after', exitCodes(SERVER_EXITS))
    .action(simCommand)

  program.addHelpText(
    'after',
    exitCodes([
      [EXIT.OK, 'done'],
      [EXIT.FAILED, 'the job or command failed'],
      [EXIT.PARTIAL, 'partly done: some cells or districts failed, the rest is stored'],
      USAGE_ROW,
      [EXIT.INTERRUPTED, 'interrupted (Ctrl-C)'],
    ]) + "\nEach command's --help lists its own.\n",
  )

  return program
}

/** Runs one command; every failure goes through the one error boundary (no stack for people). */
export async function runCli(argv: string[]): Promise<void> {
  let exitCode: number = EXIT.OK
  const program = buildProgram((code) => (exitCode = code))
  try {
    await program.parseAsync(argv, { from: 'user' })
    if (exitCode !== EXIT.OK) process.exitCode = exitCode
  } catch (error) {
    const failure = describeCliFailure(error)
    if (failure.message !== null) process.stderr.write(`tm-backfill: ${failure.message}\n`)
    process.exitCode = failure.exitCode
  }
}
