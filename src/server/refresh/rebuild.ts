/**
 * `rebuild --from --to`: re-derive snapshots from the raw CSV cache alone, with no network, so
 * a normalizer fix can be applied to history. Every cached body in the range is used: a
 * district with its three reports cached becomes a `full` file, one that only has a summary
 * row (and was stored before) a `summary` file.
 */
import type { Logger } from 'pino'
import { compareIsoDate, type IsoDate } from '../../shared/iso-date.ts'
import type { RawCsvCache, SnapshotStore } from '../storage/index.ts'
import type { DashboardClient } from '../upstream/index.ts'
import type { Resilience } from '../politeness/index.ts'
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
    full: string[]
    summary: string[]
    failed: { districtId: string; message: string }[]
  }[]
}

export async function rebuildFromCache(deps: {
  store: SnapshotStore
  rawCache: RawCsvCache
  resilience: Resilience
  logger: Logger
  now: () => number
  toolVersion: string
  from: IsoDate
  to: IsoDate
}): Promise<RebuildResult> {
  const source = createReportSource({
    client: OFFLINE_CLIENT,
    rawCache: deps.rawCache,
    resilience: deps.resilience,
    retryPolicy: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    wrongAnswerRetries: 0,
    logger: deps.logger,
  })
  const collector = createCollector({ source, now: deps.now, toolVersion: deps.toolVersion })
  const metas = (await deps.rawCache.list()).filter((m) => m.asOf >= deps.from && m.asOf <= deps.to)
  const byDate = new Map<IsoDate, Set<string>>()
  for (const m of metas) {
    const set = byDate.get(m.asOf) ?? new Set<string>()
    if (m.districtId !== null && m.report === 'clubperformance') set.add(m.districtId)
    byDate.set(m.asOf, set)
  }
  const result: RebuildResult = { dates: [] }
  for (const asOf of [...byDate.keys()].sort(compareIsoDate)) {
    const ctx = { useCache: true, retry: false, jobId: null }
    const summaryOutcome = await collector.getAllDistricts(asOf, ctx).catch(() => null)
    const summary = summaryOutcome?.kind === 'data' ? summaryOutcome.summary : null
    const fullIds = [...(byDate.get(asOf) ?? [])].sort()
    const outcomes: DistrictOutcome[] = []
    for (const id of fullIds)
      outcomes.push(await collector.getDistrictPerformance(id, asOf, summary, ctx))
    const stored = await deps.store.readManifest(asOf)
    const summaryIds = Object.values(stored?.districts ?? {})
      .filter((e) => e.detail === 'summary' && !fullIds.includes(e.districtId))
      .map((e) => e.districtId)
    if (summary) for (const id of summaryIds) outcomes.push(collector.summaryFile(summary, id, ctx))
    await storeDate(deps.store, {
      requestedDate: asOf,
      summary,
      outcomes,
      jobId: null,
      writeSummary: summary !== null,
    })
    result.dates.push({
      asOf,
      full: outcomes
        .filter((o) => o.kind === 'collected' && o.file.detail === 'full')
        .map((o) => o.districtId),
      summary: outcomes
        .filter((o) => o.kind === 'collected' && o.file.detail === 'summary')
        .map((o) => o.districtId),
      failed: outcomes.flatMap((o) =>
        o.kind === 'failed' ? [{ districtId: o.districtId, message: o.error.message }] : [],
      ),
    })
  }
  return result
}
