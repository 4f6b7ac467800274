/**
 * Loopback upstream + client pair for client tests. The harness answers the live-status
 * probe (root `districtsummary~~~…`) itself; each test routes the other requests.
 */
import type { ServerResponse } from 'node:http'
import { afterEach } from 'vitest'
import { createDashboardClient } from '../dashboard-client.ts'
import type { DashboardClient, DashboardClientOptions } from '../dashboard-client.ts'
import {
  SUMMARY_HEADER_2025_26,
  SUMMARY_ROWS_2025_26,
  exportBody,
  footerLine,
} from './export-bodies.ts'
import { startTestUpstream } from './upstream-test-server.ts'
import type { RecordedRequest, TestUpstream } from './upstream-test-server.ts'

/** Fixed client clock: 2026-05-10T12:00Z. */
export const NOW_MS = Date.UTC(2026, 4, 10, 12)

export interface Harness {
  upstream: TestUpstream
  client: DashboardClient
  /** Requests other than the live-status probe. */
  reportRequests(): RecordedRequest[]
  /** Requests that were the live-status probe. */
  liveRequests(): RecordedRequest[]
  clock: { nowMs: number }
}

export type Route = (request: RecordedRequest, res: ServerResponse) => void

function isLiveProbe(r: RecordedRequest): boolean {
  return r.path === '/export.aspx' && (r.token?.startsWith('districtsummary~~~') ?? false)
}

/** Registers an afterEach that closes every server started through the returned function. */
export function useHarness(): (
  route: Route,
  init?: { liveFooter?: string | (() => string); options?: DashboardClientOptions },
) => Promise<Harness> {
  const open: TestUpstream[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((u) => u.close()))
  })
  return async (route, init = {}) => {
    // A function: the footer the root shows at the time of each probe (the live year switching).
    const liveFooter = init.liveFooter ?? footerLine('2026-04', '2026-05-06')
    const liveBody = () =>
      exportBody(
        SUMMARY_HEADER_2025_26,
        SUMMARY_ROWS_2025_26,
        typeof liveFooter === 'string' ? liveFooter : liveFooter(),
      )
    const upstream = await startTestUpstream((request, res) => {
      if (isLiveProbe(request)) res.end(liveBody())
      else route(request, res)
    })
    open.push(upstream)
    const clock = { nowMs: NOW_MS }
    const client = createDashboardClient({
      baseUrl: upstream.baseUrl,
      now: () => clock.nowMs,
      ...init.options,
    })
    return {
      upstream,
      client,
      clock,
      reportRequests: () => upstream.requests.filter((r) => !isLiveProbe(r)),
      liveRequests: () => upstream.requests.filter(isLiveProbe),
    }
  }
}

/** Month-end slot of a token (`…~{MONTHEND}~{ASOF}~{PY}`), e.g. `4/30/2026`. */
export function monthEndOf(token: string | null): string {
  const parts = (token ?? '').split('~')
  return parts[parts.length - 3] ?? ''
}
