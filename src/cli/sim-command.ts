/**
 * `tm-backfill sim` and the simulator half of `demo`: flags → the simulator's start config,
 * every value checked here so that a bad one is a usage error naming its flag.
 */
import type { Command } from 'commander'
import { isIsoDate } from '../shared/iso-date.ts'
import { normalizeDistrictId } from '../shared/district-id.ts'
import {
  DEFAULT_DISTRICTS,
  DEFAULT_SEED,
  DEFAULT_SIM_PORT,
  serveSimulator,
  type SimulatorCliConfig,
} from '../sim/index.ts'
import { UsageError } from './output.ts'

export interface SimFlags {
  port?: string
  host?: string
  seed?: string
  today?: string
  districts?: string
}

export function addSimOptions(cmd: Command): Command {
  return cmd
    .option('--port <port>', `simulator port, 0 = any free port (default: ${DEFAULT_SIM_PORT})`)
    .option('--host <host>', 'address to bind (default: 127.0.0.1)')
    .option('--seed <n>', `seed of every generated value (default: ${DEFAULT_SEED})`)
    .option('--today <YYYY-MM-DD>', 'the simulated today (default: the real current UTC date)')
    .option(
      '--districts <ids>',
      `comma-separated district ids (default: ${DEFAULT_DISTRICTS.length} built-in districts with their realignment history)`,
    )
}

/** A whole number within bounds, or a usage error naming the flag. */
export function wholeNumberFlag(value: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${value}`)
  return n
}

export function simulatorConfigFromFlags(flags: SimFlags): SimulatorCliConfig {
  const config: SimulatorCliConfig = {}
  if (flags.port !== undefined) config.port = wholeNumberFlag(flags.port, '--port', 0, 65535)
  if (flags.host !== undefined) config.host = flags.host
  if (flags.seed !== undefined)
    config.seed = wholeNumberFlag(flags.seed, '--seed', 0, Number.MAX_SAFE_INTEGER)
  if (flags.today !== undefined) {
    if (!isIsoDate(flags.today))
      throw new UsageError(
        `--today must be a real calendar date written YYYY-MM-DD, got ${flags.today}`,
      )
    config.today = flags.today
  }
  if (flags.districts !== undefined) {
    config.districts = flags.districts.split(',').map((raw) => {
      const id = normalizeDistrictId(raw.trim())
      if (id === null)
        throw new UsageError(
          `--districts entries must be 1-4 letters or digits (e.g. 02, 61, F), got ${JSON.stringify(raw)}`,
        )
      return id
    })
  }
  return config
}

export async function simCommand(flags: SimFlags): Promise<void> {
  await serveSimulator(simulatorConfigFromFlags(flags))
}
