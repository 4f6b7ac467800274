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

/** Whose request this is, for the politeness budget: the caller names it on every request. */
export interface Lane {
  /** Fairness unit: a job id, or `refresh`. */
  lane: string
  /** Served before every other lane (the refresh). @default false */
  priority?: boolean
  /** Minimum gap between two starts of this lane (a job's `rateLimitDelayMs`). @default 0 */
  minGapMs?: number
}

/** The lane of a request whose caller names none (an idle server's newest-as-of lookup). */
export const DEFAULT_LANE: Lane = { lane: 'default' }

/** What every client call accepts besides its own fields. */
export interface RequestOptions {
  signal?: AbortSignal
  /** @default DEFAULT_LANE */
  lane?: Lane
}

/** One exchange as the schedule hook sees it: its lane, and when to drop it. */
export interface ScheduleRequest extends Lane {
  /** Aborts once no caller waits for the exchange any more; a queued task is then dropped. */
  signal: AbortSignal
}

/**
 * The permission to send one request, from a budget shared with other processes: it holds only
 * until a send-by deadline (docs/decisions/shared-budget.md#sends-not-grants). `claim()` is called
 * right before the request is handed to the socket: true = send now (the send is recorded);
 * false = too late, the grant is given up and the request must not go (the scheduler asks again).
 * `release()` gives up a grant whose request will not be sent at all.
 */
export interface SendPermit {
  claim(): boolean
  release(): void
}

/** The request was not sent: its grant expired before the send (the scheduler asks again). */
export class SendDeadlineMissedError extends Error {
  override name = 'SendDeadlineMissedError'
  constructor(url: string) {
    super(`start grant for ${url} expired before the request could be sent`)
  }
}

/**
 * Runs `task` when the host's budget allows and answers with the exchange it produced, so the
 * hook can adapt to its status and `Retry-After`. The task receives a signal the scheduler may
 * abort (e.g. on shutdown).
 */
export type Schedule = (
  host: string,
  task: (signal: AbortSignal, permit?: SendPermit) => Promise<HttpExchange>,
  request: ScheduleRequest,
) => Promise<HttpExchange>

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

/** Default scheduler: run the task now. */
export const runImmediately: Schedule = (_host, task, request) => task(request.signal)

/**
 * GETs `url` in the caller's lane. A caller joining an exchange already in flight shares it, and
 * it stays billed to the lane of the caller that started it.
 */
export async function httpGet(
  config: HttpGetConfig,
  url: string,
  { signal, lane = DEFAULT_LANE }: RequestOptions = {},
): Promise<HttpExchange> {
  if (signal?.aborted) throw new UpstreamCancelledError(url, { cause: signal.reason })
  return config.inFlight.run(
    url,
    (shared) => scheduled(config, url, { ...lane, signal: shared }),
    signal,
    (reason) => new UpstreamCancelledError(url, { cause: reason }),
  )
}

/** One exchange through the schedule hook; its signal aborts once no caller waits for it. */
async function scheduled(
  config: HttpGetConfig,
  url: string,
  request: ScheduleRequest,
): Promise<HttpExchange> {
  const host = new URL(url).host
  const { signal } = request
  try {
    return await config.schedule(
      host,
      (taskSignal, permit) => fetchOnce(config, url, taskSignal, signal, permit),
      request,
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
  permit: SendPermit | undefined,
): Promise<HttpExchange> {
  // As late as this process can check: nothing awaits between this and the fetch's dispatch.
  if (permit && !permit.claim()) throw new SendDeadlineMissedError(url)
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
