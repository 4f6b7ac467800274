/**
 * Writes what the collector gathered for one date into the snapshot store: district files,
 * the all-districts summary, failures (making the snapshot partial). The snapshot key is the
 * footer's as-of, never the requested date.
 */
import type { IsoDate } from '../../shared/iso-date.ts'
import {
  SNAPSHOT_SCHEMA_VERSION,
  type AllDistrictsFile,
  type ManifestEntry,
} from '../../shared/snapshot-types.ts'
import type { SnapshotStore, SnapshotWriteMeta } from '../storage/index.ts'
import type { DistrictOutcome, SummaryData } from './collector.ts'
import { toProvenance } from './report-source.ts'
import { ErrorCode } from '../../shared/error-codes.ts'

export interface StoredDate {
  asOf: IsoDate
  written: ManifestEntry[]
  failed: string[]
}

export function toAllDistrictsFile(summary: SummaryData): AllDistrictsFile {
  const header = summary.parsed.header
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    asOf: summary.asOf,
    dataMonth: summary.dataMonth,
    programYear: summary.programYear,
    header,
    rows: summary.parsed.rows.map((row) =>
      Object.fromEntries(header.map((h, i) => [h, row.cells[i] ?? ''])),
    ),
    source: toProvenance(summary),
  }
}

/** Why a district about to be collected is not in the snapshot yet (until its outcome lands). */
export const NOT_COLLECTED = ErrorCode.NOT_COLLECTED

export async function storeDate(
  store: SnapshotStore,
  input: {
    requestedDate: IsoDate
    summary: SummaryData | null
    outcomes: readonly DistrictOutcome[]
    jobId: string | null
    writeSummary: boolean
    /**
     * Districts about to be collected: recorded as not stored yet before anything else is
     * written, so the snapshot never reads complete while they are missing.
     */
    collecting?: readonly string[]
  },
): Promise<StoredDate | null> {
  const files = input.outcomes.flatMap((o) => (o.kind === 'collected' ? [o.file] : []))
  const anchor = input.summary ?? files[0]
  if (!anchor) return null
  const meta: SnapshotWriteMeta = {
    dataMonth: anchor.dataMonth,
    programYear: anchor.programYear,
    closingPeriod: anchor.closingPeriod,
    requestedDate: input.requestedDate,
    jobId: input.jobId,
  }
  const by = input.jobId === null ? 'this collection' : `job ${input.jobId}`
  const notStoredYet = (input.collecting ?? []).map((districtId) => ({
    districtId,
    code: NOT_COLLECTED,
    message: `not stored yet: ${by} is collecting it`,
  }))
  const summary = input.writeSummary ? input.summary : null
  const writeSummary = (s: SummaryData) =>
    store.writeAllDistricts(toAllDistrictsFile(s), {
      requestedDate: input.requestedDate,
      jobId: input.jobId,
      notStoredYet,
    })
  // Announcements go first: no instant where the snapshot reads complete without them.
  if (notStoredYet.length > 0) {
    if (summary) await writeSummary(summary)
    else await store.recordFailures(anchor.asOf, notStoredYet, meta)
  }
  const written = files.length > 0 ? await store.writeDistricts(anchor.asOf, files, meta) : []
  if (summary && notStoredYet.length === 0) await writeSummary(summary)
  const failures = input.outcomes.flatMap((o) =>
    o.kind === 'failed'
      ? [{ districtId: o.districtId, code: o.error.code, message: o.error.message }]
      : [],
  )
  if (failures.length > 0) await store.recordFailures(anchor.asOf, failures, meta)
  // Not a district on that date (or nothing published for it): no longer waited for.
  const settled = input.outcomes.flatMap((o) => (o.kind === 'unavailable' ? [o.districtId] : []))
  if (settled.length > 0) await store.clearFailures(anchor.asOf, settled, anchor.dataMonth)
  return { asOf: anchor.asOf, written, failed: failures.map((f) => f.districtId) }
}
