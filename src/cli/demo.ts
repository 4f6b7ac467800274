/**
 * `npm run demo`: the dashboard simulator and the server wired together, with a data dir of
 * their own, so a backfill can be tried with no network.
 */
import { createLogger } from '../server/logger.ts'
import { closeOnSignals, startServer } from '../server/serve.ts'
import { startSimulatorFromConfig } from '../sim/index.ts'
import { refuseWhenLocked } from './commands.ts'
import { configFromFlags, type CommonFlags } from './config-from-flags.ts'

export const DEMO_DISTRICTS = ['21', '61', '02']

export async function demoCommand(
  flags: CommonFlags & { simPort?: string; seed?: string },
): Promise<void> {
  const simulator = await startSimulatorFromConfig({
    port: flags.simPort === undefined ? 5002 : Number(flags.simPort),
    ...(flags.seed === undefined ? {} : { seed: Number(flags.seed) }),
  })
  try {
    const config = configFromFlags({ ...flags, dashboardUrl: simulator.url }, process.env, {
      DATA_DIR: './.demo-data',
      // The simulator is ours: a brisker budget than the real site's default 2/s.
      UPSTREAM_MAX_REQUESTS: '20',
    })
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
