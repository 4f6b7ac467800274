import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/sim/index.ts'
import { cliArgv, runCli } from '../helpers/cli.ts'
import { waitFor } from '../helpers/jobs.ts'

let sim: Simulator
let dataDir: string
beforeAll(async () => {
  sim = await startSimulator({ seed: 3, today: '2026-11-29' })
})
afterAll(async () => {
  await sim.close()
})
afterEach(async () => {
  sim.clearFaults()
  sim.clearLog()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

async function freshDir() {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-cli-'))
  return ['--data-dir', dataDir, '--dashboard-url', sim.url, '--max-requests', '0']
}

describe('tm-backfill backfill', () => {
  it('completes with exit 0 and a summary table; a second run is all skipped with zero requests', async () => {
    const common = await freshDir()
    const r = await runCli([
      'backfill',
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-02',
      '--districts',
      '61,21',
      ...common,
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /complete — 4 completed, 0 skipped, 0 unavailable, 0 failed of 4 cells; 2 snapshots written/,
    )
    expect(r.stdout).toMatch(/^61\s+completed\s+2\/2/m)
    sim.clearLog()
    const again = await runCli([
      'backfill',
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-02',
      '--districts',
      '61,21',
      '--json',
      ...common,
    ])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout).progress).toMatchObject({ skipped: 4, completed: 0 })
    expect(
      sim.requestLog().filter((e) => e.url.includes('export.aspx') && !e.url.includes('~~~')),
    ).toEqual([])
  })

  it('exits 2 on partial success and names the failing district', async () => {
    const common = await freshDir()
    sim.addFault({
      kind: 'server-error',
      status: 503,
      match: { report: 'clubperformance', districtId: '21' },
    })
    const r = await runCli([
      'backfill',
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-02',
      '--districts',
      '61,21',
      '--no-retry',
      ...common,
    ])
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/partial_success/)
    expect(r.stdout).toMatch(/^21\s+failed.*UPSTREAM_HTTP|^21\s+failed.*503/m)
  })

  it('counts a district absent from the date\'s summary as "not a district on that date", asking nothing for it', async () => {
    const common = await freshDir()
    // 2025-26 data: 201 exists only from the 2026-27 realignment on.
    const r = await runCli([
      'backfill',
      '--from',
      '2026-06-27',
      '--to',
      '2026-06-28',
      '--districts',
      '61,201',
      ...common,
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /complete — 2 completed, 0 skipped, 0 unavailable, 2 not a district on that date, 0 failed of 4 cells; 2 snapshots written/,
    )
    expect(sim.requestLog().filter((e) => e.url.includes('~201~'))).toEqual([])
  })

  it('prints the plan for --dry-run and makes no export request for the range', async () => {
    const common = await freshDir()
    const r = await runCli([
      'backfill',
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-10',
      '--districts',
      '61',
      '--dry-run',
      ...common,
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      'dry run: 10 dates, 10 cells (10 to fetch, 0 already stored, 0 unpublished)',
    )
    expect(r.stdout).toContain('upstream requests: 40')
    expect(sim.requestLog().filter((e) => e.url.includes('clubperformance'))).toEqual([])
  })

  it('--cadence month-end: the dry run lists the final as-of of each month and their cost', async () => {
    const common = await freshDir()
    const r = await runCli([
      'backfill',
      '--from',
      '2026-02-01',
      '--to',
      '2026-06-30',
      '--cadence',
      'month-end',
      '--districts',
      '61',
      '--dry-run',
      ...common,
    ])
    expect(r.code).toBe(0)
    // The closing days of 2026-01 … 2026-05 (docs/upstream.md#month-end-closing-periods).
    expect(r.stdout).toContain(
      'dates (month-end): 2026-02-05, 2026-03-05, 2026-04-07, 2026-05-07, 2026-06-05',
    )
    expect(r.stdout).toContain('upstream requests: 20')
  })

  it('names --cadence and --dates when they are given together (exit 64)', async () => {
    const common = await freshDir()
    const r = await runCli([
      'backfill',
      '--dates',
      '2026-02-05,2026-03-05',
      '--cadence',
      'weekly',
      '--dry-run',
      ...common,
    ])
    expect(r.code).toBe(64)
    expect(r.stderr).toContain('--cadence and --dates are mutually exclusive')
  })

  it('cancels cleanly on Ctrl-C and exits 130', async () => {
    const common = await freshDir()
    sim.addFault({ kind: 'latency', ms: 150 })
    const child = spawn(
      process.execPath,
      cliArgv([
        'backfill',
        '--from',
        '2026-09-01',
        '--to',
        '2026-09-30',
        '--districts',
        '61',
        '--json',
        ...common,
      ]),
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    // Interrupt once the job is visibly under way (its first requests reached the simulator).
    await waitFor(
      'the backfill to start',
      () => sim.requestLog().filter((e) => e.url.includes('clubperformance')).length >= 2,
      20_000,
    )
    child.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(130)
    const job = JSON.parse(out)
    expect(job.status).toBe('cancelled')
    expect(job.progress.completed).toBeLessThan(30)
  })

  it('rejects a range ending before it starts as a usage error naming the flags', async () => {
    const common = await freshDir()
    const r = await runCli(['backfill', '--from', '2026-10-05', '--to', '2026-10-01', ...common])
    expect(r.code).toBe(64)
    expect(r.stderr).toContain('--to must not be before --from')
    expect(r.stderr).not.toMatch(/endDate|^\s+at /m)
  })
})
