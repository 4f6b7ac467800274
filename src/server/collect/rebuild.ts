/**
 * `rebuild --from --to`: re-derive snapshots from the raw CSV cache alone, with no network, so
 * a normalizer fix can be applied to history. Every cached body in the range is used: a
 * district with its three reports cached becomes a `full` file, one that only has a summary
 * row (and was stored before) a `summary` file. A re-derived file never replaces a stored one
 * it would lose something of (lower detail, fewer sources), and a file that does not hold what
 * its detail promises (a full file without the summary body) is never written: such districts
 * are reported as skipped, with the reason.
 */
import type { Logger } from 'pino'
import { compareIsoDate, type IsoDate, type YearMonth } from '../../shared/iso-date.ts'
import type { DistrictFile } from '../../shared/snapshot-types.ts'
import {
  StorageCorruptError,
  StorageUnsupportedSchemaError,
  detailMismatch,
  downgradeReason,
  rawDataMonth,
  type RawCsvCache,
  type SnapshotStore,
} from '../storage/index.ts'
import type { DashboardClient } from '../upstream/index.ts'
import { createCollector, type DistrictOutcome } from './collector.ts'
import { createReportSource } from './report-source.ts'
import { storeDate } from './store-date.ts'

/** A client that refuses every request: rebuild must never reach the network. */
const OFFLINE_CLIENT: DashboardClient = {
  fetchReport: () => Promise.reject(offline()),
  fetchLatest: () => Promise.reject(offline()),
  getLiveStatus: () => Promise.reject(offline()),
}

function offline(): Error & { code: string; retryable: boolean } {
  return Object.assign(new Error('body not in the raw CSV cache (rebuild works offline)'), {
    code: 'NOT_CACHED',
    retryable: false,
  })
}

export interface RebuildResult {
  dates: {
    asOf: IsoDate
    /** The data month re-derived, from its own bodies; null for bodies without a footer. */
    dataMonth: YearMonth | null
    full: string[]
    summary: string[]
    failed: { districtId: string; message: string }[]
    /** Districts left as stored: what the cache holds would lose detail or sources. */
    skipped: { districtId: string; reason: string }[]
  }[]
}

export async function rebuildFromCache(deps: {
  store: SnapshotStore
  rawCache: RawCsvCache
  logger: Logger
  now: () => number
  toolVersion: string
  from: IsoDate
  to: IsoDate
}): Promise<RebuildResult> {
  const source = createReportSource({
    client: OFFLINE_CLIENT,
    rawCache: deps.rawCache,
    retryPolicy: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    wrongAnswerRetries: 0,
    logger: deps.logger,
  })
  const collector = createCollector({ source, now: deps.now, toolVersion: deps.toolVersion })
  const metas = (await deps.rawCache.list()).filter((m) => m.asOf >= deps.from && m.asOf <= deps.to)
  // Each data month of a date (docs/architecture.md#one-as-of-two-data-months) is re-derived
  // from its own bodies only.
  const byDate = new Map<string, { asOf: IsoDate; month: YearMonth | null; ids: Set<string> }>()
  for (const m of metas) {
    const month = rawDataMonth(m)
    const slot = `${m.asOf}|${month ?? ''}`
    const entry = byDate.get(slot) ?? { asOf: m.asOf, month, ids: new Set<string>() }
    if (m.districtId !== null && m.report === 'clubperformance') entry.ids.add(m.districtId)
    byDate.set(slot, entry)
  }
  const result: RebuildResult = { dates: [] }
  const ordered = [...byDate.values()].sort(
    (a, b) => compareIsoDate(a.asOf, b.asOf) || ((a.month ?? '') < (b.month ?? '') ? -1 : 1),
  )
  for (const { asOf, month, ids } of ordered) {
    const ctx = { useCache: true, retry: false, jobId: null, dataMonth: month }
    const summaryOutcome = await collector.getAllDistricts(asOf, ctx).catch(() => null)
    const summary = summaryOutcome?.kind === 'data' ? summaryOutcome.summary : null
    const fullIds = [...ids].sort()
    const outcomes: DistrictOutcome[] = []
    for (const id of fullIds)
      outcomes.push(await collector.getDistrictPerformance(id, asOf, summary, ctx))
    const stored = await deps.store.readManifest(asOf, month ?? undefined)
    const summaryIds = Object.values(stored?.districts ?? {})
      .filter((e) => e.detail === 'summary' && !fullIds.includes(e.districtId))
      .map((e) => e.districtId)
    if (summary) for (const id of summaryIds) outcomes.push(collector.summaryFile(summary, id, ctx))
    const skipped: { districtId: string; reason: string }[] = []
    const kept: DistrictOutcome[] = []
    for (const o of outcomes) {
      const reason =
        o.kind === 'collected'
          ? await whyNotWrite(deps.store, o.file, summary === null ? asOf : null)
          : null
      if (reason === null) kept.push(o)
      else skipped.push({ districtId: o.districtId, reason })
    }
    await storeDate(deps.store, {
      requestedDate: asOf,
      summary,
      outcomes: kept,
      jobId: null,
      writeSummary: summary !== null,
    })
    result.dates.push({
      asOf,
      dataMonth: month,
      full: kept
        .filter((o) => o.kind === 'collected' && o.file.detail === 'full')
        .map((o) => o.districtId),
      summary: kept
        .filter((o) => o.kind === 'collected' && o.file.detail === 'summary')
        .map((o) => o.districtId),
      failed: kept.flatMap((o) =>
        o.kind === 'failed' ? [{ districtId: o.districtId, message: o.error.message }] : [],
      ),
      skipped,
    })
  }
  return result
}

/** Why the re-derived file must not be written, or null. `summaryMissing` = its as-of. */
async function whyNotWrite(
  store: SnapshotStore,
  file: DistrictFile,
  summaryMissing: IsoDate | null,
): Promise<string | null> {
  const cause = summaryMissing
    ? ` (the all-districts summary of ${summaryMissing} is not in the raw CSV cache)`
    : ''
  const stored = await readStored(store, file)
  const lost = stored ? downgradeReason(stored, file) : null
  if (lost) return `${lost}${cause}`
  const mismatch = detailMismatch(file)
  return mismatch ? `the re-derived file would say ${mismatch}${cause}` : null
}

/** The stored file, or null when there is none or it cannot be trusted (nothing to keep). */
async function readStored(store: SnapshotStore, file: DistrictFile): Promise<DistrictFile | null> {
  try {
    return await store.readDistrict(file.asOf, file.districtId, file.dataMonth)
  } catch (e) {
    if (e instanceof StorageCorruptError || e instanceof StorageUnsupportedSchemaError) return null
    throw e
  }
}
