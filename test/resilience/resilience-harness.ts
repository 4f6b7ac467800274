/**
 * Shared tools of the resilience tests: a full stack (simulator + real server) with fast retries
 * and a server clock anchored on the simulator's "today", polling the API with a deadline (never
 * sleeping), and the simulator's request log parsed back into report requests.
 */
import type { ServiceOverrides } from '../../src/server/compose.ts'
import { isTerminal, type BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { IsoDate } from '../../src/shared/iso-date.ts'
import type { ReportKind } from '../../src/shared/snapshot-types.ts'
import { parseExportRequest } from '../../src/sim/export-request.ts'
import type { SimulatorOptions } from '../../src/sim/index.ts'
import { startStack, TEST_TODAY, type Stack } from '../helpers/stack.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>

/** Noon of the simulator's today: the server's "today" is the simulator's whatever the host clock says. */
const ANCHOR_MS = Date.parse(`${TEST_TODAY}T12:00:00.000Z`)

/** A clock running at real speed (timers, windows) that reads the anchor when the stack starts. */
export function anchoredClock(): () => number {
  const offset = ANCHOR_MS - Date.now()
  return () => Date.now() + offset
}

export const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 }

export async function startResilienceStack(
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

export async function configureDistricts(stack: Stack, districts: string[]): Promise<void> {
  const r = await stack.api('PUT', '/api/districts', { districts })
  if (r.status !== 200) throw new Error(`PUT /api/districts answered ${r.status}`)
}

/**
 * Polls `probe` until it returns something other than undefined/false/null; throws naming `what`
 * when `timeoutMs` passes first. The short interval only paces the polling: the condition decides.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== null && value !== false) return value
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export async function startJob(stack: Stack, body: Json): Promise<BackfillResponse> {
  const r = await stack.api<BackfillResponse>('POST', '/api/districts/backfill', body)
  if (r.status !== 202)
    throw new Error(`POST /api/districts/backfill answered ${r.status}: ${JSON.stringify(r.body)}`)
  return r.body
}

export async function getJob(stack: Stack, backfillId: string): Promise<BackfillResponse> {
  const r = await stack.api<BackfillResponse>('GET', `/api/districts/backfill/${backfillId}`)
  if (r.status !== 200) throw new Error(`GET job ${backfillId} answered ${r.status}`)
  return r.body
}

/** Polls the job view until `until` holds (default: the job ended). */
export function waitForJob(
  stack: Stack,
  backfillId: string,
  until: (job: BackfillResponse) => boolean = (job) => isTerminal(job.status),
  timeoutMs = 20_000,
): Promise<BackfillResponse> {
  return waitFor(
    `job ${backfillId} to reach the expected state`,
    async () => {
      const job = await getJob(stack, backfillId)
      return until(job) ? job : undefined
    },
    timeoutMs,
  )
}

/** One request the simulator answered, with its report token parsed back. */
export interface LoggedRequest {
  /** Simulator clock (ms) when the answer was written. */
  at: number
  status: number
  fault: string | null
  url: string
  report: ReportKind | null
  districtId: string | null
  /** The as-of slot of the token; null for "latest" (root) requests. */
  asOf: IsoDate | null
}

export function requestLog(stack: Stack): LoggedRequest[] {
  return stack.sim.requestLog().map((e) => {
    const url = new URL(e.url, 'http://simulator.local')
    const parsed = parseExportRequest(url.pathname, url.searchParams)
    const req = parsed.ok ? parsed.request : null
    return {
      at: Date.parse(e.time),
      status: e.status,
      fault: e.fault,
      url: e.url,
      report: req?.report ?? null,
      districtId: req?.districtId ?? null,
      asOf: req?.asOf ?? null,
    }
  })
}
