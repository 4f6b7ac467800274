/** The server of bench/read-index.ts in its own process: prints its URL, serves until killed. */
import { loadConfig } from '../src/server/config.ts'
import { createSilentLogger } from '../src/server/logger.ts'
import { startServer } from '../src/server/serve.ts'

const dataDir = process.argv[2]
if (!dataDir) {
  process.stderr.write('usage: read-index-server.ts <data dir>\n')
  process.exit(64)
}
const server = await startServer(
  loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
  createSilentLogger(),
)
process.stdout.write(`${server.url}\n`)
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)))
