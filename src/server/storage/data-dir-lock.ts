/**
 * One writer per DATA_DIR: an exclusive lock (proper-lockfile: an atomic `mkdir` of
 * `DATA_DIR/.lock`, its mtime refreshed while held) plus `DATA_DIR/lock-holder.json` saying who
 * holds it (pid, host, start time, role, and the URL of a server), so a second process can name
 * the holder and a CLI can find the server to submit to.
 *
 * Staleness: a lock whose holder was on this host and whose pid is gone (or a zombie) is taken
 * over at once; any other lock is taken over once its mtime is older than `LOCK_STALE_MS`
 * (the holder refreshes it every `LOCK_UPDATE_MS`), so a SIGKILLed holder on another host
 * blocks the next one for at most that long.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import lockfile from 'proper-lockfile'
import writeFileAtomic from 'write-file-atomic'
import { ErrorCode } from '../../shared/error-codes.ts'
import { StorageUnavailableError } from './errors.ts'
import { makeDirectory } from './storage-fs.ts'

export const LOCK_DIR = '.lock'
export const LOCK_HOLDER_FILE = 'lock-holder.json'
export const DATA_DIR_ID_FILE = 'data-dir-id'
export const LOCK_STALE_MS = 15_000
export const LOCK_UPDATE_MS = 5_000

export interface LockHolder {
  pid: number
  host: string
  startedAt: string
  role: 'server' | 'cli'
  /** What holds it: `serve`, `demo`, `backfill`, … */
  command: string
  /** Where a server listens (null for a CLI, or a server not listening yet). */
  url: string | null
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError'
  readonly code = ErrorCode.DATA_DIR_LOCKED
  readonly holder: LockHolder | null
  constructor(dataDir: string, holder: LockHolder | null) {
    super(`${describeHolder(holder)}: ${path.resolve(dataDir)} is locked`)
    this.holder = holder
  }
}

/** One line naming who holds a DATA_DIR, for refusals. */
export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return 'another process holds DATA_DIR (it has not said who yet)'
  const who = holder.role === 'server' ? 'a server' : `tm-backfill ${holder.command}`
  const where = holder.url ? `, ${holder.url}` : ''
  return `${who} holds DATA_DIR (pid ${holder.pid} on host ${holder.host}${where}, since ${holder.startedAt})`
}

export interface DataDirLock {
  readonly holder: LockHolder
  /** Records where the server listens, once it does. */
  setUrl(url: string): Promise<void>
  /** Idempotent. */
  release(): Promise<void>
}

export interface AcquireOptions {
  dataDir: string
  role: LockHolder['role']
  command: string
  /** The lock was lost (another process took it over as stale); the default logs nothing. */
  onCompromised?: (error: Error) => void
  staleMs?: number
  updateMs?: number
}

/** Directories this process holds right now (a second holder in one process is refused too). */
const heldHere = new Set<string>()

/** Takes the lock or throws `DataDirLockedError` naming the holder; creates DATA_DIR if needed. */
export async function acquireDataDirLock(options: AcquireOptions): Promise<DataDirLock> {
  const dataDir = path.resolve(options.dataDir)
  const staleMs = options.staleMs ?? LOCK_STALE_MS
  try {
    await makeDirectory(dataDir)
    await ensureDataDirId(dataDir)
  } catch (e) {
    // A DATA_DIR that cannot be created or written is named with its errno, like the probe does.
    throw new StorageUnavailableError('DATA_DIR', dataDir, e)
  }
  if (!heldHere.has(dataDir)) await removeIfHolderGone(dataDir)
  let unlock: () => Promise<void>
  try {
    unlock = await lockfile.lock(dataDir, {
      lockfilePath: path.join(dataDir, LOCK_DIR),
      realpath: false,
      stale: staleMs,
      update: options.updateMs ?? Math.min(LOCK_UPDATE_MS, staleMs / 2),
      retries: 0,
      onCompromised: (error) => {
        heldHere.delete(dataDir)
        options.onCompromised?.(error)
      },
    })
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED')
      throw new DataDirLockedError(dataDir, await readHolderFile(dataDir))
    throw error
  }
  heldHere.add(dataDir)
  let holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    role: options.role,
    command: options.command,
    url: null,
  }
  const holderPath = path.join(dataDir, LOCK_HOLDER_FILE)
  let released: Promise<void> | null = null
  const release = () =>
    (released ??= (async () => {
      heldHere.delete(dataDir)
      // The record goes first: once the lock is free, the next holder writes its own.
      const current = await readHolderFile(dataDir)
      if (current?.pid === holder.pid && current.startedAt === holder.startedAt)
        await fsp.rm(holderPath, { force: true })
      await unlock().catch((error: unknown) => {
        if ((error as { code?: string }).code !== 'ERELEASED') throw error
      })
    })())
  try {
    await writeFileAtomic(holderPath, `${JSON.stringify(holder, null, 2)}\n`)
  } catch (error) {
    await release()
    throw error
  }
  return {
    get holder() {
      return holder
    },
    async setUrl(url) {
      holder = { ...holder, url }
      await writeFileAtomic(holderPath, `${JSON.stringify(holder, null, 2)}\n`)
    },
    release,
  }
}

/** Who holds DATA_DIR's lock right now, or null when nobody does (or the lock is stale). */
export async function currentHolder(
  dataDir: string,
  staleMs = LOCK_STALE_MS,
): Promise<{ holder: LockHolder | null } | null> {
  const dir = path.resolve(dataDir)
  const held = await lockfile
    .check(dir, { lockfilePath: path.join(dir, LOCK_DIR), realpath: false, stale: staleMs })
    .catch(() => false)
  if (!held) return null
  const holder = await readHolderFile(dir)
  if (holder && !heldHere.has(dir) && holderIsGone(holder)) return null
  return { holder }
}

/** A random id made once per DATA_DIR, so a server can say which DATA_DIR it serves without its path. */
export async function ensureDataDirId(dataDir: string): Promise<string> {
  const existing = await readDataDirId(dataDir)
  if (existing) return existing
  const file = path.join(dataDir, DATA_DIR_ID_FILE)
  try {
    // `wx`: when two processes race, the first one's id stands.
    await fsp.writeFile(file, `${randomUUID()}\n`, { flag: 'wx' })
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error
  }
  const id = await readDataDirId(dataDir)
  if (!id) throw new Error(`${file} could not be created`)
  return id
}

export async function readDataDirId(dataDir: string): Promise<string | null> {
  const text = await fsp.readFile(path.join(dataDir, DATA_DIR_ID_FILE), 'utf8').catch(() => null)
  const id = text?.trim() ?? ''
  return /^[0-9a-f-]{36}$/.test(id) ? id : null
}

async function readHolderFile(dataDir: string): Promise<LockHolder | null> {
  const text = await fsp.readFile(path.join(dataDir, LOCK_HOLDER_FILE), 'utf8').catch(() => null)
  if (text === null) return null
  try {
    const v = JSON.parse(text) as Partial<LockHolder>
    return typeof v.pid === 'number' && typeof v.host === 'string'
      ? {
          pid: v.pid,
          host: v.host,
          startedAt: String(v.startedAt ?? ''),
          role: v.role === 'server' ? 'server' : 'cli',
          command: String(v.command ?? ''),
          url: typeof v.url === 'string' ? v.url : null,
        }
      : null
  } catch {
    return null
  }
}

/** The recorded holder ran on this host and its process is gone (or is this process, reborn). */
function holderIsGone(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return false
  // Same pid as ours but not held here: an earlier life of this pid (a container restart).
  if (holder.pid === process.pid) return true
  return !processIsAlive(holder.pid)
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
  return !isZombie(pid)
}

/** Linux: a killed process nobody has reaped yet still answers signal 0. */
function isZombie(pid: number): boolean {
  let stat: string
  try {
    // Synchronous on purpose: a tiny procfs file read at the moment of the decision.
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return false
  }
  // "pid (name) S …": the state follows the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
}

async function removeIfHolderGone(dataDir: string): Promise<void> {
  const lockPath = path.join(dataDir, LOCK_DIR)
  const exists = await fsp.stat(lockPath).then(
    () => true,
    () => false,
  )
  if (!exists) return
  const holder = await readHolderFile(dataDir)
  if (!holder || !holderIsGone(holder)) return
  await fsp.rm(lockPath, { recursive: true, force: true })
}
