/**
 * PostgreSQL goes away for 30 s mid-job (its postmaster stopped with `pg_ctl stop -m fast`, then
 * started again): the server neither crashes nor sends the upstream a request without a budget
 * grant while the database is gone (no budget = no request), says so in GET /api/health, and
 * resumes by itself when the database is back: the job completes, and alerts raised during the
 * outage are in the alert list afterwards (one per key). Its own cluster, since the run's shared
 * one must stay up for the other files.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Alert } from '../../src/server/alerts/index.ts'
import type { HealthView } from '../../src/shared/api-schemas.ts'
import { startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts'
import { configureDistricts, startJob, waitFor, waitForJob } from '../helpers/jobs.ts'
import type { Stack } from '../helpers/stack.ts'
import { startAnchoredStack } from '../helpers/jobs.ts'
import { FAST_RETRY } from './resilience-harness.ts'

const OUTAGE_MS = 30_000
/** A request granted just before the shutdown may still be on its way when the halt returns. */
const IN_FLIGHT_SLACK_MS = 100

let cluster: PgCluster
let stack: Stack

beforeAll(async () => {
  cluster = await startPgCluster()
  stack = await startAnchoredStack(FAST_RETRY, {
    env: {
      DATABASE_URL: cluster.adminUrl,
      UPSTREAM_MAX_REQUESTS: '1',
      UPSTREAM_WINDOW_MS: '1000',
    },
  })
  await configureDistricts(stack, ['09', '21', '61'])
}, 60_000)

afterAll(async () => {
  await stack?.close()
  await cluster?.stop()
})

const health = async () => (await stack.api<HealthView>('GET', '/api/health')).body
/**
 * Grants not given back. A grant whose send slot passed before its request could claim it (on a
 * loaded machine) is given back and asked for again: it stands for no request (pg-budget.ts).
 */
const grantCount = async () => {
  const pool = stack.server.services.pgPoliteness?.pool
  if (!pool) throw new Error('the stack is not in PostgreSQL mode')
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM upstream_grants WHERE released_at IS NULL',
  )
  return rows[0]?.n ?? 0
}
const arrivals = () =>
  stack.sim.requestLog().map((e) => ({ at: Date.parse(e.receivedTime), url: e.url }))

it('pauses while the database is gone for 30 s, says so, and resumes by itself', async () => {
  expect((await health()).database).toEqual({
    reachable: true,
    unreachableSince: null,
    lastError: null,
    paused: false,
  })
  stack.sim.clearLog()
  const grantsBefore = await grantCount()
  // The live status, one summary and three reports per district: 11 requests at one per second.
  const job = await startJob(stack, { startDate: '2026-11-03', collectionType: 'per-district' })
  await waitFor('three requests at the simulator', () => arrivals().length >= 3)
  const haltAsked = Date.now()
  await cluster.halt()
  const halted = Date.now()

  const during = await waitFor(
    'health to report the database unreachable',
    async () => {
      const h = await health()
      return h.database?.reachable === false ? h : undefined
    },
    10_000,
  )
  expect(during.status).toBe('degraded')
  expect(during.database).toMatchObject({ reachable: false, paused: true })
  expect(Date.parse(during.database?.unreachableSince ?? '')).toBeGreaterThan(0)
  expect(during.database?.lastError?.message).toEqual(expect.any(String))
  // The job lives in the database: while it is gone the API says so, it does not guess.
  const unreachable = await stack.api<{ error: { code: string } }>(
    'GET',
    `/api/districts/backfill/${job.backfillId}`,
  )
  expect(unreachable.status).toBe(503)
  expect(unreachable.body.error.code).toBe('STORAGE_IO')
  // Alerts raised now cannot be written: they wait in this process, the same key twice is one.
  const alerts = stack.server.services.alerts
  alerts.raise('job:error', 'critical', 'raised during the outage', { n: 1 }, 'outage:a')
  alerts.raise('job:error', 'critical', 'raised during the outage', { n: 2 }, 'outage:a')
  alerts.raise('district:failing', 'warning', 'also raised during the outage', {}, null)

  await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - haltAsked)))
  const resumeAt = Date.now()
  await cluster.resume()

  const done = await waitForJob(stack, job.backfillId, undefined, 60_000)
  expect(done.status).toBe('complete')
  const after = await health()
  expect(after.database).toMatchObject({ reachable: true, unreachableSince: null, paused: false })
  expect(after.database?.lastError?.message).toEqual(expect.any(String))
  const listed = (await stack.api<{ alerts: Alert[] }>('GET', '/api/alerts')).body.alerts
  const raisedDuring = listed.filter((a) => a.message.includes('during the outage'))
  expect(raisedDuring.map((a) => [a.kind, a.details])).toEqual([
    ['district:failing', {}],
    ['job:error', { n: 1 }],
  ])

  const log = arrivals()
  const duringOutage = log.filter((a) => a.at > halted + IN_FLIGHT_SLACK_MS && a.at < resumeAt)
  expect(duringOutage, `outage ${halted}..${resumeAt}`).toEqual([])
  expect(log.filter((a) => a.at >= resumeAt).length).toBeGreaterThan(0)
  // Every request the simulator saw was granted by the database first, one grant each.
  expect(await grantCount()).toBe(grantsBefore + log.length)
}, 120_000)
