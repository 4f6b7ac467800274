import { z } from 'zod'
import {
  SERIES_MEASURES,
  allDistrictsSeriesSchema,
  districtSeriesSchema,
  type SeriesMeasure,
  type SeriesPoint,
} from '../../shared/api-schemas.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { addDays, diffDays, type IsoDate } from '../../shared/iso-date.ts'
import { summaryStatsByDistrict } from '../normalize/index.ts'
import { summaryFigures } from '../storage/series-index.ts'
import type { SeriesIndexRecord, SummaryFigures } from '../storage/series-index.ts'
import type { AppDeps } from './app.ts'
import type { App } from './create-app.ts'
import { JsonBody, KeptAnswers, sendJsonBody } from './cached-json.ts'
import { httpError } from './errors.ts'
import { districtId, isoDate, requiredRangeQuery } from './schemas.ts'

type Store = Pick<AppDeps['store'], 'listSnapshots' | 'seriesIndex' | 'readAllDistricts'>

/** The longest range one series request may span (a year and a month). */
export const MAX_SERIES_DAYS = 400
/** Without `from`, a series reaches back this far from its newest date: a year and a day. */
export const DEFAULT_SERIES_DAYS = 366
/** Series answers kept per endpoint (a page asks for a few ranges and districts at a time). */
const MAX_KEPT_ANSWERS = 32

const optionalRange = {
  from: isoDate
    .optional()
    .describe('first date; default: a year and a day before `to`, or the oldest stored date'),
  to: isoDate.optional().describe('last date; default: the newest stored date'),
}
const notReversed = (q: { from?: string; to?: string }) => !q.from || !q.to || q.from <= q.to
const reversedIssue = { message: 'to must not be before from', path: ['to'] }

const districtsParam = requiredRangeQuery.shape.districts

/**
 * The stored dates of `[from, to]`, where a missing end follows the data: `to` is the newest
 * stored date and `from` reaches back {@link DEFAULT_SERIES_DAYS} (not before the oldest).
 */
async function storedDatesIn(
  store: Store,
  q: { from?: IsoDate; to?: IsoDate },
): Promise<{
  from: IsoDate | null
  to: IsoDate | null
  dates: IsoDate[]
  closingPeriod: Map<IsoDate, boolean>
}> {
  // One point per as-of: its default data month (docs/architecture.md#one-as-of-two-data-months).
  const snapshots = (await store.listSnapshots({ from: q.from, to: q.to })).filter(
    (s) => s.isDefault,
  )
  const closingPeriod = new Map(snapshots.map((s) => [s.asOf, s.closingPeriod]))
  const listed = snapshots.map((s) => s.asOf).sort()
  const to = q.to ?? listed.at(-1) ?? null
  if (to === null) return { from: q.from ?? null, to: null, dates: [], closingPeriod }
  let from = q.from ?? addDays(to, -DEFAULT_SERIES_DAYS)
  if (!q.from && listed[0] && listed[0] > from) from = listed[0]
  if (diffDays(from, to) > MAX_SERIES_DAYS) {
    throw httpError(
      ErrorCode.VALIDATION_ERROR,
      `querystring.to: a series may span at most ${MAX_SERIES_DAYS} days (${from} to ${to} is ${diffDays(from, to)})`,
    )
  }
  return { from, to, dates: listed.filter((d) => d >= from && d <= to), closingPeriod }
}

export function measureOf(s: SummaryFigures, measure: SeriesMeasure): number | null {
  if (measure === 'paidClubs') return s.paidClubs
  if (measure === 'activeClubs') return s.activeClubs
  if (measure === 'paymentsYtd') return s.paymentsYtd
  return s.distinguished.total
}

/**
 * A date's all-districts figures per district: from the series index, or (a store built without
 * a row reader) from the file itself.
 */
async function figuresOf(store: Store, record: SeriesIndexRecord): Promise<Figures | null> {
  const all = record.allDistricts
  if (!all) return null
  const rows = all.rows
  if (rows)
    return {
      get: (id) => (Object.hasOwn(rows, id) ? rows[id] : undefined),
      ids: () => Object.keys(rows),
    }
  const file = await store.readAllDistricts(record.asOf)
  if (!file) return null
  const byId = new Map([...summaryStatsByDistrict(file)].map(([id, s]) => [id, summaryFigures(s)]))
  return { get: (id) => byId.get(id), ids: () => [...byId.keys()] }
}

/** A date's figures by district id, read in place from the index record. */
interface Figures {
  get(id: string): SummaryFigures | undefined
  ids(): string[]
}

/** The series index records of exactly the listed dates. */
async function recordsOf(store: Store, from: IsoDate | null, to: IsoDate | null, dates: IsoDate[]) {
  if (from === null || to === null || dates.length === 0) return []
  const wanted = new Set(dates)
  return (await store.seriesIndex({ from, to })).filter((r) => wanted.has(r.asOf))
}

/** Trends over the stored dates: one district's figures, one measure across districts. */
export function registerSeriesRoutes(app: App, deps: Pick<AppDeps, 'store'>): void {
  const { store } = deps
  // Answers kept per query while the store hands out the same records, i.e. until one of the
  // range's snapshots changes (docs/performance.md#kept-answers).
  const districtAnswers = new KeptAnswers(MAX_KEPT_ANSWERS)
  const allDistrictsAnswers = new KeptAnswers(MAX_KEPT_ANSWERS)

  app.get(
    '/api/districts/:districtId/series',
    {
      schema: {
        tags: ['snapshots'],
        description:
          "One compact point per stored date: the district file's figures, or its row of that date's all-districts file when only the summary holds it. Served from the series index: no district file is read.",
        params: z.strictObject({ districtId }),
        querystring: z.strictObject(optionalRange).refine(notReversed, reversedIssue),
        response: { 200: districtSeriesSchema },
      },
    },
    async (req, reply) => {
      const id = req.params.districtId
      const { from, to, dates, closingPeriod } = await storedDatesIn(store, req.query)
      const records = await recordsOf(store, from, to, dates)
      const key = JSON.stringify([id, from, to])
      const kept = districtAnswers.get(key, records)
      if (kept) return sendJsonBody(req, reply, kept)
      const points: SeriesPoint[] = []
      let latestFull: IsoDate | null = null
      for (const record of records) {
        const asOf = record.asOf
        const own = Object.hasOwn(record.districts, id) ? record.districts[id] : undefined
        if (own) {
          points.push(own.point)
          if (own.point.detail === 'full') latestFull = asOf
          continue
        }
        const all = record.allDistricts
        const row = (await figuresOf(store, record))?.get(id)
        if (!all || !row) continue
        points.push({
          asOf,
          dataMonth: all.dataMonth,
          programYear: all.programYear,
          detail: 'summary-row',
          closingPeriod: closingPeriod.get(asOf) ?? false,
          sourceAsOf: all.sourceAsOf,
          fetchedAt: all.fetchedAt,
          ...row,
          activeMembers: null,
        })
      }
      const answer = districtSeriesSchema.parse({ districtId: id, from, to, points, latestFull })
      return sendJsonBody(req, reply, districtAnswers.set(key, records, new JsonBody(answer)))
    },
  )

  app.get(
    '/api/all-districts/series',
    {
      schema: {
        tags: ['snapshots'],
        description:
          "One measure across districts from each stored date's all-districts file: the `districts` given, or the `top` districts by the measure on the newest date.",
        querystring: z
          .strictObject({
            ...optionalRange,
            measure: z.enum(SERIES_MEASURES).default('paidClubs'),
            top: z.coerce
              .number({ message: 'must be a whole number from 1 to 50' })
              .int({ message: 'must be a whole number from 1 to 50' })
              .min(1, { message: 'must be a whole number from 1 to 50' })
              .max(50, { message: 'must be a whole number from 1 to 50' })
              .default(10),
            districts: districtsParam,
          })
          .refine(notReversed, reversedIssue),
        response: { 200: allDistrictsSeriesSchema },
      },
    },
    async (req, reply) => {
      const { measure, top, districts } = req.query
      const { from, to, dates } = await storedDatesIn(store, req.query)
      const records = await recordsOf(store, from, to, dates)
      const key = JSON.stringify([measure, top, districts ?? null, from, to])
      const kept = allDistrictsAnswers.get(key, records)
      if (kept) return sendJsonBody(req, reply, kept)
      const perDate: { asOf: IsoDate; stats: Figures }[] = []
      for (const record of records) {
        const stats = await figuresOf(store, record)
        if (stats) perDate.push({ asOf: record.asOf, stats })
      }
      const newest: Figures = perDate.at(-1)?.stats ?? { get: () => undefined, ids: () => [] }
      const ranked = (ids: string[]) =>
        ids
          .map((id) => ({ id, v: newest.get(id) ? measureOf(newest.get(id)!, measure) : null }))
          .sort((a, b) => (b.v ?? -Infinity) - (a.v ?? -Infinity) || a.id.localeCompare(b.id))
          .map((r) => r.id)
      const districtIds = districts ? ranked(districts) : ranked(newest.ids()).slice(0, top)
      const answer = allDistrictsSeriesSchema.parse({
        measure,
        from,
        to,
        districtIds,
        dates: perDate.map(({ asOf, stats }) => ({
          asOf,
          values: Object.fromEntries(
            districtIds.map((id) => {
              const s = stats.get(id)
              return [id, s ? measureOf(s, measure) : null]
            }),
          ),
        })),
      })
      return sendJsonBody(req, reply, allDistrictsAnswers.set(key, records, new JsonBody(answer)))
    },
  )
}
