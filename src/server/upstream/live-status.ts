/**
 * Which program year the root path serves, learned from the footer of a root summary fetch
 * (docs/upstream.md#urls-and-path-styles, docs/upstream.md#client-recipe step 3), cached for a TTL on the injected clock.
 */
import { programYearOf } from '../../shared/iso-date.ts'
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

export interface LiveStatusCache {
  get(request?: RequestOptions): Promise<LiveStatus>
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
  now: () => number
}): LiveStatusCache {
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

  return {
    remember,
    peek,
    get({ signal, lane = DEFAULT_LANE } = {}) {
      if (signal?.aborted) return Promise.reject(new UpstreamCancelledError(null))
      const fresh = peek()
      return fresh !== null ? Promise.resolve(fresh) : abortable(load(lane), signal)
    },
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
