/**
 * Starting the simulator from a small CLI-style config or argv (`npm run sim`, `tm-backfill sim`).
 */
import type { Simulator } from './server.ts'
import { startSimulator } from './server.ts'
import type { SimLogger } from './options.ts'
import { normalizeDistrictId } from '../shared/district-id.ts'

export interface SimulatorCliConfig {
  /** @default 5002 */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  seed?: number
  /** YYYY-MM-DD; default: the real current UTC date. */
  today?: string
  districts?: string[]
  logger?: SimLogger
}

export const DEFAULT_SIM_PORT = 5002

export async function startSimulatorFromConfig(
  config: SimulatorCliConfig = {},
): Promise<Simulator> {
  return startSimulator({
    port: config.port ?? DEFAULT_SIM_PORT,
    host: config.host ?? '127.0.0.1',
    ...(config.seed === undefined ? {} : { seed: config.seed }),
    ...(config.today === undefined ? {} : { today: config.today }),
    ...(config.districts === undefined ? {} : { districts: config.districts }),
    ...(config.logger === undefined ? {} : { logger: config.logger }),
  })
}

/** Parses `--port N --host H --seed N --today YYYY-MM-DD --districts 61,F` (all optional). */
export function parseSimulatorArgs(argv: readonly string[]): SimulatorCliConfig {
  const config: SimulatorCliConfig = {}
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] ?? '').split('=', 2) as [string, string | undefined]
    const value = inline ?? argv[++i]
    if (value === undefined) throw new RangeError(`${flag} needs a value`)
    if (flag === '--port') config.port = toInteger(flag, value)
    else if (flag === '--seed') config.seed = toInteger(flag, value)
    else if (flag === '--host') config.host = value
    else if (flag === '--today') config.today = value
    else if (flag === '--districts')
      // An id that does not normalize stays as typed, so the options check names it.
      config.districts = value.split(',').map((d) => normalizeDistrictId(d) ?? d)
    else throw new RangeError(`unknown option ${flag}`)
  }
  return config
}

function toInteger(flag: string, value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n)) throw new RangeError(`${flag} must be an integer, got ${value}`)
  return n
}

/** Starts from argv, prints the URL on stdout and closes on SIGINT/SIGTERM. */
export function runSimulatorCli(argv: readonly string[]): Promise<Simulator> {
  return serveSimulator(parseSimulatorArgs(argv))
}

/** Starts from a config, prints the URL on stdout and closes on SIGINT/SIGTERM. */
export async function serveSimulator(config: SimulatorCliConfig): Promise<Simulator> {
  const simulator = await startSimulatorFromConfig(config)
  process.stdout.write(`Dashboard simulator listening on ${simulator.url}\n`)
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return simulator
}
