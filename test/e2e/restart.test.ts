/**
 * Restart safety (docs/architecture.md#the-job-model, event log): the server is SIGKILLed in the middle of a
 * backfill, more than once; each time `verify` passes on what it left, the restarted server
 * resumes the job by itself, and no cell stored before a kill is fetched again after it.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/sim/index.ts'
import { INTERRUPTED_WRITE_CODES, verify } from '../../src/server/storage/index.ts'
import { startCli, stop } from '../helpers/cli.ts'
import { waitFor, type Json } from '../helpers/jobs.ts'

let sim: Simulator
let dataDir: string
let server: { child: ChildProcess; url: string } | null = null

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const args = [
    'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--dashboard-url',
    sim.url,
    '--max-requests',
    '0',
    '--max-concurrent',
    '3',
    '--log-level',
    'warn',
  ]
  const { child, match } = await startCli(args, /listening on (http:\/\/\S+)/)
  return { child, url: match[1] ?? '' }
}

async function getJob(url: string, id: string): Promise<Json> {
  return (await (await fetch(`${url}/api/districts/backfill/${id}`)).json()) as Json
}

/** Cells (date|district) whose district file is listed in a manifest on disk right now. */
async function storedCells(): Promise<Set<string>> {
  const out = new Set<string>()
  const root = path.join(dataDir, 'snapshots')
  for (const date of await readdir(root).catch(() => [] as string[])) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) continue
    const manifest = JSON.parse(
      await readFile(path.join(root, date, 'manifest.json'), 'utf8').catch(() => '{}'),
    ) as Json
    for (const id of Object.keys(manifest.districts ?? {})) out.add(`${date}|${id}`)
  }
  return out
}

/** The (date|district) a per-district report request was for, or null for other requests. */
function cellOf(url: string): string | null {
  const report = new URL(url, 'http://x').searchParams.get('report') ?? ''
  const [name, district, , asOf] = report.split('~')
  if (name !== 'clubperformance' || !district || !asOf) return null
  const [m, d, y] = asOf.split('/')
  return `${y}-${m?.padStart(2, '0')}-${d?.padStart(2, '0')}|${district}`
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-restart-'))
  sim = await startSimulator({
    seed: 11,
    today: '2026-11-29',
    faults: [{ kind: 'latency', ms: 40 }],
  })
}, 30_000)

afterAll(async () => {
  if (server) await stop(server.child, 'SIGKILL')
  await sim.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('a backfill survives SIGKILL of the server', () => {
  it('resumes after each kill, completes with correct totals, never refetches a stored cell', async () => {
    server = await startServer()
    await fetch(`${server.url}/api/districts`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ districts: ['21', '61'] }),
    })
    const started = (await (
      await fetch(`${server.url}/api/districts/backfill`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          startDate: '2026-10-01',
          endDate: '2026-10-12',
          collectionType: 'per-district',
          concurrency: 2,
          skipExisting: false,
        }),
      })
    ).json()) as Json
    const id = started.backfillId as string
    const total = started.progress.total as number
    expect(total).toBe(24)

    // Kill at several points: early, while cells are being written, later on.
    for (const killAfter of [1, 7, 15]) {
      const url = server.url
      await waitFor(
        `${killAfter} cells`,
        async () => (await getJob(url, id)).progress.completed >= killAfter,
        30_000,
      )
      await stop(server.child, 'SIGKILL')
      server = null
      const killedAt = Date.now()
      const stored = await storedCells()
      const report = await verify({ dataDir })
      // Only what an interrupted write leaves (swept at start-up); never a torn snapshot.
      const damage = report.problems.filter((p) => !INTERRUPTED_WRITE_CODES.includes(p.code))
      expect(damage, JSON.stringify(report.problems)).toEqual([])

      server = await startServer()
      const resumedUrl = server.url
      const resumed = await getJob(resumedUrl, id)
      expect(resumed.createdAt).toBe(started.createdAt)
      expect(['processing', 'complete']).toContain(resumed.status)
      // Check the no-refetch rule once this run has moved on.
      await waitFor(
        'progress after restart',
        async () =>
          (await getJob(resumedUrl, id)).progress.completed > killAfter ||
          (await getJob(resumedUrl, id)).status === 'complete',
        30_000,
      )
      const refetched = sim
        .requestLog()
        .filter((e) => Date.parse(e.time) > killedAt)
        .map((e) => cellOf(e.url))
        .filter((c): c is string => c !== null && stored.has(c))
      expect(refetched, 'cells fetched again after they were stored').toEqual([])
    }

    const url = server?.url ?? ''
    const final = await waitFor(
      'job end',
      async () => {
        const j = await getJob(url, id)
        return j.status === 'complete' || j.status === 'error' || j.status === 'partial_success'
          ? j
          : null
      },
      60_000,
    )
    expect(final.status).toBe('complete')
    expect(final.progress).toMatchObject({ total: 24, completed: 24, failed: 0 })
    expect(final.snapshotIds).toHaveLength(12)
    expect((await storedCells()).size).toBe(24)
    const finalReport = await verify({ dataDir })
    expect(finalReport.problems).toEqual([])
  }, 120_000)
})
