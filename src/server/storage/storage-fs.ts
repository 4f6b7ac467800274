/**
 * The low-level file operations the storage layer uses, behind one small injectable interface
 * so tests can fail any single step of a write (crash safety) or simulate EROFS/ENOSPC.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { setImmediate } from 'node:timers'
import { StorageIoError, errnoOf } from './errors.ts'
import { TMP_FILE_SUFFIX } from './paths.ts'

export interface StorageFs {
  readFile(path: string): Promise<Buffer>
  /** Creates or truncates. */
  writeFile(path: string, data: string): Promise<void>
  /** fsync of a file or a directory. */
  fsync(path: string): Promise<void>
  rename(from: string, to: string): Promise<void>
  /** Recursive; no error when the directory exists. */
  mkdir(path: string): Promise<void>
  readdir(path: string): Promise<string[]>
  /**
   * `changeStamp` differs whenever the file is replaced or written (inode, size, mtime and ctime
   * in ns); absent when the file system cannot tell, and then nothing is cached by it.
   */
  stat(path: string): Promise<{
    sizeBytes: number
    isDirectory: boolean
    changeStamp?: string
    /** Last modification (ms since the epoch); for a directory, of its entries. */
    mtimeMs?: number
  }>
  unlink(path: string): Promise<void>
  /** Removes a directory the store created itself and never published (recursive). */
  removeTempDir(path: string): Promise<void>
  /** Appends to a file, creating it (the job event logs). */
  appendFile(path: string, data: string): Promise<void>
  /** Free and total bytes of the file system holding `path`. */
  statfs(path: string): Promise<{ freeBytes: number; totalBytes: number }>
}

/**
 * `mkdir -p`: creates `dir` and any missing parents; no error when it is a directory already.
 * Node 20's `mkdir(dir, { recursive: true })` never returns when the kernel answers ENOENT for a
 * directory whose parent exists (a path inside /proc does that): it creates the parent again and
 * retries the child, forever, at full CPU. Here each level is made once, so such a path fails with
 * the kernel's ENOENT at once.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir)
    return
  } catch (e) {
    if (errnoOf(e) === 'EEXIST' && (await isDirectory(dir))) return
    const parent = path.dirname(dir)
    if (errnoOf(e) !== 'ENOENT' || parent === dir) throw e
    await makeDirectory(parent)
  }
  try {
    await fsp.mkdir(dir)
  } catch (e) {
    if (errnoOf(e) === 'EEXIST' && (await isDirectory(dir))) return
    throw e
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory()
  } catch {
    return false
  }
}

/**
 * How long synchronous file work may hold one turn of the event loop before the next call lets
 * it turn (timers, sockets): a chain of calls that never waits on the thread pool (a `verify` of
 * a whole DATA_DIR reads, hashes and parses every file) would otherwise keep a server from
 * answering for as long as the chain runs.
 */
export const MAX_SYNC_TURN_MS = 5

/**
 * When the current turn of the event loop started doing synchronous file work, or null once the
 * loop has turned since. One per process, like the event loop it measures. `setImmediate` and
 * `performance.now` are the real ones, taken at load, so a test's fake timers cannot stop it.
 */
const turn = { startedAt: null as number | null }
const now = performance.now.bind(performance)

/** Null while this turn may go on; otherwise a promise that resolves after the loop turned. */
function yieldIfLong(): Promise<void> | null {
  const at = now()
  if (turn.startedAt === null) {
    turn.startedAt = at
    setImmediate(() => (turn.startedAt = null))
    return null
  }
  if (at - turn.startedAt < MAX_SYNC_TURN_MS) return null
  // The immediate queued when the turn started runs first and ends it.
  return new Promise((resolve) => setImmediate(resolve))
}

/** `work` run synchronously, after letting the event loop turn if this turn ran long. */
async function sync<T>(work: () => T): Promise<T> {
  const wait = yieldIfLong()
  if (wait) await wait
  return work()
}

/**
 * The real file system. Writes, appends, reads, stats and directory listings run synchronously:
 * open, write or read and close of a small file are page-cache work of microseconds, cheaper
 * than the thread-pool round trip (and the two context switches) that each of them costs
 * asynchronously; `fsp.readFile` alone is four or five such trips (open, fstat, read, close). Only
 * what waits on the disk, the fsync, goes to libuv's thread pool, so a durable file write
 * (`writeDurable`) is one round trip instead of six
 * (docs/performance.md#round-3-one-thread-pool-round-trip-per-durable-file) and a read none
 * (docs/performance.md#round-7-synchronous-reads). The price: a read the page cache cannot answer
 * holds the event loop while the disk answers; and a chain of such calls lets the loop turn
 * every `MAX_SYNC_TURN_MS`. Each step stays its own call, so an injected writeFile or fsync
 * still sees, and can fail, each.
 */
export const nodeStorageFs: StorageFs = {
  readFile: (p) => sync(() => fs.readFileSync(p)),
  writeFile: (p, data) => sync(() => fs.writeFileSync(p, data, 'utf8')),
  fsync: fsyncPath,
  rename: (from, to) => fsp.rename(from, to),
  mkdir: makeDirectory,
  readdir: (p) => sync(() => fs.readdirSync(p)),
  stat: async (p) => {
    const s = await sync(() => fs.statSync(p, { bigint: true }))
    return {
      sizeBytes: Number(s.size),
      isDirectory: s.isDirectory(),
      changeStamp: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`,
      mtimeMs: Number(s.mtimeMs),
    }
  },
  unlink: (p) => fsp.unlink(p),
  removeTempDir: (p) => fsp.rm(p, { recursive: true, force: true }),
  appendFile: (p, data) => sync(() => fs.appendFileSync(p, data, 'utf8')),
  statfs: async (p) => {
    const s = await fsp.statfs(p)
    // bavail: the blocks an unprivileged writer may still use (root may dip into the reserve).
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }
  },
}

/** Opens and closes synchronously; only the fsync itself runs on the thread pool. */
async function fsyncPath(p: string): Promise<void> {
  const fd = fs.openSync(p, 'r')
  try {
    await fsyncFd(fd)
  } catch (e) {
    // Some file systems refuse fsync on a directory; the data itself was already synced.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes(errnoOf(e) ?? '')) throw e
  } finally {
    fs.closeSync(fd)
  }
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve())))
}

export function randomSuffix(): string {
  return randomBytes(6).toString('hex')
}

export function tempPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomSuffix()}${TMP_FILE_SUFFIX}`,
  )
}

/** Runs one fs call, turning any failure into a StorageIoError naming the operation and path. */
export async function io<T>(operation: string, target: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    if (e instanceof StorageIoError) throw e
    throw new StorageIoError(operation, target, e)
  }
}

/** The file's bytes, or null when it does not exist. */
export async function readOrNull(fs: StorageFs, target: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(target)
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return null
    throw new StorageIoError('read', target, e)
  }
}

export async function readdirOrEmpty(fs: StorageFs, dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir)
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return []
    throw new StorageIoError('readdir', dir, e)
  }
}

export async function existsPath(fs: StorageFs, target: string): Promise<boolean> {
  try {
    await fs.stat(target)
    return true
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return false
    throw new StorageIoError('stat', target, e)
  }
}

/** Writes and fsyncs `data` at `target` (no rename: for files inside an unpublished dir). */
export async function writeDurable(fs: StorageFs, target: string, data: string): Promise<void> {
  await io('write', target, () => fs.writeFile(target, data))
  await io('fsync', target, () => fs.fsync(target))
}

/**
 * temp file in the same directory → fsync → rename → fsync the directory. A reader sees the old
 * file or the whole new one, never a torn one. On failure the temp file is removed (best
 * effort: after a real crash it stays, and `verify` reports it as a leftover).
 */
export async function writeAtomic(fs: StorageFs, target: string, data: string): Promise<void> {
  const tmp = tempPathFor(target)
  try {
    await writeDurable(fs, tmp, data)
    await io('rename', target, () => fs.rename(tmp, target))
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined)
    throw e
  }
  await io('fsync', path.dirname(target), () => fs.fsync(path.dirname(target)))
}

/**
 * `writeAtomic` for files of one directory that belong together: each is written and fsynced to
 * a temp file, then all are renamed in the given order, then the directory is fsynced once (not
 * once per file). A reader sees each file whole and the later ones never before the earlier ones.
 */
export async function writeAtomicPair(
  fs: StorageFs,
  dir: string,
  files: readonly { target: string; data: string }[],
): Promise<void> {
  const staged: { tmp: string; target: string }[] = []
  try {
    for (const f of files) {
      const tmp = tempPathFor(f.target)
      staged.push({ tmp, target: f.target })
      await writeDurable(fs, tmp, f.data)
    }
    for (const { tmp, target } of staged) await io('rename', target, () => fs.rename(tmp, target))
  } catch (e) {
    for (const { tmp } of staged) await fs.unlink(tmp).catch(() => undefined)
    throw e
  }
  await io('fsync', dir, () => fs.fsync(dir))
}

/** Moves a file into place (already durable) and fsyncs the directory. */
export async function renameDurable(fs: StorageFs, from: string, to: string): Promise<void> {
  await io('rename', to, () => fs.rename(from, to))
  await io('fsync', path.dirname(to), () => fs.fsync(path.dirname(to)))
}
