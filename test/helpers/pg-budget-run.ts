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

export async function runBudgetChild(
  env: {
    databaseUrl: string
    targetUrl: string
    count: number
    lane: string
    max: number
    windowMs: number
  },
  extra: Record<string, string> = {},
): Promise<ChildLine[]> {
  const script = await compiledChild(CHILD)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: {
        ...process.env,
        DATABASE_URL: env.databaseUrl,
        TARGET_URL: env.targetUrl,
        COUNT: String(env.count),
        LANE: env.lane,
        MAX_REQUESTS: String(env.max),
        WINDOW_MS: String(env.windowMs),
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${env.lane} exited ${code}: ${err}`))
      resolve(
        out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as ChildLine),
      )
    })
  })
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
