/**
 * The daily refresh (docs/architecture.md#collection-and-refresh): collect the newest published as-of for the configured districts
 * at full detail, write its snapshot, move `current.json`. Bodies are always fetched fresh, so a
 * restatement under an unchanged as-of (closing periods, docs/upstream.md#publishing-cadence-and-restatements) is noticed and stored;
 * when nothing changed, nothing is written. Refresh requests go first in the shared budget.
 *
 * A refresh never waits out an outage: with the upstream's circuit open (and its probe not due)
 * it does not start, and when the circuit opens while it runs it stops at once, in-flight
 * requests aborted and nothing written. Either way the result carries the circuit and the time
 * of the next probe; the next refresh (asked for, or on the interval) tries again.
 */
import type { Logger } from 'pino'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { DistrictFile } from '../../shared/snapshot-types.ts'
import type { RefreshCircuit, RefreshResult, RefreshState } from '../../shared/refresh-api.ts'
import type { DistrictConfigStore, SnapshotStore } from '../storage/index.ts'
import type { DashboardClient, Lane } from '../upstream/index.ts'
import {
  CircuitOpenError,
  withRetries,
  type CircuitStatus,
  type Resilience,
  type RetryPolicy,
} from '../politeness/index.ts'
import { storeDate, toCellError, type Collector, type DistrictOutcome } from '../collect/index.ts'

export interface RefreshServiceDeps {
  client: DashboardClient
  collector: Collector
  store: SnapshotStore
  config: DistrictConfigStore
  resilience: Resilience
  /** Retries of the newest-as-of lookup (the reports retry in the collector). */
  retryPolicy: RetryPolicy
  /** Retries of an answer for another date or month (UPSTREAM_WRONG_AS_OF_RETRIES). */
  wrongAnswerRetries: number
  /** The dashboard's host, whose circuit decides whether a refresh runs. */
  upstreamHost: string
  now: () => number
  logger: Logger
  concurrency: number
}

export function createRefreshService(deps: RefreshServiceDeps) {
  let running: Promise<RefreshResult> | null = null
  let last: RefreshResult | null = null
  let controller: AbortController | null = null

  /**
   * How a freshly collected district compares with the stored file of the same as-of:
   * `unchanged` when every source body is byte-identical, `restated` when a report present in
   * both changed (closing-period restatement), `new` otherwise (nothing stored, or less detail).
   */
  async function compareWithStored(
    asOf: IsoDate,
    file: DistrictFile,
  ): Promise<'unchanged' | 'restated' | 'new'> {
    // The same data month only: the other month of an as-of (an intraday rollover,
    // docs/architecture.md#one-as-of-two-data-months) is new data, never a restatement.
    const old = await deps.store
      .readDistrict(asOf, file.districtId, file.dataMonth)
      .catch(() => null)
    if (!old) return 'new'
    const oldSha = new Map(old.provenance.sources.map((src) => [src.report, src.sha256]))
    const fresh = file.provenance.sources
    if (fresh.some((src) => oldSha.has(src.report) && oldSha.get(src.report) !== src.sha256)) {
      return 'restated'
    }
    const same =
      old.detail === file.detail && fresh.every((src) => oldSha.get(src.report) === src.sha256)
    return same ? 'unchanged' : 'new'
  }

  /** The newest published as-of, retried like any report: a transient 5xx or 429 is no failure. */
  async function latestAsOf(signal: AbortSignal, lane: Lane): Promise<IsoDate> {
    const { value } = await withRetries(() => deps.client.getLiveStatus({ signal, lane }), {
      policy: deps.retryPolicy,
      wrongAnswerRetries: deps.wrongAnswerRetries,
      signal,
    })
    return value.latestAsOf
  }

  async function run(signal: AbortSignal, date: IsoDate | null): Promise<RefreshResult> {
    const startedAt = new Date(deps.now()).toISOString()
    const ctx = { signal, useCache: false, lane: { lane: 'refresh', priority: true }, jobId: null }
    const asOf = date ?? (await latestAsOf(signal, ctx.lane))
    const summaryOutcome = await deps.collector.getAllDistricts(asOf, ctx)
    if (summaryOutcome.kind === 'unavailable') {
      return result(
        'unavailable',
        asOf,
        startedAt,
        empty(),
        [],
        false,
        `no data published for ${asOf}: ${summaryOutcome.reason}`,
      )
    }
    const summary = summaryOutcome.summary
    const configured = await deps.config.get()
    // A configured district the date's summary does not list is no district on that date
    // (docs/upstream.md#the-district-set-of-a-date): not asked for, as in a backfill.
    const listed = new Set(summaryOutcome.districtIds)
    const notADistrict = configured.filter((id) => !listed.has(id))
    const ids =
      configured.length > 0 ? configured.filter((id) => listed.has(id)) : summaryOutcome.districtIds
    const { districts: outcomes } = await deps.collector.getMultipleDistricts(ids, asOf, {
      ...ctx,
      concurrency: deps.concurrency,
      detail: 'full',
      summary: summaryOutcome,
    })
    // Stopped (circuit opened, shutdown): the districts cut short are no result to store.
    signal.throwIfAborted()
    const lists = empty()
    lists.notADistrict = notADistrict
    const absent: DistrictOutcome[] = notADistrict.map((districtId) => ({
      kind: 'unavailable',
      districtId,
      reason: `district ${districtId} is not in the summary of ${summary.asOf}`,
      attempts: 0,
      notADistrict: true,
    }))
    const toWrite: DistrictOutcome[] = []
    const restated: string[] = []
    for (const o of outcomes) {
      if (o.kind === 'failed') lists.failed.push({ districtId: o.districtId, error: o.error })
      else if (o.kind === 'unavailable')
        (o.notADistrict ? lists.notADistrict : lists.unavailable).push(o.districtId)
      else {
        const comparison = await compareWithStored(summary.asOf, o.file)
        if (comparison === 'unchanged') lists.unchanged.push(o.districtId)
        else toWrite.push(o)
        if (comparison === 'restated') restated.push(o.districtId)
      }
    }
    const failures = outcomes.filter((o) => o.kind === 'failed')
    const summaryChanged =
      (await deps.store.readAllDistricts(summary.asOf, summary.dataMonth).catch(() => null))?.source
        .sha256 !== summary.sha256
    if (toWrite.length > 0 || failures.length > 0 || summaryChanged) {
      await storeDate(deps.store, {
        requestedDate: asOf,
        summary,
        // Absent districts clear a reason an earlier run recorded for them.
        outcomes: [...toWrite, ...failures, ...absent],
        jobId: null,
        writeSummary: summaryChanged,
      })
    }
    lists.written = toWrite.map((o) => o.districtId)
    const moved =
      lists.failed.length === 0
        ? (await deps.store.setCurrent(summary.asOf, { dataMonth: summary.dataMonth })).moved
        : false
    const status =
      lists.failed.length > 0
        ? 'partial'
        : toWrite.length > 0 || summaryChanged
          ? 'written'
          : 'unchanged'
    const message =
      status === 'unchanged'
        ? `as-of ${summary.asOf} (${summary.dataMonth}) already stored and unchanged; nothing written${notADistrictNote(lists)}`
        : `as-of ${summary.asOf} (${summary.dataMonth}): ${lists.written.length} written, ${lists.unchanged.length} unchanged, ${lists.failed.length} failed, ${lists.unavailable.length} unavailable${notADistrictNote(lists)}`
    return result(status, summary.asOf, startedAt, lists, restated, moved, message)
  }

  function result(
    status: RefreshResult['status'],
    asOf: IsoDate | null,
    startedAt: string,
    districts: RefreshResult['districts'],
    restated: string[],
    currentMoved: boolean,
    message: string,
  ): RefreshResult {
    return {
      status,
      asOf,
      startedAt,
      finishedAt: new Date(deps.now()).toISOString(),
      districts,
      restated,
      currentMoved,
      message,
    }
  }

  function circuitResult(status: CircuitStatus, startedAt: string, what: string): RefreshResult {
    const circuit: RefreshCircuit = {
      state: status.state,
      reason: status.reason,
      nextProbeAt: status.nextProbeAt,
    }
    const why = status.reason ? ` (${status.reason})` : ''
    const message = `CIRCUIT_OPEN: upstream ${deps.upstreamHost} unreachable${why}; ${what}; next probe at ${status.nextProbeAt ?? 'unknown'}`
    return { ...result('failed', null, startedAt, empty(), [], false, message), circuit }
  }

  /** Open and not yet due for its probe: a refresh now could only wait. */
  function blockedByCircuit(): CircuitStatus | null {
    const c = deps.resilience.circuit(deps.upstreamHost)
    if (c.state !== 'open' || c.nextProbeAt === null) return null
    return Date.parse(c.nextProbeAt) > deps.now() ? c : null
  }

  return {
    /**
     * Starts a refresh of the newest published as-of (or of `date`), or joins the one already
     * running. With the circuit open it answers at once with the circuit (and records nothing).
     */
    refresh(options: { date?: IsoDate } = {}): Promise<RefreshResult> {
      if (running) return running
      const startedAt = new Date(deps.now()).toISOString()
      const blocked = blockedByCircuit()
      if (blocked) return Promise.resolve(circuitResult(blocked, startedAt, 'refresh not started'))
      const ac = new AbortController()
      controller = ac
      const stopWatching = deps.resilience.onCircuitChange((host, status) => {
        if (host === deps.upstreamHost && status.state === 'open')
          ac.abort(new CircuitOpenError(host, status))
      })
      running = run(ac.signal, options.date ?? null)
        .catch((error: unknown) => {
          const reason: unknown = ac.signal.reason
          if (reason instanceof CircuitOpenError) {
            const status = deps.resilience.circuit(deps.upstreamHost)
            return circuitResult(status, startedAt, 'refresh stopped, nothing written')
          }
          const e = toCellError(error, deps.now())
          deps.logger.error({ err: error }, 'refresh failed')
          return result('failed', null, startedAt, empty(), [], false, `${e.code}: ${e.message}`)
        })
        .then((r) => {
          stopWatching()
          last = r
          running = null
          controller = null
          deps.logger.info({ refresh: r.status, asOf: r.asOf }, r.message)
          return r
        })
      return running
    },
    status(): { state: RefreshState; last: RefreshResult | null } {
      return { state: running ? 'running' : 'idle', last }
    },
    async close(): Promise<void> {
      controller?.abort(new Error('shutting down'))
      await running?.catch(() => undefined)
    },
  }
}

export type RefreshService = ReturnType<typeof createRefreshService>

function empty(): RefreshResult['districts'] {
  return { written: [], unchanged: [], unavailable: [], notADistrict: [], failed: [] }
}

function notADistrictNote(lists: RefreshResult['districts']): string {
  const n = lists.notADistrict
  return n.length === 0 ? '' : `; not a district on that date: ${n.join(', ')}`
}
