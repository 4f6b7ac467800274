/**
 * Shared helpers of the BackfillService end-to-end tests: a stack whose server clock sits on
 * the simulator's "today", fast retries, waiting for jobs by events (never by sleeping), and
 * the simulator's request log parsed back into report tokens.
 */
import type { JobEvent, JobState } from '../../src/server/backfill/index.ts'
import type { ServiceOverrides } from '../../src/server/compose.ts'
import { isTerminal, type BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { IsoDate } from '../../src/shared/iso-date.ts'
import type { SimulatorOptions } from '../../src/sim/index.ts'
import { startStack, TEST_TODAY, type Stack } from '../helpers/stack.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>

export const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 }

/** Noon of the simulator's today, so the server's "today" is the simulator's whatever the host clock says. */
const ANCHOR_MS = Date.parse(`${TEST_TODAY}T12:00:00.000Z`)

/** A running clock (ETA needs elapsed time) that started at the anchor when the stack started. */
export function anchoredClock(): () => number {
  const offset = ANCHOR_MS - Date.now()
  return () => Date.now() + offset
}

export async function startBackfillStack(
  options: {
    env?: Record<string, string>
    sim?: SimulatorOptions
    overrides?: ServiceOverrides
  } = {},
): Promise<Stack> {
  return startStack({
    env: options.env,
    sim: options.sim,
    overrides: { retryPolicy: FAST_RETRY, now: anchoredClock(), ...options.overrides },
  })
}

/** Replaces the configured districts; an empty list removes them all (the open scope). */
export async function configure(stack: Stack, districts: string[]): Promise<void> {
  if (districts.length > 0) {
    const r = await stack.api<Json>('PUT', '/api/districts', { districts })
    if (r.status !== 200) throw new Error(`PUT /api/districts answered ${r.status}`)
    return
  }
  const current = await stack.api<{ configured: string[] }>('GET', '/api/districts')
  for (const id of current.body.configured) {
    const r = await stack.api('DELETE', `/api/districts/${id}`)
    if (r.status !== 200) throw new Error(`DELETE /api/districts/${id} answered ${r.status}`)
  }
}

/** Starts a global backfill and insists on 202. */
export async function startJob(
  stack: Stack,
  body: Json,
  route = '/api/districts/backfill',
): Promise<BackfillResponse> {
  const r = await stack.api<BackfillResponse>('POST', route, body)
  if (r.status !== 202)
    throw new Error(`POST ${route} answered ${r.status}: ${JSON.stringify(r.body)}`)
  return r.body
}

/** Waits until the job is terminal (the service's idle() resolves when every executor ended). */
export async function waitForJob(stack: Stack, backfillId: string): Promise<BackfillResponse> {
  for (;;) {
    await stack.server.services.backfills.idle()
    const r = await stack.api<BackfillResponse>('GET', `/api/districts/backfill/${backfillId}`)
    if (r.status !== 200) throw new Error(`GET job ${backfillId} answered ${r.status}`)
    if (isTerminal(r.body.status)) return r.body
  }
}

export async function runJob(stack: Stack, body: Json): Promise<BackfillResponse> {
  return waitForJob(stack, (await startJob(stack, body)).backfillId)
}

/** Latest domain state of every job, plus the raw event stream, from the service's subscribe. */
export function trackJobs(stack: Stack) {
  const states = new Map<string, JobState>()
  const events: { backfillId: string; event: JobEvent }[] = []
  const stop = stack.server.services.backfills.subscribe((state, event) => {
    states.set(state.backfillId, state)
    events.push({ backfillId: state.backfillId, event })
  })
  return { states, events, stop }
}

/** Resolves on the first event the predicate accepts. */
export function nextEvent(
  stack: Stack,
  accept: (state: JobState, event: JobEvent) => boolean,
): Promise<JobEvent> {
  return new Promise((resolve) => {
    const stop = stack.server.services.backfills.subscribe((state, event) => {
      if (!accept(state, event)) return
      stop()
      resolve(event)
    })
  })
}

export interface ExportRequest {
  path: 'root' | 'archive'
  report: string
  districtId: string | null
  monthEnd: IsoDate | null
  asOf: IsoDate | null
  programYear: string
  status: number
}

function usDateToIso(text: string | undefined): IsoDate | null {
  if (!text) return null
  const [m, d, y] = text.split('/').map(Number)
  if (!m || !d || !y) throw new Error(`not a M/D/YYYY date: ${text}`)
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/** Every export request the simulator served, decoded from its `report` token. */
export function exportRequests(stack: Stack): ExportRequest[] {
  return stack.sim.requestLog().flatMap((entry) => {
    const url = new URL(entry.url, 'http://sim.invalid')
    const token = url.searchParams.get('report')
    if (!url.pathname.endsWith('/export.aspx') || token === null) return []
    const parts = token.split('~')
    const [report = ''] = parts
    return [
      {
        path: url.pathname === '/export.aspx' ? ('root' as const) : ('archive' as const),
        report,
        districtId: parts.length === 5 ? (parts[1] ?? null) : null,
        monthEnd: usDateToIso(parts.at(-3)),
        asOf: usDateToIso(parts.at(-2)),
        programYear: parts.at(-1) ?? '',
        status: entry.status,
      },
    ]
  })
}

/** Export requests for a given as-of (the live-status lookup has no as-of and never counts). */
export function requestsFor(stack: Stack, dates: readonly IsoDate[]): ExportRequest[] {
  const wanted = new Set(dates)
  return exportRequests(stack).filter((r) => r.asOf !== null && wanted.has(r.asOf))
}

export function datedRequests(stack: Stack): ExportRequest[] {
  return exportRequests(stack).filter((r) => r.asOf !== null)
}
