/** `tm-backfill`: the command line over the same services as the server (docs/architecture.md#cli). */
import { Command, CommanderError } from 'commander'
import { ConfigError } from '../server/config.ts'
import { runSimulatorCli } from '../sim/index.ts'
import {
  addCommonOptions,
  addServerOptions,
  rebuildCommand,
  refreshCommand,
  serveCommand,
  snapshotsListCommand,
  snapshotsShowCommand,
  verifyCommand,
} from './commands.ts'
import { backfillCommand } from './backfill-command.ts'
import { demoCommand } from './demo.ts'
import { CliError } from './output.ts'

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('tm-backfill')
    .description('Collects the Toastmasters dashboard history into dated per-district snapshots.')
    .showHelpAfterError()
    .exitOverride()

  addServerOptions(program.command('serve').description('start the HTTP API and web page')).action(
    serveCommand,
  )

  addServerOptions(
    program
      .command('demo')
      .description('start the dashboard simulator and the server wired together (offline)')
      .option('--sim-port <port>', 'simulator port', '5002')
      .option('--seed <n>', 'simulator seed'),
  ).action(demoCommand)

  addCommonOptions(
    program
      .command('backfill')
      .description('collect a date range into snapshots (same options as the API)')
      .requiredOption('--from <YYYY-MM-DD>', 'first date')
      .option('--to <YYYY-MM-DD>', 'last date (default: --from)')
      .option('--districts <ids>', 'comma-separated target districts (default: configured, or all)')
      .option('--strategy <type>', 'system-wide | per-district | auto', 'auto')
      .option('--concurrency <n>', 'districts in flight at once (1-10)', '3')
      .option('--delay-ms <ms>', "minimum gap between this job's requests")
      .option('--no-skip-existing', 'fetch again even when a valid file is stored')
      .option('--no-retry', 'do not retry failed requests')
      .option('--no-cache', 'ignore the raw CSV cache')
      .option('--dry-run', 'print the plan and the request count, start nothing')
      .option('--no-progress', 'no progress bar')
      .option('--json', 'print the final job (or plan) as JSON'),
  ).action(async (flags) => setExit(await backfillCommand(flags)))

  addCommonOptions(
    program
      .command('refresh')
      .description('collect the newest published as-of (or --date) for the configured districts')
      .option('--date <YYYY-MM-DD>', 'collect this as-of date instead of the newest')
      .option('--json', 'print the result as JSON'),
  ).action(async (flags) => setExit(await refreshCommand(flags)))

  const snapshots = program.command('snapshots').description('list and show stored snapshots')
  addCommonOptions(
    snapshots
      .command('list')
      .description('list snapshots, optionally within a date range')
      .option('--from <YYYY-MM-DD>')
      .option('--to <YYYY-MM-DD>')
      .option('--json', 'print JSON'),
  ).action(async (flags) => setExit(await snapshotsListCommand(flags)))
  addCommonOptions(
    snapshots
      .command('show <date>')
      .description('show a snapshot, or one district file with --district')
      .option('--district <id>')
      .option('--json', 'print JSON'),
  ).action(async (date: string, flags) => setExit(await snapshotsShowCommand(date, flags)))

  addCommonOptions(
    program
      .command('verify')
      .description('check the integrity of DATA_DIR; exit 1 when problems are found')
      .option('--repair', 'move corrupt or torn files to quarantine/ and mark their cells missing')
      .option('--json', 'print the report as JSON'),
  ).action(async (flags) => setExit(await verifyCommand(flags)))

  addCommonOptions(
    program
      .command('rebuild')
      .description('re-derive snapshots from the raw CSV cache alone (no network)')
      .requiredOption('--from <YYYY-MM-DD>')
      .requiredOption('--to <YYYY-MM-DD>')
      .option('--json', 'print JSON'),
  ).action(async (flags) => setExit(await rebuildCommand(flags)))

  program
    .command('sim')
    .description('start the dashboard simulator')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[options...]', '--port N --host H --seed N --today YYYY-MM-DD --districts 61,F')
    .action(async (args: string[]) => {
      await runSimulatorCli(args)
    })

  return program
}

export async function runCli(argv: string[]): Promise<void> {
  let exitCode = 0
  const program = buildProgram((code) => (exitCode = code))
  try {
    await program.parseAsync(argv, { from: 'user' })
    if (exitCode !== 0) process.exitCode = exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode
      return
    }
    const message =
      error instanceof ConfigError || error instanceof CliError
        ? error.message
        : String(error instanceof Error ? error.stack : error)
    process.stderr.write(`tm-backfill: ${message}\n`)
    process.exitCode = error instanceof CliError ? error.exitCode : 1
  }
}
