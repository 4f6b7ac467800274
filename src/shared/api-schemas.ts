/**
 * Response shapes of the read endpoints the page uses, declared once: the routes use them as
 * their response schema (so the OpenAPI document shows them) and the page uses the inferred
 * types. A response schema drops keys it does not name, so the shapes whose full type lives
 * elsewhere (the job view, snapshot metadata, the health figures) name the fields a client
 * relies on and keep every other field as sent (`looseObject`).
 */
import { z } from 'zod'
import { JOB_STATUSES, type BackfillResponse } from './backfill-api.ts'
import type { RefreshStatus } from './refresh-api.ts'
import type { SnapshotManifest, SnapshotMetadata } from './snapshot-types.ts'
import { SERIES_MEASURES } from './series-measures.ts'

/** A schema that checks `shape` and types its value as the full `T` it is part of. */
function partOf<T>(shape: z.ZodRawShape): z.ZodType<T> {
  return z.looseObject(shape) as unknown as z.ZodType<T>
}

/** One job view (BackfillResponse in backfill-api.ts); its other fields pass as sent. */
export const backfillResponseSchema = partOf<BackfillResponse>({
  backfillId: z.string(),
  status: z.enum(JOB_STATUSES),
  type: z.enum(['global', 'district']),
  createdAt: z.string(),
})

/** `GET /api/districts/backfill`: one page of jobs, newest first. */
export const jobPageSchema = z.object({
  total: z.number().int().min(0),
  jobs: z.array(backfillResponseSchema),
})
export type JobPage = z.infer<typeof jobPageSchema>

/** `GET /api/snapshots/:date`. */
export const snapshotViewSchema = z.object({
  metadata: partOf<SnapshotMetadata>({ asOf: z.string(), status: z.string() }),
  manifest: partOf<SnapshotManifest>({}).nullable(),
})
export type SnapshotView = z.infer<typeof snapshotViewSchema>

/** `GET /api/districts`: the configured districts; none means every district of the summary. */
export const configuredDistrictsSchema = z.object({
  configured: z.array(z.string()),
  mode: z.enum(['all-in-summary', 'configured']),
  /** The newest stored all-districts summary the flags below are checked against. */
  newestSummary: z.object({ asOf: z.string(), programYear: z.string() }).nullable(),
  /**
   * Each configured district: `inNewestSummary` false when that summary does not list it (with
   * a hint naming the summary), null when no summary is stored yet.
   */
  districts: z.array(
    z.object({
      districtId: z.string(),
      inNewestSummary: z.boolean().nullable(),
      hint: z.string().nullable(),
    }),
  ),
})
export type ConfiguredDistricts = z.infer<typeof configuredDistrictsSchema>

/** What `PUT`/`POST /api/districts` and `DELETE /api/districts/:id` answer: the list now stored. */
export const districtListUpdateSchema = z.object({ configured: z.array(z.string()) })
export type DistrictListUpdate = z.infer<typeof districtListUpdateSchema>

/** `GET /api/districts/available`: the districts of a date's stored summary. */
export const availableDistrictsSchema = z.object({
  asOf: z.string(),
  districts: z.array(z.object({ districtId: z.string(), region: z.string() })),
})
export type AvailableDistricts = z.infer<typeof availableDistrictsSchema>

/** `GET /api/health`. Nested figures beyond the named fields pass as sent. */
export const healthViewSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  store: z.looseObject({
    ok: z.boolean(),
    current: z.string().nullable(),
    dataDirId: z.string().nullable(),
  }),
  upstream: z.looseObject({
    baseUrl: z.string(),
    circuit: z.object({
      state: z.enum(['closed', 'open', 'half-open']),
      consecutiveFailures: z.number(),
      reason: z.string().nullable(),
      openedAt: z.string().nullable(),
      outageSince: z.string().nullable(),
      nextProbeAt: z.string().nullable(),
    }),
  }),
  /** Null while the cache's storage cannot answer (PostgreSQL mode, database unreachable). */
  cache: z
    .object({ hitRate: z.number(), entryCount: z.number(), sizeBytes: z.number() })
    .nullable(),
  refresh: partOf<RefreshStatus>({ state: z.enum(['idle', 'running']) }),
  /** PostgreSQL mode only: while the database is unreachable, no upstream request starts. */
  database: z
    .object({
      reachable: z.boolean(),
      unreachableSince: z.string().nullable(),
      lastError: z.object({ message: z.string(), at: z.string() }).nullable(),
      paused: z.boolean(),
    })
    .optional(),
})
export type HealthView = z.infer<typeof healthViewSchema>

/** One alert of `GET /api/alerts` (newest first); `details` names the job as `backfillId`. */
export const alertViewSchema = z.object({
  id: z.string(),
  kind: z.enum([
    'job:error',
    'job:partial_success',
    'circuit:open',
    'circuit:closed',
    'district:failing',
  ]),
  severity: z.enum(['info', 'warning', 'critical']),
  message: z.string(),
  at: z.string(),
  details: z.record(z.string(), z.unknown()),
  delivery: z
    .object({
      state: z.enum(['pending', 'delivered', 'failed']),
      attempts: z.number(),
      lastError: z.string().nullable(),
    })
    .nullable(),
})
export const alertListSchema = z.object({ alerts: z.array(alertViewSchema) })
export type AlertView = z.infer<typeof alertViewSchema>
export type AlertList = z.infer<typeof alertListSchema>

/**
 * `GET /api/districts/backfill/:backfillId/events`: one page of the job's recorded events,
 * oldest first (job-events.ts in src/server/backfill has their full union).
 */
export const jobEventPageSchema = z.object({
  backfillId: z.string(),
  total: z.number().int().min(0),
  offset: z.number().int().min(0),
  events: z.array(partOf<{ type: string; at: string }>({ type: z.string(), at: z.string() })),
})
export type JobEventPage = z.infer<typeof jobEventPageSchema>

const count = z.number().nullable()

/** One stored date of a district, reduced to the figures the district page charts. */
export const seriesPointSchema = z.object({
  asOf: z.string(),
  /** The month the figures describe (YYYY-MM): June's figures are the year-end ones. */
  dataMonth: z.string(),
  programYear: z.string(),
  /** `summary-row`: no district file that date; the figures come from its all-districts file. */
  detail: z.enum(['summary', 'full', 'summary-row']),
  closingPeriod: z.boolean(),
  /** The as-of printed in the footer of the report the figures came from, and when it was fetched. */
  sourceAsOf: z.string().nullable(),
  fetchedAt: z.string().nullable(),
  paidClubs: count,
  activeClubs: count,
  paymentsYtd: count,
  paymentBase: count,
  /** Active members summed over the clubs (full detail only). */
  activeMembers: count,
  distinguished: z.object({
    distinguished: count,
    select: count,
    presidents: count,
    smedley: count,
    total: count,
  }),
})
export type SeriesPoint = z.infer<typeof seriesPointSchema>

/** `GET /api/districts/:districtId/series`: one point per stored date, oldest first. */
export const districtSeriesSchema = z.object({
  districtId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  points: z.array(seriesPointSchema),
  /** The newest date with a full-detail file (its division table), null when none. */
  latestFull: z.string().nullable(),
})
export type DistrictSeries = z.infer<typeof districtSeriesSchema>

export { SERIES_MEASURES, type SeriesMeasure } from './series-measures.ts'

/** `GET /api/all-districts/series`: one measure across districts, from the all-districts files. */
export const allDistrictsSeriesSchema = z.object({
  measure: z.enum(SERIES_MEASURES),
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** Ranked by the measure on the newest date, highest first. */
  districtIds: z.array(z.string()),
  dates: z.array(z.object({ asOf: z.string(), values: z.record(z.string(), count) })),
})
export type AllDistrictsSeries = z.infer<typeof allDistrictsSeriesSchema>
