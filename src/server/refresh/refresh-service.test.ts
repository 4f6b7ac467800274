import { afterEach, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../../test/helpers/stack.ts'
import type { ServiceOverrides } from '../compose.ts'

let stack: Stack | null = null
afterEach(async () => {
  await stack?.close()
  stack = null
})

const FAST_RETRIES = { retryPolicy: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } }

/**
 * The refresh service against four simulated districts and the memory snapshot store: what it
 * decides (which districts, retries, partial snapshots, current) does not depend on how many
 * districts there are or where snapshots live (snapshot-store.contract.ts holds both stores to
 * one behaviour), and the default 23 districts on files cost several seconds of CPU.
 */
const SIM = { districts: ['09', '21', '61', 'F'] }
const start = (overrides: ServiceOverrides = {}) =>
  startStack({ sim: SIM, overrides: { ...FAST_RETRIES, memoryStorage: true, ...overrides } })

describe('refresh service', () => {
  it('keeps the other districts when one fails for good, and does not move current onto a partial snapshot', async () => {
    stack = await start()
    const s = stack.server.services
    await s.districtConfig.replace(['21', '61'])
    stack.sim.addFault({
      kind: 'server-error',
      status: 503,
      match: { report: 'divisionperformance', districtId: '61' },
    })
    const r = await s.refresh.refresh()
    expect(r.status).toBe('partial')
    expect(r.districts.written).toEqual(['21'])
    expect(r.districts.failed).toEqual([
      {
        districtId: '61',
        error: expect.objectContaining({
          code: 'UPSTREAM_HTTP',
          retryable: true,
          attempts: 3,
          httpStatus: 503,
        }),
      },
    ])
    expect(r.currentMoved).toBe(false)
    const meta = await s.store.readMetadata(r.asOf ?? '')
    expect(meta).toMatchObject({
      status: 'partial',
      failedDistricts: [expect.objectContaining({ districtId: '61' })],
    })
    // Three attempts were made for the failing report, no more.
    const hits = stack.sim.requestLog().filter((e) => e.url.includes('divisionperformance~61~'))
    expect(hits).toHaveLength(3)
  })

  it('retries a transient failure and completes', async () => {
    stack = await start()
    const s = stack.server.services
    await s.districtConfig.replace(['61'])
    stack.sim.addFault({ kind: 'reset', count: 1, match: { report: 'clubperformance' } })
    const r = await s.refresh.refresh()
    expect(r.status).toBe('written')
    expect(r.currentMoved).toBe(true)
    // The dated summary is asked for once (beside the root's, which tells the newest as-of): the
    // district file is built from the very body that is stored.
    const dated = stack.sim
      .requestLog()
      .filter((e) => /export\.aspx\?.*report=districtsummary~[^~]/.test(e.url) && e.status === 200)
    expect(dated.map((e) => e.url)).toHaveLength(1)
  })

  it('retries the lookup of the newest as-of when its first attempt fails', async () => {
    stack = await start()
    const s = stack.server.services
    await s.districtConfig.replace(['61'])
    stack.sim.addFault({
      kind: 'server-error',
      status: 503,
      firstAttempts: 1,
      match: { report: 'districtsummary' },
    })
    const r = await s.refresh.refresh()
    expect(r.status).toBe('written')
    expect(r.districts.written).toEqual(['61'])
    expect(stack.sim.requestLog().filter((e) => e.status === 503).length).toBeGreaterThan(0)
  })

  it('collects every district of the summary when none is configured', async () => {
    stack = await start()
    const s = stack.server.services
    const r = await s.refresh.refresh()
    const inSummary = stack.sim.truth.districtsFor(stack.sim.truth.liveProgramYear())
    expect([...r.districts.written].sort()).toEqual([...inSummary].sort())
  })

  it('joins a refresh already running instead of starting a second', async () => {
    stack = await start()
    const s = stack.server.services
    await s.districtConfig.replace(['61'])
    const [a, b] = [s.refresh.refresh(), s.refresh.refresh()]
    expect(a).toBe(b)
    await a
    expect(
      stack.sim.requestLog().filter((e) => e.url.includes('clubperformance~61~')),
    ).toHaveLength(1)
  })

  it('runs by itself on the configured interval', async () => {
    stack = await start({ refreshIntervalMs: 100 })
    const s = stack.server.services
    await s.districtConfig.replace(['61'])
    // Only a refresh that wrote moves current; this test calls none. Waiting for current rather
    // than for a `written` status: the next tick (100 ms on) reports `unchanged`, and a poll on a
    // loaded machine can miss the first one's. The deadline is a hang guard, below the test's.
    const deadline = Date.now() + 60_000
    while ((await s.store.getCurrent()) === null) {
      if (Date.now() > deadline) throw new Error('no automatic refresh happened')
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(s.refresh.status().last?.status).toMatch(/^(written|unchanged)$/)
    expect((await s.store.getCurrent())?.asOf).toBe(stack.sim.truth.latestAsOf())
  })
})
