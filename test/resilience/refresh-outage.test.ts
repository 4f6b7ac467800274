/**
 * `POST /api/refresh?wait=true` during an outage answers at once instead of waiting it out: when
 * the circuit opens under a running refresh the refresh stops and the call answers 503
 * CIRCUIT_OPEN with the circuit and its next probe; while the circuit stays open the refresh does
 * not start at all (no request sent). Once the probe is due, a refresh runs again (as the probe).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, type Json } from '../helpers/jobs.ts'
import { requestLog } from '../helpers/request-log.ts'
import { startResilienceStack } from './resilience-harness.ts'

const OPEN_MS = 3000
/** Patient enough that, waiting on the circuit, the refresh would outlast every test timeout. */
const PATIENT_RETRY = { maxAttempts: 30, baseDelayMs: 10, maxDelayMs: 50 }

let stack: Stack
beforeAll(async () => {
  stack = await startResilienceStack({
    env: {
      UPSTREAM_MAX_REQUESTS: '0',
      CIRCUIT_FAILURE_THRESHOLD: '3',
      CIRCUIT_OPEN_MS: String(OPEN_MS),
    },
    overrides: { retryPolicy: PATIENT_RETRY },
  })
  await configureDistricts(stack, ['21', '61'])
  // The live year is known before the outage, so the refresh itself meets it.
  expect(
    (await stack.api('POST', '/api/districts/backfill', { startDate: '2026-11-01', dryRun: true }))
      .status,
  ).toBe(200)
})
afterAll(() => stack.close())

async function postRefresh(query = '?wait=true') {
  const started = Date.now()
  const res = await fetch(`${stack.url}/api/refresh${query}`, { method: 'POST' })
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Json,
    elapsedMs: Date.now() - started,
  }
}

describe('refresh during an outage', () => {
  let opened: Awaited<ReturnType<typeof postRefresh>>

  it('stops when the circuit opens and answers 503 with the circuit and the next probe', async () => {
    stack.sim.addFault({ id: 'down', kind: 'outage', mode: 'status' })
    opened = await postRefresh()
    expect(opened.status, JSON.stringify(opened.body)).toBe(503)
    expect(opened.body.error.code).toBe('CIRCUIT_OPEN')
    expect(opened.body.error.message).toMatch(/next probe at/)
    const circuit = opened.body.error.details.circuit as Json
    expect(circuit.state).toBe('open')
    const probeAt = Date.parse(circuit.nextProbeAt)
    expect(probeAt).not.toBeNaN()
    expect(Number(opened.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(Number(opened.retryAfter)).toBeLessThanOrEqual(Math.ceil(OPEN_MS / 1000))
    // Waiting on the circuit, the patient retries would have kept it at least (30 − 3) open
    // periods of 3 s: 81 s. Half of that leaves any loaded machine its delay.
    expect(opened.elapsedMs).toBeLessThan(((PATIENT_RETRY.maxAttempts - 3) * OPEN_MS) / 2)
    const state = (await stack.api<Json>('GET', '/api/refresh')).body
    expect(state.state).toBe('idle')
    expect(state.last.status).toBe('failed')
    expect(state.last.circuit.nextProbeAt).toBe(circuit.nextProbeAt)
    // Nothing was written for the refresh that stopped.
    expect((await stack.api('GET', '/api/snapshots/current')).status).toBe(404)
  })

  it('does not start while the circuit is open, with or without wait', async () => {
    const sent = requestLog(stack).length
    for (const query of ['?wait=true', '']) {
      const again = await postRefresh(query)
      expect(again.status).toBe(503)
      expect(again.body.error.details.circuit).toMatchObject({
        state: 'open',
        nextProbeAt: opened.body.error.details.circuit.nextProbeAt,
      })
    }
    // Not even waiting for the probe: the answers above name the same open circuit and its
    // probe (a call that waited would have found it half-open and sent the probe).
    expect(requestLog(stack).length).toBe(sent)
  })

  it('runs again once the probe is due and the upstream is back', async () => {
    stack.sim.clearFaults()
    // A client honouring Retry-After: the first call after it is the probe, and it succeeds.
    let answer = opened
    for (let tries = 0; answer.status === 503 && tries < 10; tries++) {
      await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfter) * 1000))
      answer = await postRefresh()
    }
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.status).toBe('written')
    expect((await stack.api<Json>('GET', '/api/health')).body.upstream.circuit.state).toBe('closed')
  }, 30_000)
})
