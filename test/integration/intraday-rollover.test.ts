/**
 * One as-of, two data months (docs/architecture.md#one-as-of-two-data-months): the simulator
 * (a real HTTP server on loopback) rolls over from February to March under the as-of 2026-03-05
 * during the day; the refresh before the switch stores February, the one after stores March
 * beside it, both stay readable and the default read answers March.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../../src/sim/index.ts'
import { rebuildFromCache } from '../../src/server/collect/index.ts'
import { verify } from '../../src/server/storage/verify.ts'
import { runCli } from '../helpers/cli.ts'
import { startStack, type Stack } from '../helpers/stack.ts'

const AS_OF = '2026-03-05'
const SIM = {
  today: '2026-03-06',
  districts: ['61', 'F'],
  closingDates: { '2026-02': AS_OF },
  rolloverAt: '12:00',
}

let stack: Stack | null = null
afterEach(async () => {
  await stack?.close()
  stack = null
})

describe('intraday rollover', () => {
  it('stores the morning month and the evening month of one as-of beside each other', async () => {
    let clock = Date.parse('2026-03-06T09:00:00Z')
    stack = await startStack({ sim: { ...SIM, now: () => clock } })
    const s = stack.server.services
    // 'ZZ9' is configured but not in the date's summary: a not-a-district, not "unavailable".
    await s.districtConfig.replace(['61', 'F', 'ZZ9'])

    const morning = await s.refresh.refresh()
    expect(morning).toMatchObject({ status: 'written', asOf: AS_OF, currentMoved: true })
    expect(morning.districts).toMatchObject({
      written: ['61', 'F'],
      unavailable: [],
      notADistrict: ['ZZ9'],
    })
    expect(await s.store.dataMonthsAt(AS_OF)).toEqual(['2026-02'])

    clock = Date.parse('2026-03-06T18:00:00Z')
    const evening = await s.refresh.refresh()
    expect(evening).toMatchObject({ status: 'written', asOf: AS_OF, currentMoved: true })
    expect(evening.districts.written).toEqual(['61', 'F'])
    expect(evening.restated).toEqual([])
    expect(await s.store.dataMonthsAt(AS_OF)).toEqual(['2026-02', '2026-03'])

    const again = await s.refresh.refresh()
    expect(again).toMatchObject({ status: 'unchanged', currentMoved: false })

    // Both months readable; the default (and current) is the later one.
    expect((await s.store.readDistrict(AS_OF, '61'))?.dataMonth).toBe('2026-03')
    expect((await s.store.readDistrict(AS_OF, '61', '2026-02'))?.dataMonth).toBe('2026-02')
    expect((await s.store.readAllDistricts(AS_OF, '2026-02'))?.dataMonth).toBe('2026-02')
    expect((await s.store.readMetadata(AS_OF, '2026-02'))?.status).toBe('complete')
    expect(await s.store.getCurrent()).toMatchObject({ asOf: AS_OF, dataMonth: '2026-03' })

    const current = await stack.api<{ asOf: string; metadata: { dataMonth: string } }>(
      'GET',
      '/api/snapshots/current',
    )
    expect(current.body).toMatchObject({ asOf: AS_OF, metadata: { dataMonth: '2026-03' } })
    const feb = await stack.api<{ metadata: { dataMonth: string } }>(
      'GET',
      `/api/snapshots/${AS_OF}?dataMonth=2026-02`,
    )
    expect(feb).toMatchObject({ status: 200, body: { metadata: { dataMonth: '2026-02' } } })
    const district = await stack.api<{ dataMonth: string }>(
      'GET',
      `/api/snapshots/${AS_OF}/districts/61?dataMonth=2026-02`,
    )
    expect(district.body.dataMonth).toBe('2026-02')
    const absent = await stack.api('GET', `/api/snapshots/${AS_OF}?dataMonth=2026-01`)
    expect(absent.status).toBe(404)
    const bad = await stack.api<{ error: { message: string } }>(
      'GET',
      `/api/snapshots/${AS_OF}?dataMonth=2026-3`,
    )
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toMatch(/dataMonth/)
    const coverage = await stack.api<{ dates: { asOf: string; dataMonths: string[] }[] }>(
      'GET',
      `/api/coverage?from=${AS_OF}&to=${AS_OF}`,
    )
    expect(coverage.body.dates[0]).toMatchObject({ dataMonths: ['2026-02', '2026-03'] })

    // The raw CSV cache keeps both months' bodies, each the one its district files name.
    for (const month of ['2026-02', '2026-03'] as const) {
      for (const id of ['61', 'F']) {
        const file = await s.store.readDistrict(AS_OF, id, month)
        expect(file?.dataMonth).toBe(month)
        const sources = file?.provenance.sources ?? []
        expect(sources.length).toBeGreaterThan(0)
        for (const source of sources) {
          const raw = await s.rawCache.get(AS_OF, source.report, source.districtId, month)
          expect(raw?.meta.footer?.dataMonth).toBe(month)
          expect(raw?.meta.sha256).toBe(source.sha256)
        }
      }
    }
    expect(
      (await s.rawCache.list(AS_OF))
        .filter((m) => m.report === 'districtsummary')
        .map((m) => m.footer?.dataMonth),
    ).toEqual(['2026-02', '2026-03'])

    const report = await verify({ dataDir: stack.dataDir })
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
    expect(report.checked.snapshots).toBe(2)
    expect(report.checked.rawBodies).toBe((await s.rawCache.list()).length)

    // rebuild re-derives each month from its own bodies, with no network.
    const requestsBefore = stack.sim.requestLog().length
    await rm(path.join(stack.dataDir, 'snapshots', AS_OF), { recursive: true })
    await rm(path.join(stack.dataDir, 'snapshots', `${AS_OF}_2026-03`), { recursive: true })
    const rebuilt = await rebuildFromCache({
      store: s.store,
      rawCache: s.rawCache,
      logger: s.logger,
      now: () => clock,
      toolVersion: 'test',
      from: AS_OF,
      to: AS_OF,
    })
    expect(rebuilt.dates).toEqual([
      {
        asOf: AS_OF,
        dataMonth: '2026-02',
        full: ['61', 'F'],
        summary: [],
        failed: [],
        skipped: [],
      },
      {
        asOf: AS_OF,
        dataMonth: '2026-03',
        full: ['61', 'F'],
        summary: [],
        failed: [],
        skipped: [],
      },
    ])
    expect(stack.sim.requestLog().length).toBe(requestsBefore)
    for (const month of ['2026-02', '2026-03'] as const) {
      const file = await s.store.readDistrict(AS_OF, '61', month)
      expect(file?.dataMonth).toBe(month)
      for (const source of file?.provenance.sources ?? [])
        expect(
          (await s.rawCache.get(AS_OF, source.report, source.districtId, month))?.meta.sha256,
        ).toBe(source.sha256)
    }
    expect((await verify({ dataDir: stack.dataDir })).problems).toEqual([])
  })

  it('the CLI refresh (child process, no TTY) exits 0 before and after the switch', async () => {
    const sim = await startSimulator(SIM)
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-rollover-'))
    try {
      const args = ['refresh', '--json', '--data-dir', dataDir, '--dashboard-url', sim.url]
      const rollover = (rolledOver: boolean) =>
        fetch(`${sim.url}/__sim/rollover`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ rolledOver }),
        })
      await rollover(false)
      const first = await runCli(args)
      expect(first.stderr).toBe('')
      expect(first.code).toBe(0)
      expect(JSON.parse(first.stdout)).toMatchObject({ status: 'written', asOf: AS_OF })
      await rollover(true)
      const second = await runCli(args)
      expect(second.code).toBe(0)
      expect(JSON.parse(second.stdout)).toMatchObject({ status: 'written', asOf: AS_OF })
      expect(second.stdout).toMatch(/2026-03/)
      const third = await runCli(args)
      expect(third.code).toBe(0)
      expect(JSON.parse(third.stdout)).toMatchObject({ status: 'unchanged' })
      expect((await verify({ dataDir })).ok).toBe(true)
    } finally {
      await sim.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  }, 120_000)
})
