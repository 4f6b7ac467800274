/**
 * The circuit shared by processes, on a real PostgreSQL: two breakers with their own pools are two
 * processes' views of one host. Failures in both count together; the circuit opens once (one
 * `onChange`, hence one alert), the other process then waits at its next check; after openMs
 * exactly one of them gets the probe; its success closes the circuit once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/pg-database.ts'
import type { CircuitStatus } from '../politeness/index.ts'
import { migrate } from './migrate.ts'
import { createPgCircuit, type PgCircuit } from './pg-circuit.ts'
import { createPgPool, type PgPool } from './pool.ts'

let db: TestDatabase
const pools: PgPool[] = []
const circuits: PgCircuit[] = []

beforeAll(async () => {
  db = await createTestDatabase('circuit')
  const p = createPgPool({ databaseUrl: db.url, max: 2 })
  pools.push(p)
  await migrate(p)
})

afterAll(async () => {
  for (const c of circuits) c.stop()
  for (const p of pools) await p.end()
  await db?.drop()
})

function processView(name: string, changes: string[]) {
  const pool = createPgPool({ databaseUrl: db.url, max: 2 })
  pools.push(pool)
  const breaker = createPgCircuit({
    pool,
    host: 'up.example',
    failureThreshold: 4,
    openMs: 300,
    watchMs: 100,
  })
  circuits.push(breaker)
  breaker.onChange((s: CircuitStatus) => changes.push(`${name}:${s.state}`))
  return breaker
}

it('opens once for failures of two processes, stops both, probes once, closes once', async () => {
  const changes: string[] = []
  const a = processView('a', changes)
  const b = processView('b', changes)
  expect(await a.check()).toEqual({ decision: 'go' })
  await a.onFailure('HTTP 503')
  await b.onFailure('HTTP 503')
  await a.onFailure('HTTP 503')
  expect(await b.check()).toEqual({ decision: 'go' })
  await b.onFailure('HTTP 502')
  expect(changes).toEqual(['b:open'])
  // a learns of it without asking, within its watch (100 ms here): its waiting requests stop.
  await waitUntil(() => a.status().state === 'open', 5000)
  // A concurrent failure after the opening does not open it again.
  await a.onFailure('HTTP 503')
  expect(changes).toEqual(['b:open'])
  const waiting = await a.check()
  expect(waiting).toMatchObject({ decision: 'wait', reason: 'HTTP 503' })
  expect(a.status()).toMatchObject({ state: 'open', consecutiveFailures: 5 })

  await new Promise((r) => setTimeout(r, 350))
  const [ca, cb] = await Promise.all([a.check(), b.check()])
  expect([ca.decision, cb.decision].sort()).toEqual(['go', 'wait'])
  const prober = ca.decision === 'go' ? a : b
  const other = prober === a ? b : a
  expect(await other.check()).toMatchObject({ decision: 'wait' })
  await prober.onSuccess()
  expect(changes.filter((c) => c.endsWith(':closed'))).toHaveLength(1)
  expect(await other.check()).toEqual({ decision: 'go' })
  await other.onSuccess()
  expect(changes.filter((c) => c.endsWith(':closed'))).toHaveLength(1)
  expect(changes.filter((c) => c.endsWith(':open'))).toHaveLength(1)
}, 30_000)

it('a failed probe opens it again, once', async () => {
  const changes: string[] = []
  const pool = createPgPool({ databaseUrl: db.url, max: 2 })
  pools.push(pool)
  const c = createPgCircuit({ pool, host: 'probe.example', failureThreshold: 1, openMs: 100 })
  circuits.push(c)
  c.onChange((s) => changes.push(s.state))
  await c.onFailure('timeout')
  await new Promise((r) => setTimeout(r, 150))
  expect(await c.check()).toEqual({ decision: 'go' })
  await c.onFailure('timeout again')
  expect(changes).toEqual(['open', 'half-open', 'open'])
  expect(c.status()).toMatchObject({ state: 'open', reason: 'timeout again' })
}, 30_000)

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
