/**
 * The product's HTTP API over the composed services (docs/architecture.md#http-api). Built in process for tests;
 * `serve.ts` listens. It receives exactly what its routes use (`AppDeps`); compose.ts builds them.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import swagger from '@fastify/swagger'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import type { HealthView } from '../../shared/api-schemas.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { RefreshResult, RefreshStatus } from '../../shared/refresh-api.ts'
import type { AlertManager } from '../alerts/index.ts'
import type { BackfillService } from '../backfill/index.ts'
import type { Config } from '../config.ts'
import type { RebuildResult } from '../collect/index.ts'
import type { DistrictConfigStore, SnapshotReader } from '../storage/index.ts'
import { TOOL_VERSION } from '../version.ts'
import { createBaseApp, type App } from './create-app.ts'
import { registerBackfillRoutes } from './backfill-routes.ts'
import { registerDistrictRoutes } from './district-routes.ts'
import { registerMaintenanceRoutes } from './maintenance-routes.ts'
import { withErrorResponses } from './openapi-errors.ts'
import { registerSnapshotRoutes } from './snapshot-routes.ts'
import { registerSeriesRoutes } from './series-routes.ts'
import { registerSystemRoutes } from './system-routes.ts'

/**
 * The built web page (`npm run build:web`); served at `/` when it has been built. It is dist/web
 * of the package this module belongs to (the nearest folder up with a package.json), so the
 * source (src/server/http) and the compiled build (dist/node) find it from any working directory.
 */
const WEB_ROOT = join(packageRoot(fileURLToPath(new URL('.', import.meta.url))), 'dist', 'web', '/')

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return from
  }
}

/** What the routes use, and nothing else. */
export interface AppDeps {
  logger: Logger
  config: Pick<Config, 'adminToken' | 'allowedHosts' | 'dataDir'>
  backfills: Pick<BackfillService, 'initiate' | 'list' | 'get' | 'cancel' | 'retry' | 'events'>
  refresh: {
    status(): RefreshStatus
    refresh(options: { date?: IsoDate }): Promise<RefreshResult>
  }
  store: Pick<
    SnapshotReader,
    | 'getCurrent'
    | 'listSnapshots'
    | 'readMetadata'
    | 'readManifest'
    | 'readAllDistricts'
    | 'readDistrict'
    | 'coverage'
    | 'seriesIndex'
    | 'streamDistrictSeries'
  >
  districtConfig: DistrictConfigStore
  alerts: Pick<AlertManager, 'list'>
  /** The health answer; only the admin sees server paths. */
  health(options: { admin: boolean }): Promise<HealthView>
  /** Rebuilds the snapshots of a date range from the raw CSV cache. */
  rebuild(range: { from: IsoDate; to: IsoDate }): Promise<RebuildResult>
}

export async function createApp(deps: AppDeps): Promise<App> {
  const app = await createBaseApp({
    logger: deps.logger,
    adminToken: deps.config.adminToken,
    allowedHosts: deps.config.allowedHosts,
  })
  await app.register(swagger, {
    openapi: {
      info: { title: 'toastmasters-backfill', version: TOOL_VERSION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: withErrorResponses(jsonSchemaTransform),
  })
  registerSystemRoutes(app, deps)
  registerDistrictRoutes(app, deps)
  registerSnapshotRoutes(app, deps)
  registerSeriesRoutes(app, deps)
  registerBackfillRoutes(app, deps)
  registerMaintenanceRoutes(app, deps)
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
