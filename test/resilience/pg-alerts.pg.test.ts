/**
 * Alerts in PostgreSQL mode: two API processes (two servers on one database) answer GET
 * /api/alerts the same, an event both raise (same key) is one alert, delivered to the webhook once,
 * and its delivery state is visible from either.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Alert } from '../../src/server/alerts/index.ts'
import { startAnchoredStack, waitFor } from '../helpers/jobs.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/pg-database.ts'
import type { Stack } from '../helpers/stack.ts'
import { FAST_RETRY } from './resilience-harness.ts'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts'

let db: TestDatabase
let hook: WebhookReceiver
const stacks: Stack[] = []

beforeAll(async () => {
  db = await createTestDatabase('alerts')
  hook = await startWebhookReceiver()
  const env = { DATABASE_URL: db.url, ALERT_WEBHOOK_URL: hook.url }
  // One after the other: the second finds the schema migrated.
  stacks.push(await startAnchoredStack(FAST_RETRY, { env }))
  stacks.push(await startAnchoredStack(FAST_RETRY, { env }))
}, 60_000)

afterAll(async () => {
  for (const s of stacks) await s.close()
  await hook?.close()
  await db?.drop()
})

const list = async (stack: Stack, query = '') =>
  (await stack.api<{ alerts: Alert[] }>('GET', `/api/alerts${query}`)).body.alerts

it('one alert per event across processes, the same list from each, one webhook delivery', async () => {
  const [a, b] = stacks as [Stack, Stack]
  const details = { backfillId: 'bf_1', failed: 2, completed: 8, total: 10 }
  for (const s of [a, b]) {
    s.server.services.alerts.raise(
      'job:partial_success',
      'warning',
      'backfill bf_1 partially succeeded: 2 of 10 cells failed',
      details,
      'job:partial_success:bf_1',
    )
  }
  b.server.services.alerts.raise('job:error', 'critical', 'backfill bf_2 ended in error', {}, null)
  await Promise.all(stacks.map((s) => s.server.services.alerts.settle()))

  const fromA = await list(a)
  expect(fromA.map((x) => x.kind)).toEqual(['job:error', 'job:partial_success'])
  expect(await list(b)).toEqual(fromA)
  expect(await list(a, '?severity=critical')).toEqual([fromA[0]])
  expect(fromA[1]).toMatchObject({ details, delivery: { state: 'delivered', attempts: 1 } })
  await waitFor('two webhook posts', () => hook.posts.length >= 2)
  expect(hook.posts.map((p) => (p.body as Alert).kind).sort()).toEqual([
    'job:error',
    'job:partial_success',
  ])
})
