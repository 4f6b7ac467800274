/**
 * Driving backfill jobs on a test stack through its HTTP API: a server clock anchored on the
 * simulator's "today", configured districts, starting and reading jobs, and waiting for them
 * by condition or by the service's idle() (never by sleeping).
 */
import type { RetryPolicy } from '../../src/server/politeness/index.ts'
import { isTerminal, type BackfillResponse } from '../../src/shared/backfill-api.ts'
import { startStack, TEST_TODAY, type Stack, type StackOptions } from './stack.ts'

/** A JSON body as the tests read it: loose on purpose, the assertions do the checking. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>

/** Noon of the simulator's today, so the server's "today" is the simulator's whatever the host clock says. */
const ANCHOR_MS = Date.parse(`${TEST_TODAY}T12:00:00.000Z`)

/** A clock running at real speed (ETA, timers, windows) that reads the anchor when created. */
export function anchoredClock(): () => number {
  const offset = ANCHOR_MS - Date.now()
  return () => Date.now() + offset
}

/** A full stack with the given retry policy and an anchored clock; `options.overrides` win. */
export function startAnchoredStack(
  retryPolicy: RetryPolicy,
  options: StackOptions = {},
): Promise<Stack> {
  return startStack({
    env: options.env,
    sim: options.sim,
    overrides: { retryPolicy, now: anchoredClock(), ...options.overrides },
  })
}

/** Replaces the configured districts; an empty list removes them all (the open scope). */
export async function configureDistricts(stack: Stack, districts: string[]): Promise<void> {
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

const POLL_FIRST_MS = 20
const POLL_MAX_MS = 100

/**
 * Polls `probe` until it returns something other than undefined/false/null; throws naming `what`
 * when `timeoutMs` passes first. The interval only paces the polling: the condition decides. It
 * starts at 20 ms and grows to 100 ms, so a wait of seconds costs tens of probes, not hundreds (a
 * probe of the job view is an HTTP round trip: CPU in the test and in the server alike). The
 * default catches a hang, not a loaded machine (a job of seconds takes a minute at load 20).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let intervalMs = POLL_FIRST_MS
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== null && value !== false) return value
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
    intervalMs = Math.min(POLL_MAX_MS, intervalMs * 1.5)
  }
}

/** Starts a backfill (global unless `route` names a district's) and insists on 202. */
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
  timeoutMs = 90_000,
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

/** Waits until the job is terminal, without polling: the service's idle() resolves when every executor ended. */
export async function waitForJobEnd(stack: Stack, backfillId: string): Promise<BackfillResponse> {
  for (;;) {
    await stack.server.services.backfills.idle()
    const job = await getJob(stack, backfillId)
    if (isTerminal(job.status)) return job
  }
}
