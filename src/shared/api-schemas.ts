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
  cache: z.object({ hitRate: z.number(), entryCount: z.number(), sizeBytes: z.number() }),
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
