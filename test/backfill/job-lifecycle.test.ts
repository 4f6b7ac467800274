import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/server/config.ts'
import { createServices } from '../../src/server/compose.ts'
import { createSilentLogger } from '../../src/server/logger.ts'
import { startStack, type Stack } from '../helpers/stack.ts'

let stack: Stack | null = null
afterEach(async () => {
  await stack?.close()
  stack = null
})

const DAY = 86_400_000

describe('job records', () => {
  it('removes finished jobs older than the retention, keeps younger ones and their files', async () => {
    let nowMs = Date.parse('2026-11-29T12:00:00Z')
    stack = await startStack({ env: { JOB_RETENTION_DAYS: '7' }, overrides: { now: () => nowMs } })
    const svc = stack.server.services.backfills
    const first = await svc.initiate(
      { startDate: '2026-11-01', targetDistricts: ['61'] },
      { kind: 'global' },
    )
    await svc.idle()
    nowMs += 5 * DAY
    const second = await svc.initiate(
      { startDate: '2026-11-02', targetDistricts: ['61'] },
      { kind: 'global' },
    )
    await svc.idle()
    if (first.kind !== 'started' || second.kind !== 'started') throw new Error('expected jobs')
    const jobsDir = path.join(stack.dataDir, 'jobs')
    expect((await readdir(jobsDir)).sort()).toEqual(
      [`${first.job.backfillId}.jsonl`, `${second.job.backfillId}.jsonl`].sort(),
    )

    nowMs += 3 * DAY // first ended 8 days ago, second 3 days ago
    expect(await svc.cleanupOldJobs()).toEqual([first.job.backfillId])
    await expect(svc.get(first.job.backfillId)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' })
    expect((await svc.get(second.job.backfillId)).status).toBe('complete')
    expect(await readdir(jobsDir)).toEqual([`${second.job.backfillId}.jsonl`])
  })

  it('moves current.json forward onto the newest complete snapshot a backfill wrote', async () => {
    stack = await startStack()
    const svc = stack.server.services.backfills
    await svc.initiate(
      { startDate: '2026-11-01', endDate: '2026-11-03', targetDistricts: ['61'] },
      { kind: 'global' },
    )
    await svc.idle()
    expect((await stack.api<{ asOf: string }>('GET', '/api/snapshots/current')).body.asOf).toBe(
      '2026-11-03',
    )
    await svc.initiate({ startDate: '2026-10-01', targetDistricts: ['61'] }, { kind: 'global' })
    await svc.idle()
    expect((await stack.server.services.store.getCurrent())?.asOf).toBe('2026-11-03')
  })

  it('keeps job history, start time and totals across a restart', async () => {
    stack = await startStack()
    const svc = stack.server.services.backfills
    const started = await svc.initiate(
      { startDate: '2026-11-01', endDate: '2026-11-02', targetDistricts: ['61', '21'] },
      { kind: 'global' },
    )
    await svc.idle()
    if (started.kind !== 'started') throw new Error('expected a job')
    const before = await svc.get(started.job.backfillId)
    await stack.server.services.backfills.close()

    const config = loadConfig({
      DATA_DIR: stack.dataDir,
      TOASTMASTERS_DASHBOARD_URL: stack.sim.url,
    })
    const again = await createServices(config, createSilentLogger())
    try {
      await again.start()
      const after = await again.backfills.get(started.job.backfillId)
      expect(after).toMatchObject({
        status: 'complete',
        createdAt: before.createdAt,
        completedAt: before.completedAt,
        snapshotIds: before.snapshotIds,
      })
      expect(after.progress).toMatchObject({ total: 4, completed: 4, failed: 0 })
      expect((await again.backfills.list({ limit: 10, offset: 0 })).total).toBe(1)
    } finally {
      await again.close()
    }
  })
})
