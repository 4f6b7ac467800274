/**
 * The product's HTTP API over the composed services (docs/architecture.md#http-api). Built in process for tests;
 * `main.ts` listens.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import swagger from '@fastify/swagger'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'
import type { Services } from '../compose.ts'
import { TOOL_VERSION } from '../version.ts'
import { createBaseApp, type App } from './create-app.ts'
import { registerBackfillRoutes } from './backfill-routes.ts'
import { registerDistrictRoutes } from './district-routes.ts'
import { registerMaintenanceRoutes } from './maintenance-routes.ts'
import { withErrorResponses } from './openapi-errors.ts'
import { registerSnapshotRoutes } from './snapshot-routes.ts'
import { registerSystemRoutes } from './system-routes.ts'

/** The built web page (`npm run build:web`); served at `/` when it has been built. */
const WEB_ROOT = fileURLToPath(new URL('../../../dist/web/', import.meta.url))

export async function createApp(services: Services): Promise<App> {
  const app = await createBaseApp({
    logger: services.logger,
    adminToken: services.config.adminToken,
    allowedHosts: services.config.allowedHosts,
  })
  await app.register(swagger, {
    openapi: {
      info: { title: 'toastmasters-backfill', version: TOOL_VERSION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: withErrorResponses(jsonSchemaTransform),
  })
  registerSystemRoutes(app, services)
  registerDistrictRoutes(app, services)
  registerSnapshotRoutes(app, services)
  registerBackfillRoutes(app, services)
  registerMaintenanceRoutes(app, services)
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  await registerWebPage(app)
  return app
}

/**
 * Static files of the page, plus index.html for any other GET outside `/api` (the page's own
 * links such as `/?district=61`). Unknown `/api/...` paths keep the JSON 404.
 */
async function registerWebPage(app: App): Promise<void> {
  if (!existsSync(`${WEB_ROOT}index.html`)) return
  await app.register(fastifyStatic, { root: WEB_ROOT, wildcard: false })
  app.get('/*', { schema: { hide: true } }, (req, reply) =>
    req.url === '/api' || req.url.startsWith('/api/') || req.url.startsWith('/api?')
      ? reply.callNotFound()
      : reply.sendFile('index.html'),
  )
}
