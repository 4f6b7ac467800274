/**
 * Runs the shared-budget child (test/helpers/pg-budget-child.ts) as an OS process and reads the
 * grants the database recorded, for the PostgreSQL budget tests in test/resilience/.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { PgPool } from '../../src/server/pg/pool.ts'
import { compiledChild } from './compiled-child.ts'

const CHILD = fileURLToPath(new URL('./pg-budget-child.ts', import.meta.url))

export type ChildLine =
  | { start: number; lane: string; i: number }
  | { refreshAsked: number }
  | { done: string; latencies: number[]; givenBack: { expired: number; unused: number } }

export interface BudgetChild {
  databaseUrl: string
  targetUrl: string
  count: number
  lane: string
  max: number
  windowMs: number
  /** More environment for the child (REFRESH_AFTER_MS). */
  extra?: Record<string, string>
}

/**
 * Runs the children in lockstep: each connects and says it is ready, and only when all are does
 * any of them start sending. How long a Node process takes to start (seconds apart on a loaded
 * machine) then decides nothing: all of them have their whole work waiting from the same moment.
 * Resolves with each child's lines (the ready line left out), in the order given.
 */
export async function runBudgetChildren(children: BudgetChild[]): Promise<ChildLine[][]> {
  const script = await compiledChild(CHILD)
  const procs = children.map((c) => {
    const child = spawn(process.execPath, [script], {
      env: {
        ...process.env,
        DATABASE_URL: c.databaseUrl,
        TARGET_URL: c.targetUrl,
        COUNT: String(c.count),
        LANE: c.lane,
        MAX_REQUESTS: String(c.max),
        WINDOW_MS: String(c.windowMs),
        ...c.extra,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    let markReady: () => void = () => {}
    const ready = new Promise<void>((resolve) => (markReady = resolve))
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('{"ready":')) markReady()
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const lines = new Promise<ChildLine[]>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', (code) => {
        if (code !== 0) return reject(new Error(`${c.lane} exited ${code}: ${err}`))
        resolve(
          out
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as ChildLine | { ready: string })
            .filter((l): l is ChildLine => !('ready' in l)),
        )
      })
    })
    return { child, ready, lines }
  })
  const all = Promise.all(procs.map((p) => p.lines))
  // A child that dies before it is ready rejects `all`: do not wait for the others forever.
  await Promise.race([Promise.all(procs.map((p) => p.ready)), all])
  for (const { child } of procs) child.stdin.end('go\n')
  return all
}

export interface GrantRow {
  at: number
  sent: number | null
  released: boolean
  /** When a grant given back was released (its slot free again), on the database's clock. */
  releasedAt: number | null
  lane: string
  process: string
  effectiveMax: number | null
}

export async function grantRows(p: PgPool): Promise<GrantRow[]> {
  const { rows } = await p.query<{
    at: string
    sent: string | null
    released: boolean
    released_ms: string | null
    lane: string
    process: string
    effective_max: number | null
  }>(
    `SELECT (extract(epoch FROM at) * 1000)::text AS at,
            (extract(epoch FROM sent_at) * 1000)::text AS sent,
            released_at IS NOT NULL AS released,
            (extract(epoch FROM released_at) * 1000)::text AS released_ms, lane, process, effective_max
     FROM upstream_grants ORDER BY at`,
  )
  return rows.map((r) => ({
    at: Number(r.at),
    sent: r.sent === null ? null : Number(r.sent),
    released: r.released,
    releasedAt: r.released_ms === null ? null : Number(r.released_ms),
    lane: r.lane,
    process: r.process,
    effectiveMax: r.effective_max,
  }))
}
