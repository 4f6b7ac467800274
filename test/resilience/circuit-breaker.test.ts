/**
 * docs/architecture.md#politeness, the circuit breaker: an outage opens the circuit and pauses jobs (visible in the job view
 * and in health) instead of failing their cells; one probe per open period; recovery resumes the
 * job by itself. An outage longer than CIRCUIT_MAX_OUTAGE_MS ends the job `error`, keeping the
 * cells finished before, and the job can be retried once the upstream is back.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Stack } from '../helpers/stack.ts'
import {
  configureDistricts,
  getJob,
  startJob,
  waitFor,
  waitForJob,
  type Json,
} from '../helpers/jobs.ts'
import { requestLog } from '../helpers/request-log.ts'
import { startResilienceStack } from './resilience-harness.ts'
import { gaps, maxInAnyWindow } from './request-timing.ts'

const THRESHOLD = 3
const OPEN_MS = 300
const PATIENT_RETRY = { maxAttempts: 30, baseDelayMs: 10, maxDelayMs: 50 }

let stack: Stack
afterEach(() => stack.close())

async function startCircuitStack(maxOutageMs: number): Promise<Stack> {
  stack = await startResilienceStack({
    env: {
      UPSTREAM_MAX_REQUESTS: '0',
      CIRCUIT_FAILURE_THRESHOLD: String(THRESHOLD),
      CIRCUIT_OPEN_MS: String(OPEN_MS),
      CIRCUIT_MAX_OUTAGE_MS: String(maxOutageMs),
    },
    overrides: { retryPolicy: PATIENT_RETRY },
  })
  await configureDistricts(stack, ['21', '61'])
  return stack
}

/**
 * Times of the outage answers: the first THRESHOLD open the circuit; requests already past the
 * breaker then (concurrency 2) fail right after; the later ones must be probes.
 */
function outageTimes(): { opened: number; probes: number[] } {
  const times = requestLog(stack)
    .filter((r) => r.fault === 'outage')
    .map((r) => r.at)
  const opened = times[THRESHOLD - 1] ?? Infinity
  return { opened, probes: times.filter((t) => t > opened + 100) }
}

describe('an outage shorter than CIRCUIT_MAX_OUTAGE_MS', () => {
  it('pauses the job with one probe per open period, then completes it by itself', async () => {
    await startCircuitStack(60_000)
    const job = await startJob(stack, {
      startDate: '2026-11-02',
      endDate: '2026-11-05',
      collectionType: 'per-district',
      concurrency: 2,
    })
    await waitForJob(stack, job.backfillId, (j) => j.progress.completed >= 2)
    stack.sim.addFault({ kind: 'outage', mode: 'status' })

    const paused = await waitForJob(stack, job.backfillId, (j) => j.pausedReason !== null)
    expect(paused.status).toBe('processing')
    expect(paused.pausedReason).toMatch(/circuit/)
    expect(Date.parse(paused.pausedUntil ?? '')).not.toBeNaN()
    const health = await stack.api<Json>('GET', '/api/health')
    expect(health.body.status).toBe('degraded')
    expect(['open', 'half-open']).toContain(health.body.upstream.circuit.state)
    expect(health.body.upstream.circuit.nextProbeAt).not.toBeNull()

    // Let a few open periods pass, then end the outage.
    await waitFor('three probes', () => outageTimes().probes.length >= 3)
    stack.sim.clearFaults()
    const done = await waitForJob(stack, job.backfillId)
    expect(done.status).toBe('complete')
    expect(done.progress).toMatchObject({ total: 8, completed: 8, failed: 0 })
    expect(done.pausedReason).toBeNull()

    // At most one request per open period: the probe.
    const { opened, probes } = outageTimes()
    expect(probes.length).toBeGreaterThanOrEqual(3)
    expect(probes[0]! - opened).toBeGreaterThanOrEqual(OPEN_MS - 10)
    expect(maxInAnyWindow(probes, OPEN_MS - 10), gaps(probes).join(', ')).toBe(1)

    const alerts = (await stack.api<Json>('GET', '/api/alerts')).body.alerts as Json[]
    const kinds = alerts.map((a) => a.kind)
    // One outage, one alert each way, however many probes failed in between.
    expect(kinds.filter((k) => k === 'circuit:open')).toHaveLength(1)
    expect(kinds.filter((k) => k === 'circuit:closed')).toHaveLength(1)
    // Newest first: the circuit ended closed.
    expect(kinds.filter((k) => k.startsWith('circuit:'))[0]).toBe('circuit:closed')
    expect((await stack.api<Json>('GET', '/api/health')).body.upstream.circuit.state).toBe('closed')
  })
})

describe('an outage longer than CIRCUIT_MAX_OUTAGE_MS', () => {
  it('ends the job error, keeps the finished cells, and allows a retry afterwards', async () => {
    await startCircuitStack(1500)
    const dates = ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05']
    const job = await startJob(stack, {
      startDate: dates[0],
      endDate: dates.at(-1),
      targetDistricts: ['21'],
      collectionType: 'per-district',
      concurrency: 1,
    })
    await waitForJob(stack, job.backfillId, (j) => j.progress.completed >= 1)
    stack.sim.addFault({ kind: 'outage', mode: 'reset' })
    const ended = await waitForJob(stack, job.backfillId)
    expect(ended.status).toBe('error')
    expect(ended.error).toMatch(/unreachable|circuit/i)

    const finished = ended.progress.districtProgress['21']?.successfulDates ?? []
    expect(finished.length).toBeGreaterThanOrEqual(1)
    expect(finished.length).toBeLessThan(dates.length)
    for (const date of dates) {
      const file = await stack.api<Json>('GET', `/api/snapshots/${date}/districts/21`)
      expect(file.status, date).toBe(finished.includes(date) ? 200 : 404)
      if (file.status === 200) expect(file.body).toMatchObject({ asOf: date, detail: 'full' })
    }
    const alerts = (await stack.api<Json>('GET', '/api/alerts')).body.alerts as Json[]
    expect(alerts.map((a) => a.kind)).toContain('job:error')

    stack.sim.clearFaults()
    const retry = await stack.api<Json>('POST', `/api/districts/backfill/${job.backfillId}/retry`)
    expect(retry.status, JSON.stringify(retry.body)).toBe(202)
    const again = await waitForJob(stack, retry.body.backfillId)
    expect(again.status).toBe('complete')
    expect(again.progress.total).toBe(dates.length - finished.length)
    for (const date of dates) {
      const file = await stack.api<Json>('GET', `/api/snapshots/${date}/districts/21`)
      expect(file.status, date).toBe(200)
    }
    expect((await getJob(stack, job.backfillId)).status).toBe('error')
  })
})
