/**
 * `npm run demo`: the dashboard simulator and the server wired together, with a data dir of
 * their own, so a backfill can be tried with no network.
 */
import { createLogger } from '../server/logger.ts'
import { DEFAULT_SIM_PORT, startSimulatorFromConfig } from '../sim/index.ts'
import { refuseWhenLocked } from './commands.ts'
import { configFromFlags, type CommonFlags } from './config-from-flags.ts'
import { wholeNumberFlag } from './sim-command.ts'

export const DEMO_DISTRICTS = ['21', '61', '02']

/** The demo's own settings defaults (its --help shows them): flags and variables still win. */
export const DEMO_DEFAULTS: Readonly<Record<string, string>> = {
  DATA_DIR: './.demo-data',
  // The simulator is ours: a brisker budget than the real site's default 2/s.
  UPSTREAM_MAX_REQUESTS: '20',
}

export async function demoCommand(
  flags: CommonFlags & { simPort?: string; seed?: string },
): Promise<void> {
  const simPort =
    flags.simPort === undefined
      ? DEFAULT_SIM_PORT
      : wholeNumberFlag(flags.simPort, '--sim-port', 0, 65535)
  const seed =
    flags.seed === undefined
      ? undefined
      : wholeNumberFlag(flags.seed, '--seed', 0, Number.MAX_SAFE_INTEGER)
  // Bad settings are a usage error before anything starts listening.
  configFromFlags(flags, process.env, DEMO_DEFAULTS)
  const { closeOnSignals, startServer } = await import('../server/serve.ts')
  const simulator = await startSimulatorFromConfig({
    port: simPort,
    ...(seed === undefined ? {} : { seed }),
  })
  try {
    const config = configFromFlags(
      { ...flags, dashboardUrl: simulator.url },
      process.env,
      DEMO_DEFAULTS,
    )
    const logger = createLogger(config.logLevel)
    const server = await startServer(config, logger, {}, { command: 'demo' }).catch(
      refuseWhenLocked,
    )
    if ((await server.services.districtConfig.get()).length === 0) {
      await server.services.districtConfig.replace(DEMO_DISTRICTS)
    }
    process.stdout.write(
      [
        `Dashboard simulator: ${simulator.url}`,
        `Data dir:            ${config.dataDir}`,
        `Configured districts: ${(await server.services.districtConfig.get()).join(', ')}`,
        ``,
        `Open ${server.url}`,
        ``,
      ].join('\n'),
    )
    closeOnSignals(async () => {
      await server.close()
      await simulator.close()
    }, logger)
  } catch (error) {
    await simulator.close()
    throw error
  }
}
