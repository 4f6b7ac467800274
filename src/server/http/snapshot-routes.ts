import { z } from 'zod'
import { snapshotViewSchema } from '../../shared/api-schemas.ts'
import type { AppDeps } from './app.ts'
import { diffDays } from '../../shared/iso-date.ts'
import type { App } from './create-app.ts'
import { bodiesByIdentity, sendJsonBody } from './cached-json.ts'
import { httpError } from './errors.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import {
  dataMonthQuery,
  dateRangeQuery,
  districtId,
  isoDate,
  requiredRangeQuery,
} from './schemas.ts'

const MAX_RANGE_DAYS = 400

/** Reading what is stored: snapshot list, one snapshot, one district file, coverage, series. */
export function registerSnapshotRoutes(app: App, deps: Pick<AppDeps, 'store'>): void {
  const { store } = deps
  /** Coverage answers' bytes, kept as long as the store keeps the answer. */
  const coverageBody = bodiesByIdentity()

  app.get(
    '/api/snapshots',
    { schema: { tags: ['snapshots'], querystring: dateRangeQuery } },
    async (req) => ({
      current: (await store.getCurrent())?.asOf ?? null,
      snapshots: await store.listSnapshots({ from: req.query.from, to: req.query.to }),
    }),
  )

  app.get('/api/snapshots/current', { schema: { tags: ['snapshots'] } }, async () => {
    const current = await store.getCurrent()
    if (!current) throw httpError(ErrorCode.NOT_FOUND, 'no complete snapshot yet')
    // The pointer names its data month (absent in pointers older than two-month as-ofs).
    return {
      asOf: current.asOf,
      metadata: await store.readMetadata(current.asOf, current.dataMonth),
    }
  })

  // `?dataMonth=YYYY-MM` reads the other data month of an as-of that holds two
  // (docs/architecture.md#one-as-of-two-data-months); without it, the as-of's default.
  const dateParams = z.strictObject({ date: isoDate })
  const ofMonth = (date: string, dataMonth: string | undefined) =>
    dataMonth === undefined ? date : `${date} (data month ${dataMonth})`
  app.get(
    '/api/snapshots/:date',
    {
      schema: {
        tags: ['snapshots'],
        params: dateParams,
        querystring: dataMonthQuery,
        response: { 200: snapshotViewSchema },
      },
    },
    async (req) => {
      const { date } = req.params
      const { dataMonth } = req.query
      const metadata = await store.readMetadata(date, dataMonth)
      if (!metadata)
        throw httpError(ErrorCode.NOT_FOUND, `no snapshot for ${ofMonth(date, dataMonth)}`)
      return { metadata, manifest: await store.readManifest(date, metadata.dataMonth) }
    },
  )

  app.get(
    '/api/snapshots/:date/all-districts',
    { schema: { tags: ['snapshots'], params: dateParams, querystring: dataMonthQuery } },
    async (req) => {
      const file = await store.readAllDistricts(req.params.date, req.query.dataMonth)
      if (!file)
        throw httpError(
          ErrorCode.NOT_FOUND,
          `no all-districts summary stored for ${ofMonth(req.params.date, req.query.dataMonth)}`,
        )
      return file
    },
  )

  app.get(
    '/api/snapshots/:date/districts/:districtId',
    {
      schema: {
        tags: ['snapshots'],
        params: z.strictObject({ date: isoDate, districtId }),
        querystring: dataMonthQuery,
      },
    },
    async (req) => {
      const file = await store.readDistrict(
        req.params.date,
        req.params.districtId,
        req.query.dataMonth,
      )
      if (!file)
        throw httpError(
          ErrorCode.NOT_FOUND,
          `district ${req.params.districtId} is not in the snapshot of ${ofMonth(req.params.date, req.query.dataMonth)}`,
        )
      return file
    },
  )

  app.get(
    '/api/coverage',
    { schema: { tags: ['snapshots'], querystring: requiredRangeQuery } },
    async (req, reply) => {
      assertRange(req.query.from, req.query.to)
      const report = await store.coverage({
        from: req.query.from,
        to: req.query.to,
        districtIds: req.query.districts,
      })
      // The store hands out one answer until a snapshot changes: serialize it once, not per
      // poller (docs/performance.md#kept-answers). The bytes are JSON.stringify's, as before.
      return sendJsonBody(req, reply, coverageBody(report))
    },
  )

  app.get(
    '/api/districts/:districtId/snapshots',
    {
      schema: {
        tags: ['snapshots'],
        params: z.strictObject({ districtId }),
        querystring: z.strictObject({ from: isoDate, to: isoDate }).refine((q) => q.from <= q.to, {
          message: 'to must not be before from',
          path: ['to'],
        }),
      },
    },
    async (req) => {
      assertRange(req.query.from, req.query.to)
      const series = []
      for await (const file of store.streamDistrictSeries(
        req.params.districtId,
        req.query.from,
        req.query.to,
      )) {
        series.push({
          asOf: file.asOf,
          detail: file.detail,
          dataMonth: file.dataMonth,
          closingPeriod: file.closingPeriod,
          warnings: file.warnings.length,
          statistics: file.statistics,
        })
      }
      return { districtId: req.params.districtId, from: req.query.from, to: req.query.to, series }
    },
  )
}

function assertRange(from: string, to: string): void {
  if (diffDays(from, to) > MAX_RANGE_DAYS) {
    throw httpError(
      ErrorCode.VALIDATION_ERROR,
      `querystring.to: a range may span at most ${MAX_RANGE_DAYS} days`,
    )
  }
}
