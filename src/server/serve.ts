/** Starts the API on the configured host and port; `close()` shuts everything down in order. */
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import { createServices, type ServiceOverrides, type Services } from './compose.ts'
import { createApp } from './http/index.ts'

export interface RunningServer {
  url: string
  services: Services
  close(): Promise<void>
}

export async function startServer(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Promise<RunningServer> {
  const services = createServices(config, logger, overrides)
  await services.start().catch(async (error: unknown) => {
    await services.close()
    throw error
  })
  const app = await createApp(services)
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    await services.close()
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  let closing: Promise<void> | null = null
  return {
    url: `http://${host}:${port}`,
    services,
    close() {
      // Stop accepting first, then abort in-flight work, then release files.
      closing ??= app.close().then(() => services.close())
      return closing
    },
  }
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
