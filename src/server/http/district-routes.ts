import { z } from 'zod'
import {
  availableDistrictsSchema,
  configuredDistrictsSchema,
  districtListUpdateSchema,
} from '../../shared/api-schemas.ts'
import type { AppDeps } from './app.ts'
import type { App } from './create-app.ts'
import { httpError } from './errors.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { districtId, districtList, isoDate } from './schemas.ts'
import { normalizeDistrictId } from '../../shared/district-id.ts'

/** The newest stored all-districts summary and the districts it lists; null when none is stored. */
async function newestSummary(store: AppDeps['store']) {
  const snapshots = await store.listSnapshots()
  const newest = snapshots.filter((s) => s.hasAllDistricts).at(-1)
  const file = newest ? await store.readAllDistricts(newest.asOf) : null
  if (!file) return null
  const ids = new Set(file.rows.flatMap((r) => normalizeDistrictId(r['DISTRICT'] ?? '') ?? []))
  return { asOf: file.asOf, programYear: file.programYear, ids }
}

/** Configured districts (read and change) and the districts available upstream on a date. */
export function registerDistrictRoutes(
  app: App,
  deps: Pick<AppDeps, 'districtConfig' | 'store'>,
): void {
  const body = z.strictObject({ districts: districtList })
  const updated = { 200: districtListUpdateSchema }

  app.get(
    '/api/districts',
    { schema: { tags: ['districts'], response: { 200: configuredDistrictsSchema } } },
    async () => {
      const configured = await deps.districtConfig.get()
      const mode = configured.length === 0 ? ('all-in-summary' as const) : ('configured' as const)
      const newest = await newestSummary(deps.store)
      const districts = configured.map((districtId) => {
        if (newest === null) return { districtId, inNewestSummary: null, hint: null }
        const listed = newest.ids.has(districtId)
        const hint = listed
          ? null
          : `${districtId} is not in the ${newest.programYear} summary (as of ${newest.asOf})`
        return { districtId, inNewestSummary: listed, hint }
      })
      const summary = newest && { asOf: newest.asOf, programYear: newest.programYear }
      return { configured, mode, newestSummary: summary, districts }
    },
  )

  app.put(
    '/api/districts',
    { schema: { tags: ['districts'], body, response: updated } },
    async (req) => ({
      configured: await deps.districtConfig.replace(req.body.districts),
    }),
  )

  app.post(
    '/api/districts',
    { schema: { tags: ['districts'], body, response: updated } },
    async (req) => ({
      configured: await deps.districtConfig.add(req.body.districts),
    }),
  )

  app.delete(
    '/api/districts/:districtId',
    { schema: { tags: ['districts'], params: z.strictObject({ districtId }), response: updated } },
    async (req) => {
      const before = await deps.districtConfig.get()
      if (!before.includes(req.params.districtId)) {
        throw httpError(ErrorCode.NOT_FOUND, `district ${req.params.districtId} is not configured`)
      }
      return { configured: await deps.districtConfig.remove([req.params.districtId]) }
    },
  )

  // Districts of a date's stored all-districts summary: no upstream request.
  app.get(
    '/api/districts/available',
    {
      schema: {
        tags: ['districts'],
        querystring: z.strictObject({ date: isoDate.optional() }),
        response: { 200: availableDistrictsSchema },
      },
    },
    async (req) => {
      const date =
        req.query.date ??
        (await deps.store.getCurrent())?.asOf ??
        (await deps.store.listSnapshots()).at(-1)?.asOf
      const file = date ? await deps.store.readAllDistricts(date) : null
      if (!file) {
        throw httpError(
          ErrorCode.NOT_FOUND,
          date
            ? `no all-districts summary stored for ${date}`
            : 'no summary stored yet: run a refresh or a backfill first',
        )
      }
      const districts = file.rows.map((r) => ({
        districtId: (r['DISTRICT'] ?? '').trim(),
        region: (r['REGION'] ?? '').trim(),
      }))
      return { asOf: file.asOf, districts }
    },
  )
}
