/**
 * Which program year the root path serves, learned from the footer of a root summary fetch
 * (docs/upstream.md#urls-and-path-styles, docs/upstream.md#client-recipe step 3), cached for a TTL on the injected clock.
 *
 * The newest as-of moves daily, so `get` trusts it for the TTL only. The live program year
 * moves once a year: `forDatedRequest` keeps trusting it while it is the calendar's own program
 * year (the root never serves a year ahead of the calendar, so nothing can change until the
 * calendar reaches 1 July), and in the window after 1 July while the root still serves the old
 * year it asks again at most once per `unsettledTtlMs` (docs/performance.md#live-status).
 */
import { programYearOf, todayUtc } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import { UpstreamCancelledError } from './errors.ts'
import type { ReportFooter } from './classify-body.ts'
import { DEFAULT_LANE, type Lane, type RequestOptions } from './http-get.ts'

export interface LiveStatus {
  /** Program year served by the root path, e.g. `2026-2027` (June in July ⇒ still the old one). */
  programYear: string
  /** Newest published as-of (the root footer's). */
  latestAsOf: IsoDate
  /** Data month of the newest snapshot. */
  dataMonth: YearMonth
}

export function liveStatusFromFooter(footer: ReportFooter): LiveStatus {
  return {
    programYear: programYearOf(footer.dataMonth),
    latestAsOf: footer.asOf,
    dataMonth: footer.dataMonth,
  }
}

/** One hour: how long a live year that may still switch (July, before the switch) is trusted. */
export const UNSETTLED_LIVE_YEAR_TTL_MS = 3_600_000

/** The live year is the calendar's at `ms`: it cannot change before the calendar's year does. */
function settledAt(status: LiveStatus, ms: number): boolean {
  return status.programYear === programYearOf(todayUtc(ms))
}

/** The root still serves an earlier year than the calendar's (July, before the switch). */
export function liveYearMaySwitch(status: LiveStatus, nowMs: number): boolean {
  return !settledAt(status, nowMs)
}

export interface LiveStatusCache {
  /** The live status, fresh within the TTL: for the newest as-of. */
  get(request?: RequestOptions): Promise<LiveStatus>
  /**
   * The live status for planning a dated request, where only the program year matters: the
   * cached one while its year cannot have changed since it was learned (see above).
   */
  forDatedRequest(request?: RequestOptions): Promise<LiveStatus>
  /** The cached status while fresh, without loading. */
  peek(): LiveStatus | null
  /** Feed a fresher observation (e.g. from a latest summary fetch). */
  remember(status: LiveStatus): void
}

/**
 * Concurrent callers share one in-flight load. The load itself runs without any caller's signal
 * (only the request timeout bounds it), so one caller cancelling does not fail the others; it is
 * billed to the lane of the caller that started it.
 */
export function createLiveStatusCache(init: {
  load: (lane: Lane) => Promise<LiveStatus>
  ttlMs: number
  /** @default UNSETTLED_LIVE_YEAR_TTL_MS (or `ttlMs`, when longer) */
  unsettledTtlMs?: number
  now: () => number
}): LiveStatusCache {
  const unsettledTtlMs = Math.max(init.ttlMs, init.unsettledTtlMs ?? UNSETTLED_LIVE_YEAR_TTL_MS)
  let cached: { status: LiveStatus; atMs: number } | null = null
  let inflight: Promise<LiveStatus> | null = null

  function remember(status: LiveStatus): void {
    cached = { status, atMs: init.now() }
  }

  function load(lane: Lane): Promise<LiveStatus> {
    inflight ??= init
      .load(lane)
      .then((status) => {
        remember(status)
        return status
      })
      .finally(() => {
        inflight = null
      })
    return inflight
  }

  function peek(): LiveStatus | null {
    return cached !== null && init.now() - cached.atMs < init.ttlMs ? cached.status : null
  }

  /** The cached status while its program year still holds. */
  function yearHolds(): LiveStatus | null {
    if (cached === null) return null
    const nowMs = init.now()
    const age = nowMs - cached.atMs
    if (age < init.ttlMs) return cached.status
    if (settledAt(cached.status, cached.atMs) && settledAt(cached.status, nowMs))
      return cached.status
    return age < unsettledTtlMs ? cached.status : null
  }

  function answer(held: LiveStatus | null, { signal, lane = DEFAULT_LANE }: RequestOptions) {
    if (signal?.aborted) return Promise.reject(new UpstreamCancelledError(null))
    return held !== null ? Promise.resolve(held) : abortable(load(lane), signal)
  }

  return {
    remember,
    peek,
    get: (request = {}) => answer(peek(), request),
    forDatedRequest: (request = {}) => answer(yearHolds(), request),
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new UpstreamCancelledError(null, { cause: signal.reason }))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
