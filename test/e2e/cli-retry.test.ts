/**
 * `tm-backfill retry <jobId>` as cron would run it: a child process without a TTY, at the
 * default rate limit and through first-attempt 503 and 429 answers, finishing the cells a
 * cancelled job left and exiting like `backfill`.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../src/server/compose.ts'
import { loadConfig } from '../../src/server/config.ts'
import { createSilentLogger } from '../../src/server/logger.ts'
import { createFileSnapshotStore } from '../../src/server/storage/index.ts'
import { startSimulator, type FaultRuleInput, type Simulator } from '../../src/sim/index.ts'
import { runCli } from '../helpers/cli.ts'

const DATE = '2026-10-06'

/** A job cancelled while district 61 was in flight, recorded in dataDir by an earlier process. */
async function leaveCancelledJob(sim: Simulator, dataDir: string): Promise<string> {
  const config = loadConfig({
    DATA_DIR: dataDir,
    TOASTMASTERS_DASHBOARD_URL: sim.url,
    UPSTREAM_MAX_REQUESTS: '0',
  })
  const services = await createServices(config, createSilentLogger())
  try {
    sim.addFault({ id: 'slow-61', kind: 'latency', ms: 10_000, match: { districtId: '61' } })
    const started = await services.backfills.initiate(
      { startDate: DATE, targetDistricts: ['02', '61'], collectionType: 'per-district' },
      { kind: 'global' },
    )
    if (started.kind !== 'started') throw new Error('expected a job')
    const id = started.job.backfillId
    await new Promise<void>((resolve) => {
      const stop = services.backfills.subscribe((state, event) => {
        if (state.backfillId !== id || event.type !== 'cell:completed') return
        stop()
        resolve()
      })
    })
    await services.backfills.cancel(id)
    await services.backfills.idle()
    return id
  } finally {
    await services.close()
    sim.clearFaults()
  }
}

/**
 * The unattended matrix for `retry`: the default budget (the 3 remaining requests need more than
 * one window of 2 requests/s), and first attempts answered 503 or 429 + Retry-After, one output
 * mode each.
 */
const CASES: Record<string, { faults: FaultRuleInput[]; output: string[] }> = {
  'the default rate limit, default output': { faults: [], output: [] },
  'a 503 on the first attempt of every URL, --json': {
    faults: [{ kind: 'server-error', status: 503, firstAttempts: 1 }],
    output: ['--json'],
  },
  'a 429 with Retry-After: 1 on the first attempt of every URL, --no-progress': {
    faults: [{ kind: 'rate-limit', retryAfterSeconds: 1, firstAttempts: 1 }],
    output: ['--no-progress'],
  },
}

interface Case {
  sim: Simulator
  dataDir: string
  cancelledId: string
}
const cases = new Map<string, Case>()

beforeAll(async () => {
  await Promise.all(
    Object.keys(CASES).map(async (name) => {
      const sim = await startSimulator({ seed: 3, today: '2026-11-29' })
      const dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-cli-retry-'))
      cases.set(name, { sim, dataDir, cancelledId: await leaveCancelledJob(sim, dataDir) })
    }),
  )
}, 90_000)

afterAll(async () => {
  for (const c of cases.values()) {
    await c.sim.close()
    await rm(c.dataDir, { recursive: true, force: true })
  }
})

describe('tm-backfill retry', () => {
  it.each(Object.keys(CASES))(
    'finishes the remaining cells of a cancelled job under %s and exits 0',
    { timeout: 90_000 },
    async (name) => {
      const { sim, dataDir, cancelledId } = cases.get(name)!
      const { faults, output } = CASES[name]!
      sim.clearLog()
      for (const f of faults) sim.addFault(f)
      // No --max-requests: the shipped default budget applies.
      const r = await runCli(
        ['retry', cancelledId, ...output, '--data-dir', dataDir, '--dashboard-url', sim.url],
        { UPSTREAM_MAX_REQUESTS: '', UPSTREAM_WINDOW_MS: '' },
      )
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/)
      expect(r.code, r.stderr).toBe(0)
      if (output.includes('--json')) {
        const job = JSON.parse(r.stdout) as {
          status: string
          retryOf: string
          snapshotIds: string[]
        }
        expect(job).toMatchObject({ status: 'complete', retryOf: cancelledId })
        expect(job.snapshotIds).toContain(DATE)
      } else {
        expect(r.stdout).toMatch(
          new RegExp(
            `\\(retry of ${cancelledId}\\): complete — 1 completed, 0 skipped, 0 unavailable, 0 failed of 1 cells; 1 snapshots written`,
          ),
        )
        expect(r.stdout).toMatch(/^61\s+completed\s+1\/1/m)
      }
      if (output.includes('--no-progress')) expect(r.stderr).not.toMatch(/cells \|/)
      const exports = sim.requestLog().filter((e) => e.url.includes('export.aspx'))
      const asked = exports.filter((e) => e.url.includes('performance~') && e.fault === null)
      expect(asked.length).toBe(3)
      expect(asked.every((e) => e.url.includes('~61~'))).toBe(true)
      if (faults.length > 0) expect(exports.some((e) => e.fault !== null)).toBe(true)
      const store = createFileSnapshotStore({ dataDir, toolVersion: 'test' })
      expect(await store.readMetadata(DATE)).toMatchObject({
        status: 'complete',
        failedDistricts: [],
      })
      expect((await store.getCurrent())?.asOf).toBe(DATE)
    },
  )

  it('names an unknown job and exits 1 without a stack trace', async () => {
    const { sim, dataDir } = [...cases.values()][0]!
    const r = await runCli(['retry', 'bf_nope', '--data-dir', dataDir, '--dashboard-url', sim.url])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('no backfill job bf_nope')
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/)
  }, 30_000)
})
