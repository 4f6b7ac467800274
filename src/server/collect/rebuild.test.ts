import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../../test/helpers/stack.ts'
import { createSilentLogger } from '../logger.ts'
import { verify } from '../storage/index.ts'
import { rebuildFromCache } from './rebuild.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
  await stack.api('PUT', '/api/districts', { districts: ['21', '61'] })
})
afterAll(async () => {
  await stack.close()
})

describe('rebuildFromCache', () => {
  it('re-derives deleted snapshots from the raw CSV cache with zero upstream requests', async () => {
    const latest = stack.sim.truth.latestAsOf()
    await stack.api('POST', '/api/refresh?wait=true')
    const before = await stack.server.services.store.readDistrict(latest, '61')
    await rm(path.join(stack.dataDir, 'snapshots'), { recursive: true })
    await rm(path.join(stack.dataDir, 'current.json'))
    const requestsBefore = stack.sim.requestLog().length
    const s = stack.server.services
    const result = await rebuildFromCache({
      ...s,
      logger: createSilentLogger(),
      now: Date.now,
      toolVersion: 'test',
      from: latest,
      to: latest,
    })
    expect(stack.sim.requestLog().length).toBe(requestsBefore)
    expect(result.dates).toEqual([
      {
        asOf: latest,
        dataMonth: expect.stringMatching(/^\d{4}-\d{2}$/),
        full: ['21', '61'],
        summary: [],
        failed: [],
        skipped: [],
      },
    ])
    const after = await s.store.readDistrict(latest, '61')
    expect(after?.statistics).toEqual(before?.statistics)
    expect(after?.provenance.sources.every((p) => p.fromCache)).toBe(true)
    expect((await verify({ dataDir: stack.dataDir })).ok).toBe(true)
  })
})
