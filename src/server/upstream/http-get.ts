/**
 * The only place that talks HTTP to the dashboard: one plain GET, one attempt, a timeout, the
 * caller's AbortSignal, no automatic redirects. Politeness (rate limit, circuit breaker) plugs in
 * through `schedule`; metrics through `onResponse`. One URL is fetched once at a time: callers
 * asking for a URL already in flight share that exchange (an export URL names one immutable
 * answer), and a caller cancelling leaves it without aborting it for the others.
 */
import {
  UpstreamCancelledError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  systemErrorCode,
} from './errors.ts'
import type { UpstreamAnswer } from './classify-body.ts'
import type { InFlight } from './in-flight.ts'

/**
 * Runs `task` when the host's budget allows. The task receives a signal the scheduler may abort
 * (e.g. on shutdown); `signal` is the caller's, so a queued task can be dropped when it aborts.
 */
export type Schedule = <T>(
  host: string,
  task: (signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
) => Promise<T>

export interface ResponseInfo {
  url: string
  status: number
  bytes: number
  durationMs: number
}

export interface HttpGetConfig {
  fetch: typeof globalThis.fetch
  timeoutMs: number
  userAgent: string
  schedule: Schedule
  onResponse: ((info: ResponseInfo) => void) | null
  now: () => number
  /** The exchanges in flight, by URL. */
  inFlight: InFlight<HttpExchange>
}

export interface HttpExchange extends UpstreamAnswer {
  bytes: Uint8Array
  durationMs: number
  /** Client clock when the body was fully received. */
  receivedAtMs: number
}

const NEVER_ABORTED = new AbortController().signal

/** Default scheduler: run the task now. */
export const runImmediately: Schedule = (_host, task, signal) => task(signal ?? NEVER_ABORTED)

export async function httpGet(
  config: HttpGetConfig,
  url: string,
  signal?: AbortSignal,
): Promise<HttpExchange> {
  if (signal?.aborted) throw new UpstreamCancelledError(url, { cause: signal.reason })
  return config.inFlight.run(
    url,
    (shared) => scheduled(config, url, shared),
    signal,
    (reason) => new UpstreamCancelledError(url, { cause: reason }),
  )
}

/** One exchange through the schedule hook; `signal` aborts once no caller waits for it. */
async function scheduled(
  config: HttpGetConfig,
  url: string,
  signal: AbortSignal,
): Promise<HttpExchange> {
  const host = new URL(url).host
  try {
    return await config.schedule(
      host,
      (taskSignal) => fetchOnce(config, url, taskSignal, signal),
      signal,
    )
  } catch (error) {
    // A scheduler rejects in its own way when the caller gives up while queued.
    if (signal.aborted) throw new UpstreamCancelledError(url, { cause: error })
    throw error
  }
}

async function fetchOnce(
  config: HttpGetConfig,
  url: string,
  taskSignal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): Promise<HttpExchange> {
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(), config.timeoutMs)
  const signals = callerSignal
    ? [timeout.signal, taskSignal, callerSignal]
    : [timeout.signal, taskSignal]
  const started = performance.now()
  try {
    const response = await config.fetch(url, {
      method: 'GET',
      // A 3xx is reported, not followed: unpublished PY paths redirect to an error page (docs/upstream.md#empty-and-non-csv-answers).
      redirect: 'manual',
      signal: AbortSignal.any(signals),
      headers: { 'user-agent': config.userAgent, accept: 'text/csv, */*' },
    })
    // The timeout also covers reading the body: a stalled transfer must not hang a job.
    const bytes = new Uint8Array(await response.arrayBuffer())
    const durationMs = performance.now() - started
    notify(config, { url, status: response.status, bytes: bytes.byteLength, durationMs })
    return toExchange(url, response, bytes, durationMs, config.now())
  } catch (error) {
    if (callerSignal?.aborted || (taskSignal.aborted && !timeout.signal.aborted)) {
      throw new UpstreamCancelledError(url, { cause: error })
    }
    if (timeout.signal.aborted)
      throw new UpstreamTimeoutError(url, config.timeoutMs, { cause: error })
    const detail = error instanceof Error ? describe(error) : String(error)
    throw new UpstreamNetworkError(url, systemErrorCode(error), detail, { cause: error })
  } finally {
    clearTimeout(timer)
  }
}

function toExchange(
  url: string,
  response: Response,
  bytes: Uint8Array,
  durationMs: number,
  receivedAtMs: number,
): HttpExchange {
  return {
    url,
    status: response.status,
    statusText: response.statusText,
    contentType: response.headers.get('content-type'),
    location: response.headers.get('location'),
    retryAfter: response.headers.get('retry-after'),
    // ignoreBOM keeps a leading U+FEFF in the text, so `body` is exactly what was received.
    text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes),
    bytes,
    durationMs,
    receivedAtMs,
  }
}

/** A metrics hook must never break a download. */
function notify(config: HttpGetConfig, info: ResponseInfo): void {
  try {
    config.onResponse?.(info)
  } catch {
    // ignored on purpose
  }
}

function describe(error: Error): string {
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
  return `${error.message}${cause}`
}
