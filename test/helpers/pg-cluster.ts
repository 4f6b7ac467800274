/**
 * A throwaway PostgreSQL cluster from Debian's `postgresql` package, for tests: `initdb` into a
 * temp dir, `pg_ctl start` on a free loopback port with the socket in that dir, and `stop()` to
 * shut it down (`-m immediate`) and delete everything. PostgreSQL refuses to run as root, so as
 * root both run as the `postgres` user on a dir it owns.
 *
 * A cluster whose owner process died without stopping it (SIGKILL of the test runner) is found
 * by the next start through `owner.pid` and removed.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import fsp from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const DIR_PREFIX = 'tmb-pg-'
const OWNER_FILE = 'owner.pid'

export interface PgClusterInfo {
  host: string
  port: number
  user: string
  /** Admin connection to the `postgres` database (to create and drop test databases). */
  adminUrl: string
}

export interface PgCluster extends PgClusterInfo {
  dir: string
  stop(): Promise<void>
  /** Stops the server (`pg_ctl stop -m fast`), keeping its data: the database "goes away". */
  halt(): Promise<void>
  /** Starts it again on the same port after `halt()`. */
  resume(): Promise<void>
}

/** The newest installed `initdb`'s bin dir, or null when PostgreSQL is not installed. */
export function findPgBinDir(root = '/usr/lib/postgresql'): string | null {
  if (!existsSync(root)) return null
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? null : path.join(root, versions[0], 'bin')
}

const isRoot = () => process.getuid?.() === 0

/** Runs a PostgreSQL binary, as `postgres` when we are root. */
async function pgExec(bin: string, args: string[]): Promise<string> {
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]
  try {
    const { stdout, stderr } = await run(file, argv, { timeout: 60_000 })
    return stdout + stderr
  } catch (e) {
    const err = e as Error & { stderr?: string; stdout?: string }
    throw new Error(
      `${path.basename(bin)} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`,
      { cause: e },
    )
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Synchronous, so it can run from a process 'exit' handler. */
function stopSync(bin: string, dir: string): void {
  const args = ['-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop']
  try {
    if (isRoot()) {
      execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...args], {
        stdio: 'ignore',
      })
    } else execFileSync(path.join(bin, 'pg_ctl'), args, { stdio: 'ignore' })
  } catch {
    // Not running (never started, or already stopped): nothing to stop.
  }
  rmSync(dir, { recursive: true, force: true })
}

/** Stops and deletes clusters left behind by test runs that were killed. */
function removeOrphans(bin: string): void {
  const tmp = os.tmpdir()
  for (const name of readdirSync(tmp)) {
    if (!name.startsWith(DIR_PREFIX)) continue
    const dir = path.join(tmp, name)
    let owner: number
    try {
      owner = Number(readFileSync(path.join(dir, OWNER_FILE), 'utf8'))
    } catch {
      continue // Still being set up by another run, or not ours.
    }
    if (Number.isInteger(owner) && !isAlive(owner)) stopSync(bin, dir)
  }
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = findPgBinDir()
  if (bin === null) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): ' +
        'apt-get install -y postgresql (.ci/run does this)',
    )
  }
  removeOrphans(bin)
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), DIR_PREFIX))
  const onExit = () => stopSync(bin, dir)
  process.once('exit', onExit)
  try {
    await fsp.writeFile(path.join(dir, OWNER_FILE), String(process.pid))
    if (isRoot()) await run('chown', ['-R', 'postgres:postgres', dir])
    const data = path.join(dir, 'data')
    await pgExec(path.join(bin, 'initdb'), [
      ...['-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '-D', data],
    ])
    const port = await startOnFreePort(bin, dir)
    const info = {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    }
    return {
      ...info,
      dir,
      stop() {
        process.removeListener('exit', onExit)
        stopSync(bin, dir)
        return Promise.resolve()
      },
      async halt() {
        await pgExec(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'])
      },
      async resume() {
        await startOn(bin, dir, port)
      },
    }
  } catch (e) {
    process.removeListener('exit', onExit)
    stopSync(bin, dir)
    throw e
  }
}

/** Another process may take the port between the probe and the start: try a few. */
async function startOnFreePort(bin: string, dir: string): Promise<number> {
  let last: unknown = null
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    try {
      await startOn(bin, dir, port)
      return port
    } catch (e) {
      last = e
    }
  }
  throw last
}

async function startOn(bin: string, dir: string, port: number): Promise<void> {
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    // A throwaway cluster: durability buys nothing, and the machine is shared.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
  ].join(' ')
  try {
    await pgExec(path.join(bin, 'pg_ctl'), [
      ...['-D', path.join(dir, 'data'), '-l', path.join(dir, 'server.log')],
      ...['-o', options, '-w', '-t', '60', 'start'],
    ])
  } catch (e) {
    const log = await fsp.readFile(path.join(dir, 'server.log'), 'utf8').catch(() => '')
    throw new Error(`${(e as Error).message}\nserver log:\n${log}`, { cause: e })
  }
}
