/**
 * Runs the real CLI in a child process, as a user would: the compiled build (dist/node/cli.js,
 * what `tm-backfill` runs), which node-build.global-setup.ts brings up to date before the run.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { COMPILED_CLI } from '../../bin/build-stamp.js'
import { NODE_FLAGS } from '../../bin/node-flags.js'

/** Arguments of `node` that start the CLI with `args`, with the flags `tm-backfill` passes. */
export function cliArgv(args: string[]): string[] {
  return [...NODE_FLAGS, COMPILED_CLI, ...args]
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgv(args), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Starts a long-running command and resolves once its stdout matches `ready`. */
export function startCli(
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgv(args), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const timer = setTimeout(() => reject(new Error(`not ready after 20s: ${out}`)), 20_000)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = out.match(ready)
      if (m) {
        clearTimeout(timer)
        resolve({ child, match: m, output: () => out })
      }
    })
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited ${code} before ready: ${out}`))
    })
  })
}

export function stop(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode)
    child.removeAllListeners('exit')
    child.once('exit', (code) => resolve(code))
    child.kill(signal)
  })
}
