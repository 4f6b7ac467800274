/**
 * Driving backfill jobs on a test stack through its HTTP API: a server clock anchored on the
 * simulator's "today", configured districts, starting and reading jobs, and waiting for them
 * by condition or by the service's idle() (never by sleeping).
 */
import type { RetryPolicy } from '../../src/server/politeness/index.ts'
import { isTerminal, type BackfillResponse } from '../../src/shared/backfill-api.ts'
import { startStack, TEST_TODAY, type Stack, type StackOptions } from './stack.ts'
import { waitFor } from './wait.ts'

export { waitFor } from './wait.ts'

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
