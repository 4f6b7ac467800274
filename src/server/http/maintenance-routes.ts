import { z } from 'zod'
import type { AppDeps } from './app.ts'
import { verify } from '../storage/index.ts'
import type { App } from './create-app.ts'
import { httpError } from './errors.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { isoDate } from './schemas.ts'

/**
 * The writing maintenance commands, so a CLI on the DATA_DIR this server holds can run them
 * here instead of writing beside it: `verify --repair` and `rebuild`.
 */
export function registerMaintenanceRoutes(
  app: App,
  deps: Pick<AppDeps, 'backfills' | 'refresh' | 'config' | 'rebuild'>,
): void {
  app.post(
    '/api/verify/repair',
    { schema: { tags: ['maintenance'], body: z.strictObject({}).nullish() } },
    async () => {
      // Repair moves files and rewrites manifests outside the store's own writes: never while
      // a job or a refresh could be writing the same snapshot.
      const active = await activeWriters(deps)
      if (active.length > 0)
        throw httpError(
          ErrorCode.WRITERS_ACTIVE,
          `verify --repair waits for ${active.join(', ')} to finish; try again then`,
          { active },
        )
      return verify({ dataDir: deps.config.dataDir, repair: true })
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
    async (req) => deps.rebuild({ from: req.body.from, to: req.body.to }),
  )
}

async function activeWriters(deps: Pick<AppDeps, 'backfills' | 'refresh'>): Promise<string[]> {
  const out: string[] = []
  for (const status of ['queued', 'processing'] as const) {
    const { jobs } = await deps.backfills.list({ status, limit: 200, offset: 0 })
    out.push(...jobs.map((j) => `backfill ${j.backfillId} (${status})`))
  }
  if (deps.refresh.status().state === 'running') out.push('a refresh')
  return out
}
