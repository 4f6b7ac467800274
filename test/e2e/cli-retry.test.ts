/**
 * `tm-backfill retry <jobId>` as cron would run it: a child process without a TTY, at the
 * default rate limit, finishing the cells a cancelled job left and exiting like `backfill`.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../src/server/compose.ts'
import { loadConfig } from '../../src/server/config.ts'
import { createSilentLogger } from '../../src/server/logger.ts'
import { createFileSnapshotStore } from '../../src/server/storage/index.ts'
import { startSimulator, type Simulator } from '../../src/sim/index.ts'
import { runCli } from '../helpers/cli.ts'

const DATE = '2026-10-06'

let sim: Simulator
let dataDir: string
let cancelledId: string

/** A job cancelled while district 61 was in flight, recorded in dataDir by an earlier process. */
async function leaveCancelledJob(): Promise<string> {
  const config = loadConfig({
    DATA_DIR: dataDir,
    TOASTMASTERS_DASHBOARD_URL: sim.url,
    UPSTREAM_MAX_REQUESTS: '0',
  })
  const services = createServices(config, createSilentLogger())
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

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, today: '2026-11-29' })
  dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-cli-retry-'))
  cancelledId = await leaveCancelledJob()
}, 60_000)

afterAll(async () => {
  await sim.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('tm-backfill retry', () => {
  it('finishes the remaining cells of a cancelled job and exits 0 with its summary', async () => {
    sim.clearLog()
    const r = await runCli([
      'retry',
      cancelledId,
      '--data-dir',
      dataDir,
      '--dashboard-url',
      sim.url,
    ])
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      new RegExp(
        `\\(retry of ${cancelledId}\\): complete — 1 completed, 0 skipped, 0 unavailable, 0 failed of 1 cells; 1 snapshots written`,
      ),
    )
    expect(r.stdout).toMatch(/^61\s+completed\s+1\/1/m)
    const asked = sim
      .requestLog()
      .filter((e) => e.url.includes('export.aspx') && e.url.includes('performance~'))
    expect(asked.length).toBe(3)
    expect(asked.every((e) => e.url.includes('~61~'))).toBe(true)
    const store = createFileSnapshotStore({ dataDir, toolVersion: 'test' })
    expect(await store.readMetadata(DATE)).toMatchObject({
      status: 'complete',
      failedDistricts: [],
    })
    expect((await store.getCurrent())?.asOf).toBe(DATE)
  }, 60_000)

  it('names an unknown job and exits 1 without a stack trace', async () => {
    const r = await runCli(['retry', 'bf_nope', '--data-dir', dataDir, '--dashboard-url', sim.url])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('no backfill job bf_nope')
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/)
  }, 30_000)
})
