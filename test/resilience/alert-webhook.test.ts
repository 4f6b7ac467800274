/**
 * Alerts reach ALERT_WEBHOOK_URL as JSON (a job ending partial_success, the circuit opening and
 * closing), and a receiver that is down for a moment still gets each alert, by bounded retries.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitFor, waitForJob, type Json } from '../helpers/jobs.ts'
import { startResilienceStack } from './resilience-harness.ts'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts'

let stack: Stack
let receiver: WebhookReceiver
afterEach(async () => {
  await stack.close()
  await receiver.close()
})

async function startAlertingStack(failFirst: number): Promise<void> {
  receiver = await startWebhookReceiver({ failFirst })
  stack = await startResilienceStack({
    env: {
      UPSTREAM_MAX_REQUESTS: '0',
      ALERT_WEBHOOK_URL: receiver.url,
      CIRCUIT_FAILURE_THRESHOLD: '3',
      CIRCUIT_OPEN_MS: '300',
    },
  })
  await configureDistricts(stack, ['21', '61'])
}

/** A job with one district-date that always answers an error page: partial_success. */
async function runPartialJob(): Promise<string> {
  stack.sim.addFault({
    kind: 'html-error',
    match: { report: 'clubperformance', districtId: '21', asOf: '2026-11-02' },
  })
  const job = await startJob(stack, {
    startDate: '2026-11-02',
    endDate: '2026-11-03',
    collectionType: 'per-district',
  })
  expect((await waitForJob(stack, job.backfillId)).status).toBe('partial_success')
  return job.backfillId
}

const postedOfKind = (kind: string) =>
  receiver.posts.filter((p) => (p.body as Json | undefined)?.kind === kind)

describe('alert webhook', () => {
  it('receives a partial_success job and the circuit opening and closing as JSON', async () => {
    await startAlertingStack(0)
    const backfillId = await runPartialJob()
    const [partial] = await waitFor('the partial_success alert', () => {
      const posts = postedOfKind('job:partial_success')
      return posts.length > 0 && posts
    })
    expect(partial?.contentType).toMatch(/^application\/json/)
    expect(partial?.body).toMatchObject({
      kind: 'job:partial_success',
      severity: 'warning',
      details: { backfillId, failed: 1, completed: 3, total: 4 },
    })
    expect(partial?.body).toHaveProperty('id')
    expect(partial?.body).toHaveProperty('message')
    expect(Date.parse((partial!.body as Json).at)).not.toBeNaN()

    stack.sim.clearFaults()
    stack.sim.addFault({ kind: 'outage', mode: 'status' })
    await stack.api('POST', '/api/refresh?wait=true')
    const [open] = await waitFor('the circuit:open alert', () => {
      const posts = postedOfKind('circuit:open')
      return posts.length > 0 && posts
    })
    expect(open?.body).toMatchObject({ kind: 'circuit:open', severity: 'critical' })
    expect((open!.body as Json).details.host).toBe(new URL(stack.sim.url).host)

    stack.sim.clearFaults()
    // Until the circuit's probe is due, a refresh is refused at once (503 CIRCUIT_OPEN, with the
    // probe time); the first one after it probes the healed upstream and closes the circuit.
    let refresh = await stack.api<Json>('POST', '/api/refresh?wait=true')
    for (let i = 0; i < 20 && refresh.status === 503; i++) {
      expect(refresh.body.error.code).toBe('CIRCUIT_OPEN')
      const probeAt = Date.parse(refresh.body.error.details.circuit.nextProbeAt as string)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, probeAt - Date.now()) + 20))
      refresh = await stack.api<Json>('POST', '/api/refresh?wait=true')
    }
    expect(refresh.status).toBe(200)
    expect(refresh.body.status).toBe('written')
    await waitFor('the circuit:closed alert', () => postedOfKind('circuit:closed').length > 0)

    await stack.server.services.alerts.settle()
    const alerts = (await stack.api<Json>('GET', '/api/alerts')).body.alerts as Json[]
    expect(alerts.length).toBe(receiver.posts.length)
    for (const a of alerts) expect(a.delivery).toMatchObject({ state: 'delivered', attempts: 1 })
  })

  it('delivers on the third attempt to a receiver that answers 500 twice', async () => {
    await startAlertingStack(2)
    await runPartialJob()
    await waitFor('three deliveries', () => receiver.posts.length >= 3)
    await stack.server.services.alerts.settle()

    expect(receiver.posts.map((p) => p.status)).toEqual([500, 500, 200])
    const ids = receiver.posts.map((p) => (p.body as Json).id)
    expect(new Set(ids).size).toBe(1)
    expect((receiver.posts[2]!.body as Json).kind).toBe('job:partial_success')
    const alerts = (await stack.api<Json>('GET', '/api/alerts')).body.alerts as Json[]
    expect(alerts).toHaveLength(1)
    expect(alerts[0]?.delivery).toEqual({ state: 'delivered', attempts: 3, lastError: 'HTTP 500' })
  })
})
