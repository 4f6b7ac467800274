import { z } from 'zod'
import type { Services } from '../compose.ts'
import type { App } from './create-app.ts'
import { httpError } from './errors.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { districtId, districtList, isoDate } from './schemas.ts'

/** Configured districts (read and change) and the districts available upstream on a date. */
export function registerDistrictRoutes(app: App, services: Services): void {
  const body = z.strictObject({ districts: districtList })

  app.get('/api/districts', { schema: { tags: ['districts'] } }, async () => {
    const configured = await services.districtConfig.get()
    return { configured, mode: configured.length === 0 ? 'all-in-summary' : 'configured' }
  })

  app.put('/api/districts', { schema: { tags: ['districts'], body } }, async (req) => ({
    configured: await services.districtConfig.replace(req.body.districts),
  }))

  app.post('/api/districts', { schema: { tags: ['districts'], body } }, async (req) => ({
    configured: await services.districtConfig.add(req.body.districts),
  }))

  app.delete(
    '/api/districts/:districtId',
    { schema: { tags: ['districts'], params: z.strictObject({ districtId }) } },
    async (req) => {
      const before = await services.districtConfig.get()
      if (!before.includes(req.params.districtId)) {
        throw httpError(ErrorCode.NOT_FOUND, `district ${req.params.districtId} is not configured`)
      }
      return { configured: await services.districtConfig.remove([req.params.districtId]) }
    },
  )

  // Districts of a date's stored all-districts summary: no upstream request.
  app.get(
    '/api/districts/available',
    { schema: { tags: ['districts'], querystring: z.strictObject({ date: isoDate.optional() }) } },
    async (req) => {
      const date =
        req.query.date ??
        (await services.store.getCurrent())?.asOf ??
        (await services.store.listSnapshots()).at(-1)?.asOf
      const file = date ? await services.store.readAllDistricts(date) : null
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
