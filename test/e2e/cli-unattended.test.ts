/**
 * Unattended runs (cron): every command that does upstream work, as a child process without a
 * TTY, at the default politeness budget (2 requests per second; no --max-requests), through
 * retries after a 503 and after a 429 with Retry-After, in each output mode. The output modes
 * take turns over the conditions (how a command prints does not depend on how the upstream
 * answered), so every condition and every output mode of each command runs once: six children,
 * not one per condition × mode. Each run has its own simulator (the `firstAttempts` faults count
 * per URL) and DATA_DIR, so all runs go at once.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type FaultRuleInput, type Simulator } from '../../src/sim/index.ts'
import { runCli } from '../helpers/cli.ts'

const TODAY = '2026-11-29'
const DISTRICTS = ['61', '21']
const BACKFILL_DATE = '2026-10-01'

const CONDITIONS: Record<string, FaultRuleInput[]> = {
  'the default rate limit': [],
  'a 503 on the first attempt of every URL': [
    { kind: 'server-error', status: 503, firstAttempts: 1 },
  ],
  'a 429 with Retry-After: 1 on the first attempt of every URL': [
    { kind: 'rate-limit', retryAfterSeconds: 1, firstAttempts: 1 },
  ],
}

interface CommandCase {
  args: string[]
  /** Output modes the command has (refresh draws no progress bar, so has no --no-progress). */
  outputs: string[][]
  /** The as-of the run must have stored. */
  asOf: (sim: Simulator) => string
  checkOutput: (stdout: string, stderr: string, output: string[], asOf: string) => void
}

const COMMANDS: Record<string, CommandCase> = {
  refresh: {
    args: ['refresh'],
    outputs: [[], ['--json']],
    asOf: (sim) => sim.state().latestAsOf,
    checkOutput(stdout, _stderr, output, asOf) {
      if (output.includes('--json')) {
        const result = JSON.parse(stdout) as { status: string; asOf: string; districts: object }
        expect(result).toMatchObject({ status: 'written', asOf })
        expect(result.districts).toMatchObject({ written: expect.arrayContaining(DISTRICTS) })
      } else
        expect(stdout).toMatch(
          new RegExp(`as-of ${asOf} \\(\\d{4}-\\d{2}\\): 2 written, 0 unchanged, 0 failed`),
        )
    },
  },
  backfill: {
    args: ['backfill', '--from', BACKFILL_DATE, '--districts', DISTRICTS.join(',')],
    outputs: [[], ['--no-progress'], ['--json']],
    asOf: () => BACKFILL_DATE,
    checkOutput(stdout, stderr, output, asOf) {
      if (output.includes('--json')) {
        const job = JSON.parse(stdout) as { status: string; snapshotIds: string[] }
        expect(job.status).toBe('complete')
        expect(job.snapshotIds).toContain(asOf)
      } else {
        expect(stdout).toMatch(/: complete — 2 completed, 0 skipped, 0 unavailable, 0 failed/)
        for (const id of DISTRICTS) expect(stdout).toMatch(new RegExp(`^${id}\\s+completed`, 'm'))
      }
      // The bar is drawn on stderr without a TTY too (cron mails it), unless asked not to.
      if (output.length === 0) expect(stderr).toMatch(/cells \|/)
      else expect(stderr).not.toMatch(/cells \|/)
    },
  },
}

interface Run {
  sim: Simulator
  dataDir: string
  result: Promise<Awaited<ReturnType<typeof runCli>>>
}

const runs = new Map<string, Run>()
const keyOf = (command: string, condition: string, output: string[]) =>
  `${command} | ${condition} | ${output.join(' ') || 'default output'}`

/** Each condition once, with the command's output modes in turn: every mode runs at least once. */
function casesOf(c: CommandCase) {
  const conditions = Object.keys(CONDITIONS)
  if (c.outputs.length > conditions.length) throw new Error('more output modes than conditions')
  return conditions.map((condition, i) => [condition, c.outputs[i % c.outputs.length]!] as const)
}

beforeAll(async () => {
  for (const [command, c] of Object.entries(COMMANDS))
    for (const [condition, output] of casesOf(c)) {
      const faults = CONDITIONS[condition]!
      const sim = await startSimulator({ seed: 5, today: TODAY, districts: DISTRICTS, faults })
      const dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-cron-'))
      const args = [...c.args, ...output, '--data-dir', dataDir, '--dashboard-url', sim.url]
      // No --max-requests / UPSTREAM_MAX_REQUESTS: the shipped default budget applies.
      const env = { UPSTREAM_MAX_REQUESTS: '', UPSTREAM_WINDOW_MS: '' }
      runs.set(keyOf(command, condition, output), { sim, dataDir, result: runCli(args, env) })
    }
})

afterAll(async () => {
  await Promise.allSettled([...runs.values()].map((r) => r.result))
  for (const r of runs.values()) {
    await r.sim.close()
    await rm(r.dataDir, { recursive: true, force: true })
  }
})

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
}

describe.each(Object.entries(COMMANDS))('tm-backfill %s, unattended', (command, c) => {
  it.each(casesOf(c))(
    'runs to its end under %s with output %j',
    { timeout: 180_000 },
    async (condition, output) => {
      const run = runs.get(keyOf(command, condition, output))
      if (!run) throw new Error('run not started')
      const { code, stdout, stderr } = await run.result
      expect(code, `stderr: ${stderr}`).toBe(0)
      const asOf = c.asOf(run.sim)
      c.checkOutput(stdout, stderr, output, asOf)

      const dir = path.join(run.dataDir, 'snapshots', asOf)
      const files = await readdir(dir)
      for (const id of DISTRICTS) expect(files).toContain(`district_${id}.json`)
      expect(await readJson(path.join(dir, 'metadata.json'))).toMatchObject({ status: 'complete' })
      for (const id of DISTRICTS)
        expect(await readJson(path.join(dir, `district_${id}.json`))).toMatchObject({
          districtId: id,
          detail: 'full',
        })

      const exports = run.sim.requestLog().filter((e) => e.url.includes('export.aspx'))
      // More work than one window of the default budget, spread over time as that budget demands.
      expect(exports.length).toBeGreaterThan(4)
      const spanMs = Date.parse(exports.at(-1)!.time) - Date.parse(exports[0]!.time)
      expect(spanMs).toBeGreaterThanOrEqual(Math.floor((exports.length - 1) / 2) * 1000 - 500)
      if (CONDITIONS[condition]!.length > 0)
        expect(exports.filter((e) => e.fault !== null).length).toBeGreaterThan(0)
    },
  )
})
