/** `npm start`: the server and web page, configured from the environment. */
import { ConfigError, loadConfig } from './config.ts'
import { createLogger } from './logger.ts'
import { closeOnSignals, startServer } from './serve.ts'
import { DataDirLockedError } from './storage/index.ts'

try {
  const config = loadConfig(process.env)
  const logger = createLogger(config.logLevel)
  const server = await startServer(config, logger)
  logger.info(
    { url: server.url, dataDir: config.dataDir, upstream: config.dashboardUrl },
    `listening on ${server.url}`,
  )
  process.stdout.write(`toastmasters-backfill listening on ${server.url}\n`)
  closeOnSignals(server.close, logger)
} catch (error) {
  const known = error instanceof ConfigError || error instanceof DataDirLockedError
  process.stderr.write(`${known ? error.message : String(error)}\n`)
  // 75: DATA_DIR is held by another server (as `tm-backfill serve` exits).
  process.exit(error instanceof DataDirLockedError ? 75 : 1)
}
