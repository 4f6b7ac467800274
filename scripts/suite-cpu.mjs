#!/usr/bin/env node
// `node scripts/suite-cpu.mjs [command...]` (default: `npm test`): the command's CPU (user + sys of
// its whole process tree, as `/usr/bin/time` reports it) and wall time, beside a speed probe of
// the machine measured in the same session (docs/performance.md#how-to-measure). On the shared
// 2-core machines the same work costs 20–25 % more CPU on some days than on others. The probe is
// fixed work (an integer loop, allocation, JSON and a hash, about 70 ms of CPU) run 9 times just
// before and 9 times just after the command; its median against the reference below says how
// fast the machine was, and the command's CPU is scaled by it. It also runs every 15 s during the
// command (well under 1 % of a core), which shows how much the command's own load slows it.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The probe's CPU on the quiet 2-core machine of 2026-12-03 (30 probes: 52–115 ms, median 71). */
const REFERENCE_PROBE_MS = 71
const PROBE_EVERY_MS = 15_000

function work() {
  let x = 1
  let s = 0
  for (let i = 0; i < 1e7; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    s = (s + (x & 1023)) | 0
  }
  // Allocation, a Map, JSON and a hash: what the suite's JavaScript does most, and what other
  // tenants' memory traffic slows down more than a loop over registers.
  const rows = []
  for (let i = 0; i < 20_000; i++) rows.push({ id: `c${i}`, n: i, v: [i, i * 2, String(i)] })
  const text = JSON.stringify(rows)
  s += JSON.parse(text).length + new Map(rows.map((r) => [r.id, r])).size
  return s + createHash('sha256').update(text).digest()[0]
}

function probe() {
  const t = process.cpuUsage()
  work()
  const d = process.cpuUsage(t)
  return Math.round((d.user + d.system) / 100) / 10
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0
    ? NaN
    : (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2
}

const command = process.argv.length > 2 ? process.argv.slice(2) : ['npm', 'test']
work() // warm up the optimizing compiler
const before = Array.from({ length: 9 }, probe)
const during = []
const timer = setInterval(() => during.push(probe()), PROBE_EVERY_MS)
const dir = mkdtempSync(join(tmpdir(), 'suite-cpu-'))
const timeFile = join(dir, 'time')
const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%U %S %e', ...command], {
  stdio: 'inherit',
})
const code = await new Promise((resolve) => child.on('close', resolve))
clearInterval(timer)
const after = Array.from({ length: 9 }, probe)
// The last line is ours ("Command exited with non-zero status N" may come before it).
const [user, sys, wall] = readFileSync(timeFile, 'utf8')
  .trim()
  .split('\n')
  .at(-1)
  .split(' ')
  .map(Number)
rmSync(dir, { recursive: true, force: true })
// The machine's speed is the quiet probes' (before and after): during the run the probe competes
// with the suite itself for both cores, which shows contention, not the machine.
const speed = median([...before, ...after])
const cpu = user + sys
const summary = {
  command: command.join(' '),
  exitCode: code,
  cpuSeconds: +cpu.toFixed(1),
  userSeconds: user,
  sysSeconds: sys,
  wallSeconds: wall,
  probeMs: {
    before: median(before),
    during: median(during),
    after: median(after),
    samples: during.length,
  },
  referenceProbeMs: REFERENCE_PROBE_MS,
  cpuAtReferenceSpeed: +((cpu * REFERENCE_PROBE_MS) / speed).toFixed(1),
}
process.stderr.write(
  `\nsuite-cpu: ${summary.cpuSeconds} s CPU (${user} user + ${sys} sys), ${wall} s wall, exit ${code}\n` +
    `suite-cpu: probe ${summary.probeMs.before} ms before, ${summary.probeMs.after} ms after (${summary.probeMs.during} ms during the run, ${during.length} samples); reference ${REFERENCE_PROBE_MS} ms\n` +
    `suite-cpu: ${summary.cpuAtReferenceSpeed} s CPU at the reference speed\n` +
    `${JSON.stringify(summary)}\n`,
)
process.exitCode = code === 0 ? 0 : 1
