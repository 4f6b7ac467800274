import { z } from 'zod'
import type { Services } from '../compose.ts'
import { rebuildFromCache } from '../refresh/index.ts'
import { verify } from '../storage/index.ts'
import { TOOL_VERSION } from '../version.ts'
import type { App } from './create-app.ts'
import { httpError } from './errors.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { isoDate } from './schemas.ts'

/**
 * The writing maintenance commands, so a CLI on the DATA_DIR this server holds can run them
 * here instead of writing beside it: `verify --repair` and `rebuild`.
 */
export function registerMaintenanceRoutes(app: App, services: Services): void {
  app.post(
    '/api/verify/repair',
    { schema: { tags: ['maintenance'], body: z.strictObject({}).nullish() } },
    async () => {
      // Repair moves files and rewrites manifests outside the store's own writes: never while
      // a job or a refresh could be writing the same snapshot.
      const active = await activeWriters(services)
      if (active.length > 0)
        throw httpError(
          ErrorCode.WRITERS_ACTIVE,
          `verify --repair waits for ${active.join(', ')} to finish; try again then`,
          { active },
        )
      return verify({ dataDir: services.config.dataDir, repair: true })
    },
  )

  app.post(
    '/api/rebuild',
    {
      schema: {
        tags: ['maintenance'],
        body: z
          .strictObject({ from: isoDate, to: isoDate })
          .refine((b) => b.from <= b.to, { message: 'to must not be before from', path: ['to'] }),
      },
    },
    async (req) =>
      rebuildFromCache({
        ...services,
        now: Date.now,
        toolVersion: TOOL_VERSION,
        from: req.body.from,
        to: req.body.to,
      }),
  )
}

async function activeWriters(services: Services): Promise<string[]> {
  const out: string[] = []
  for (const status of ['queued', 'processing'] as const) {
    const { jobs } = await services.backfills.list({ status, limit: 200, offset: 0 })
    out.push(...jobs.map((j) => `backfill ${j.backfillId} (${status})`))
  }
  if (services.refresh.status().state === 'running') out.push('a refresh')
  return out
}
