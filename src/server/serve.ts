/** Starts the API on the configured host and port; `close()` shuts everything down in order. */
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import { createServices, toAppDeps, type ServiceOverrides, type Services } from './compose.ts'
import { createApp } from './http/index.ts'
import { acquireDataDirLock, type DataDirLock } from './storage/index.ts'

export interface RunningServer {
  url: string
  services: Services
  close(): Promise<void>
}

export interface StartOptions {
  /** Recorded in the lock as what holds DATA_DIR. */
  command?: string
}

export async function startServer(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
  options: StartOptions = {},
): Promise<RunningServer> {
  let close: () => Promise<void> = async () => undefined
  // PostgreSQL mode keeps nothing in DATA_DIR to guard: several processes are the point.
  const lock = config.databaseUrl
    ? NO_LOCK
    : await lockDataDir(config, logger, options.command ?? 'serve', () => close())
  const services = await createServices(config, logger, overrides)
  let app: Awaited<ReturnType<typeof createApp>> | null = null
  try {
    await services.start()
    app = await createApp(toAppDeps(services))
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    await app?.close()
    await services.close()
    await lock.release()
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host}:${port}`
  const listening = app
  let closing: Promise<void> | null = null
  close = () => {
    // Stop accepting first, then abort in-flight work, release files, and the lock last.
    closing ??= listening
      .close()
      .then(() => services.close())
      .finally(() => lock.release())
    return closing
  }
  await lock.setUrl(url)
  return { url, services, close: () => close() }
}

const NO_LOCK: Pick<DataDirLock, 'release' | 'setUrl'> = {
  release: async () => undefined,
  setUrl: async () => undefined,
}

export interface RunningWorker {
  services: Services
  close(): Promise<void>
}

/**
 * `serve --role worker` (PostgreSQL mode only, loadConfig enforces it): the services and the
 * slice worker, no HTTP server.
 */
export async function startWorker(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Promise<RunningWorker> {
  const services = await createServices(config, logger, overrides)
  try {
    await services.start()
  } catch (error) {
    await services.close()
    throw error
  }
  let closing: Promise<void> | null = null
  return { services, close: () => (closing ??= services.close()) }
}

/**
 * The exclusive lock on DATA_DIR, held for the server's lifetime. Losing it (another process
 * judged it stale) stops this server: two writers on one DATA_DIR must never run on.
 */
async function lockDataDir(
  config: Config,
  logger: Logger,
  command: string,
  stop: () => Promise<void>,
): Promise<DataDirLock> {
  return acquireDataDirLock({
    dataDir: config.dataDir,
    role: 'server',
    command,
    onCompromised: (error) => {
      logger.fatal({ err: error }, 'lost the lock on DATA_DIR; stopping')
      process.exitCode = 1
      void stop()
    },
  })
}

/** SIGTERM / SIGINT: close once, exit 0; a second signal exits at once. */
export function closeOnSignals(close: () => Promise<void>, logger: Logger): void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130)
    stopping = true
    logger.info({ signal }, 'shutting down')
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
}
