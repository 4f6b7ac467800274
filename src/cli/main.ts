/** Entry point of `tm-backfill`. */
import { runCli } from './program.ts'

// A reader that goes away (`tm-backfill --help | head -1`, a log pipe that dies) is not a failure
// of the command: what is left of its output is dropped, and the command finishes as it would
// (a job still runs to its end and stores what it collected). Any other stream error stays fatal.
const GONE_READER = new Set(['EPIPE', 'ERR_STREAM_DESTROYED'])
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!GONE_READER.has(error.code ?? '')) throw error
  })
}

await runCli(process.argv.slice(2))
