/**
 * Helpers of the BackfillService end-to-end tests on top of `test/helpers/`: a stack with fast
 * retries, running a job to its end, following the service's event stream, and the export
 * requests the simulator served.
 */
import type { JobEvent, JobState } from '../../src/server/backfill/index.ts'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { IsoDate } from '../../src/shared/iso-date.ts'
import type { ReportKind } from '../../src/shared/snapshot-types.ts'
import { startAnchoredStack, startJob, waitForJobEnd, type Json } from '../helpers/jobs.ts'
import { requestLog } from '../helpers/request-log.ts'
import type { Stack, StackOptions } from '../helpers/stack.ts'

export const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 }

export function startBackfillStack(options: StackOptions = {}): Promise<Stack> {
  return startAnchoredStack(FAST_RETRY, options)
}

export async function runJob(stack: Stack, body: Json): Promise<BackfillResponse> {
  return waitForJobEnd(stack, (await startJob(stack, body)).backfillId)
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
  report: ReportKind
  districtId: string | null
  monthEnd: IsoDate | null
  asOf: IsoDate | null
  programYear: string
  status: number
}

/** Every export request the simulator served, decoded from its `report` token. */
export function exportRequests(stack: Stack): ExportRequest[] {
  return requestLog(stack).flatMap((r) => {
    if (r.path === null) return []
    if (r.report === null) throw new Error(`the simulator could not read ${r.url}: ${r.rejected}`)
    const { path, report, districtId, monthEnd, asOf, status } = r
    return [{ path, report, districtId, monthEnd, asOf, programYear: r.programYear ?? '', status }]
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
