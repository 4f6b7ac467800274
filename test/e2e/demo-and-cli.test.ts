import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import { runCli, startCli, stop } from '../helpers/cli.ts'
import type { Json } from '../helpers/jobs.ts'

let dataDir: string
let demo: ChildProcess
let url: string

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-demo-'))
  const started = await startCli(
    ['demo', '--port', '0', '--sim-port', '0', '--data-dir', dataDir, '--log-level', 'warn'],
    /Open (http:\/\/\S+)/,
  )
  demo = started.child
  url = started.match[1] ?? ''
}, 30_000)

afterAll(async () => {
  if (demo) expect(await stop(demo)).toBe(0)
  await rm(dataDir, { recursive: true, force: true })
})

describe('npm run demo, then the CLI on its data dir', () => {
  it('refreshes the latest simulated as-of with the demo districts at full detail, then writes nothing', async () => {
    const first = (await (
      await fetch(`${url}/api/refresh?wait=true`, { method: 'POST' })
    ).json()) as Json
    expect(first.status).toBe('written')
    expect(first.districts.written).toEqual(['02', '21', '61'])
    const second = (await (
      await fetch(`${url}/api/refresh?wait=true`, { method: 'POST' })
    ).json()) as Json
    expect(second.status).toBe('unchanged')
  })

  it('verify passes on the demo data dir', async () => {
    const r = await runCli(['verify', '--data-dir', dataDir])
    expect(r.stdout).toContain('OK:')
    expect(r.code).toBe(0)
  })

  it('lists and shows snapshots', async () => {
    const list = await runCli(['snapshots', 'list', '--data-dir', dataDir, '--json'])
    expect(list.code).toBe(0)
    const parsed = JSON.parse(list.stdout) as Json
    expect(parsed.snapshots).toHaveLength(1)
    const asOf = parsed.current as string
    const show = await runCli(['snapshots', 'show', asOf, '--data-dir', dataDir])
    expect(show.stdout).toContain(`snapshot ${asOf}: complete`)
    const district = await runCli([
      'snapshots',
      'show',
      asOf,
      '--district',
      '61',
      '--data-dir',
      dataDir,
    ])
    expect((JSON.parse(district.stdout) as Json).detail).toBe('full')
  })

  it('fails verify with a non-zero exit when a file is corrupted, and --repair fixes it', async () => {
    const asOf = (
      JSON.parse(
        (await runCli(['snapshots', 'list', '--data-dir', dataDir, '--json'])).stdout,
      ) as Json
    ).current as string
    await writeFile(path.join(dataDir, 'snapshots', asOf, 'district_21.json'), '{"torn":')
    const bad = await runCli(['verify', '--data-dir', dataDir])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('district_21.json')
    const repaired = await runCli(['verify', '--repair', '--data-dir', dataDir])
    expect(repaired.code).toBe(0)
    // The next refresh fetches the quarantined district again.
    const again = (await (
      await fetch(`${url}/api/refresh?wait=true`, { method: 'POST' })
    ).json()) as Json
    expect(again.districts.written).toEqual(['21'])
    expect((await runCli(['verify', '--data-dir', dataDir])).code).toBe(0)
  })

  it('rejects bad CLI input with a message naming the flag', async () => {
    const r = await runCli(['snapshots', 'list', '--from', '2026-02-30', '--data-dir', dataDir])
    expect(r.code).toBe(64)
    expect(r.stderr).toContain('--from must be a real calendar date')
    const c = await runCli(['refresh', '--data-dir', dataDir, '--max-concurrent', 'lots'])
    expect(c.code).toBe(64)
    expect(c.stderr).toContain('--max-concurrent must be a whole number, got "lots"')
  })
})
