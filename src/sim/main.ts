/**
 * Process-facing entry of the simulator for `npm run sim` / `tm-backfill sim`. The functions
 * live in start-from-config.ts so that the package index never imports this file.
 */
export {
  DEFAULT_SIM_PORT,
  parseSimulatorArgs,
  runSimulatorCli,
  startSimulatorFromConfig,
} from './start-from-config.ts'
export type { SimulatorCliConfig } from './start-from-config.ts'
