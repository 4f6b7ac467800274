/**
 * Writing CLI commands prepare DATA_DIR as the server does at start-up: a `rebuild` after an
 * interrupted write leaves a data dir `verify` finds clean without `--repair`, and a DATA_DIR
 * that cannot be written is refused with its path and errno (exit 1, no stack trace).
 */
import { existsSync } from 'node:fs'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verify } from '../../src/server/storage/index.ts'
import { runCli } from '../helpers/cli.ts'
import type { Json } from '../helpers/jobs.ts'
import { startStack } from '../helpers/stack.ts'

let root: string
let dataDir: string
let asOf: string

beforeAll(async () => {
  const stack = await startStack()
  try {
    await stack.api('PUT', '/api/districts', { districts: ['21', '61'] })
    await stack.api('POST', '/api/refresh?wait=true')
    asOf = stack.sim.truth.latestAsOf()
    root = await mkdtemp(path.join(tmpdir(), 'tmb-cli-recovery-'))
    dataDir = path.join(root, 'data')
    await cp(stack.dataDir, dataDir, { recursive: true })
    // The copy is a DATA_DIR no process holds: drop the running server's lock from it.
    await rm(path.join(dataDir, '.lock'), { recursive: true, force: true })
    await rm(path.join(dataDir, 'lock-holder.json'), { force: true })
  } finally {
    await stack.close()
  }
}, 60_000)

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('writing CLI commands and an interrupted write', () => {
  it('rebuild sweeps what a killed write left, so verify is clean without --repair', async () => {
    const snapshot = path.join(dataDir, 'snapshots', asOf)
    const text = await readFile(path.join(snapshot, 'district_61.json'), 'utf8')
    // What writeAtomic leaves when the process dies mid-write: torn temp files beside the targets.
    const leftovers = [
      path.join(snapshot, '..pending-district_61.json.0a1b2c3d4e5f.tmp'),
      path.join(snapshot, '.manifest.json.1a2b3c4d5e6f.tmp'),
      path.join(dataDir, 'raw-csv', asOf, '.clubperformance_61.csv.2a3b4c5d6e7f.tmp'),
      path.join(dataDir, '.current.json.3a4b5c6d7e8f.tmp'),
    ]
    for (const p of leftovers) await writeFile(p, text.slice(0, text.length / 2))
    const before = await verify({ dataDir })
    expect(before.problems.map((p) => p.code)).toEqual(leftovers.map(() => 'TEMP_LEFTOVER'))

    const r = await runCli([
      'rebuild',
      '--from',
      asOf,
      '--to',
      asOf,
      '--data-dir',
      dataDir,
      '--json',
    ])
    expect(r.stderr).toContain('cleaned up interrupted writes')
    expect(r.code).toBe(0)
    const result = JSON.parse(r.stdout) as Json
    expect(result.dates).toEqual([
      {
        asOf,
        dataMonth: expect.stringMatching(/^\d{4}-\d{2}$/),
        full: ['21', '61'],
        summary: [],
        failed: [],
        skipped: [],
      },
    ])
    const after = await verify({ dataDir })
    expect(after.problems).toEqual([])
    expect(after.ok).toBe(true)
  }, 60_000)

  it('refuses a DATA_DIR it cannot write, naming the path and the errno', async () => {
    await writeFile(path.join(root, 'plain-file'), 'x')
    const blocked = path.join(root, 'plain-file', 'data')
    const r = await runCli(['rebuild', '--from', asOf, '--to', asOf, '--data-dir', blocked])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      new RegExp(`^tm-backfill: DATA_DIR ${blocked} cannot be written: ENOTDIR`),
    )
    expect(r.stderr).not.toMatch(/\n\s+at /)
  }, 60_000)

  // Node 20's own recursive mkdir spins forever on such a path (src/server/storage/storage-fs.ts
  // makeDirectory): a cron job given it must end at once with the errno, not burn a core.
  it.runIf(existsSync('/proc/self'))(
    'refuses at once a DATA_DIR whose parent exists but where the kernel makes no directory (/proc)',
    async () => {
      const blocked = '/proc/tmb-no-such-dir'
      const r = await runCli(['rebuild', '--from', asOf, '--to', asOf, '--data-dir', blocked])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(
        new RegExp(`^tm-backfill: DATA_DIR ${blocked} cannot be written: ENOENT`),
      )
      expect(r.stderr).not.toMatch(/\n\s+at /)
    },
    60_000,
  )
})
