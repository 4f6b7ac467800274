/**
 * The simulator alone in its own process, for the collection-cost bench: prints its URL as one
 * JSON line, then serves until killed.
 */
import { startSimulator } from '../src/sim/index.ts'

const sim = await startSimulator({ seed: 5, today: process.argv[2] ?? '2026-11-29' })
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`)
