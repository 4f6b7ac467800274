/**
 * Shared set-up of the client-vs-simulator integration tests: one simulator per test file on
 * 127.0.0.1:0 with a fixed seed and "today", one client pointed at it, both stopped after the
 * file. Helpers read the simulator's request log and catch the client's typed errors.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, expect } from 'vitest'
import type { IsoDate } from '../../src/shared/iso-date.ts'
import type { ReportKind } from '../../src/shared/snapshot-types.ts'
import { createDashboardClient, UpstreamError } from '../../src/server/upstream/index.ts'
import type {
  DashboardClient,
  DashboardClientOptions,
  ReportResult,
} from '../../src/server/upstream/index.ts'
import { startSimulator } from '../../src/sim/index.ts'
import type { Simulator, SimulatorOptions } from '../../src/sim/index.ts'

export const TODAY = '2026-11-29'
export const SEED = 4242
export const DISTRICTS = ['02', '21', '61', 'F', 'U'] as const
export const DISTRICT_REPORTS = [
  'clubperformance',
  'divisionperformance',
  'districtperformance',
] as const satisfies readonly ReportKind[]

export interface Rig {
  sim: Simulator
  client: DashboardClient
  /** A fresh client (no cached live status) against the same simulator. */
  newClient(options?: DashboardClientOptions): DashboardClient
}

/** Starts the file's simulator and client before its tests; the returned getter reads them. */
export function useRig(options: SimulatorOptions = {}): () => Rig {
  let rig: Rig | null = null
  beforeAll(async () => {
    const sim = await startSimulator({
      port: 0,
      host: '127.0.0.1',
      seed: SEED,
      today: TODAY,
      districts: [...DISTRICTS],
      ...options,
    })
    // A generous timeout: on a loaded machine the simulator may take seconds to build a large
    // report, and these tests are about what it answers (the timeout has a test of its own).
    const newClient = (extra: DashboardClientOptions = {}): DashboardClient =>
      createDashboardClient({ baseUrl: sim.url, timeoutMs: 20_000, ...extra })
    rig = { sim, client: newClient(), newClient }
  })
  afterAll(async () => {
    await rig?.sim.close()
    rig = null
  })
  return () => {
    if (rig === null) throw new Error('the simulator is not running (used outside a test?)')
    return rig
  }
}

/** Path part of each logged request (`/2024-2025/export.aspx`, `/export.aspx`), in order. */
export function loggedPaths(sim: Simulator): string[] {
  return sim.requestLog().map((e) => new URL(e.url, 'http://log.local').pathname)
}

/** `/export.aspx` for the live year, `/{PY}/export.aspx` for an archived one (docs/upstream.md#urls-and-path-styles). */
export function expectedPath(programYear: string, liveProgramYear: string): string {
  return programYear === liveProgramYear ? '/export.aspx' : `/${programYear}/export.aspx`
}

export function sha256(text: string): string {
  return createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex')
}

/** The rejection of `promise` as an UpstreamError; fails the test if it resolves. */
export async function upstreamFailure(promise: Promise<unknown>): Promise<UpstreamError> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  )
  if ('resolved' in outcome) {
    const kind = (outcome.resolved as ReportResult | null)?.kind ?? typeof outcome.resolved
    throw new Error(`expected a typed upstream error, the client returned ${kind}`)
  }
  if (!(outcome.rejected instanceof UpstreamError)) throw outcome.rejected
  return outcome.rejected
}

export function districtFor(report: ReportKind, districtId: string): string | undefined {
  return report === 'districtsummary' ? undefined : districtId
}

/** All four reports of one as-of: the summary and the three reports of `districtId`. */
export async function fetchAllFour(
  client: DashboardClient,
  asOf: IsoDate,
  districtId: string,
): Promise<ReportResult[]> {
  const summary = await client.fetchReport({ report: 'districtsummary', asOf })
  const perDistrict = []
  for (const report of DISTRICT_REPORTS)
    perDistrict.push(await client.fetchReport({ report, districtId, asOf }))
  return [summary, ...perDistrict]
}

/**
 * A data answer agrees with the simulator's ground truth: footer as-of = requested, data month
 * and program year as the simulator published them, closing-period flag, path style, and the
 * body byte for byte. `dataMonth` picks the month when the simulator published two (late July).
 */
export function expectDataMatchesTruth(
  rig: Rig,
  result: ReportResult,
  asOf: IsoDate,
  dataMonth?: string,
): void {
  const { truth } = rig.sim
  expect(result.kind, `${result.report} ${asOf}`).toBe('data')
  if (result.kind !== 'data') return
  const published = truth.dataMonthsFor(asOf).find((m) => m.dataMonth === dataMonth) ??
    truth.dataMonthFor(asOf) ?? { dataMonth: 'none', programYear: 'none' }
  expect(result.requestedAsOf).toBe(asOf)
  expect(result.footer?.asOf).toBe(asOf)
  expect(result.asOf).toBe(asOf)
  expect({ dataMonth: result.dataMonth, programYear: result.programYear }).toEqual(published)
  expect(result.closingPeriod).toBe(published.dataMonth !== asOf.slice(0, 7))
  const live = truth.liveProgramYear()
  expect(new URL(result.url).pathname).toBe(expectedPath(published.programYear, live))
  const body = truth.renderReport(result.report, result.districtId, asOf, published.dataMonth)
  expect(body).not.toBeNull()
  expect(result.body === body, `${result.report} body differs from the simulator's`).toBe(true)
  expect(result.sha256).toBe(sha256(body ?? ''))
  expect(result.sizeBytes).toBe(Buffer.byteLength(body ?? '', 'utf8'))
  expect(result.rowCount).toBeGreaterThan(0)
}
