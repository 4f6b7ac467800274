/**
 * nodeStorageFs: a durable write (writeDurable, writeAtomic) really reaches fsync(2) on the file
 * and on its directory, with the open and close done synchronously around it, and only the fsync
 * handed to libuv's thread pool (docs/performance.md#round-3-one-thread-pool-round-trip-per-durable-file).
 */
import fs, { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { errnoOf } from './errors.ts'
import { makeDirectory, nodeStorageFs, writeAtomic, writeDurable } from './storage-fs.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tmb-storage-fs-'))
})
afterEach(async () => {
  vi.restoreAllMocks()
  await rm(dir, { recursive: true, force: true })
})

/** The path each fd passed to fs.fsync was opened on (via fs.openSync), in call order. */
function recordFsyncs() {
  const opened = new Map<number, string>()
  const synced: string[] = []
  const openSync = fs.openSync
  vi.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
    const fd = openSync(...args)
    opened.set(fd, String(args[0]))
    return fd
  })
  const fsync = fs.fsync
  vi.spyOn(fs, 'fsync').mockImplementation((fd, cb) => {
    synced.push(opened.get(fd) ?? `fd ${fd}`)
    fsync(fd, cb)
  })
  return synced
}

describe('nodeStorageFs', () => {
  it('writeDurable writes every byte and fsyncs that file', async () => {
    const synced = recordFsyncs()
    const target = path.join(dir, 'a.csv')
    const data = 'é,x\n'.repeat(300_000) // larger than one write(2) may take
    await writeDurable(nodeStorageFs, target, data)
    expect(await readFile(target, 'utf8')).toBe(data)
    expect(synced).toEqual([target])
  })

  it('writeAtomic fsyncs the temp file before its rename and the directory after', async () => {
    const synced = recordFsyncs()
    const target = path.join(dir, 'b.json')
    await writeAtomic(nodeStorageFs, target, '{"a":1}\n')
    expect(await readFile(target, 'utf8')).toBe('{"a":1}\n')
    expect(await readdir(dir)).toEqual(['b.json'])
    expect(synced).toHaveLength(2)
    expect(path.dirname(synced[0]!)).toBe(dir)
    expect(path.basename(synced[0]!)).toMatch(/^\.b\.json\..*\.tmp$/)
    expect(synced[1]).toBe(dir)
  })

  it('closes the descriptor it opened for an fsync, also when the fsync fails', async () => {
    const target = path.join(dir, 'c')
    await nodeStorageFs.writeFile(target, 'c')
    const closed: number[] = []
    const closeSync = fs.closeSync
    vi.spyOn(fs, 'closeSync').mockImplementation((fd) => (closed.push(fd), closeSync(fd)))
    const opened: number[] = []
    const openSync = fs.openSync
    vi.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
      const fd = openSync(...args)
      opened.push(fd)
      return fd
    })
    vi.spyOn(fs, 'fsync').mockImplementation((_fd, cb) =>
      cb(Object.assign(new Error('EIO: injected'), { code: 'EIO' })),
    )
    const failure = await nodeStorageFs.fsync(target).catch((e: unknown) => e)
    expect(errnoOf(failure)).toBe('EIO')
    expect(opened).toHaveLength(1)
    expect(closed).toEqual(opened)
  })

  it('reports a missing file or directory with its errno, as the async calls did', async () => {
    const missing = path.join(dir, 'no-such-dir', 'f')
    expect(errnoOf(await nodeStorageFs.writeFile(missing, 'x').catch((e: unknown) => e))).toBe(
      'ENOENT',
    )
    expect(errnoOf(await nodeStorageFs.fsync(missing).catch((e: unknown) => e))).toBe('ENOENT')
    expect(errnoOf(await nodeStorageFs.appendFile(missing, 'x').catch((e: unknown) => e))).toBe(
      'ENOENT',
    )
  })

  it('reports a missing file to read, stat or list with its errno', async () => {
    const missing = path.join(dir, 'no-such-dir', 'f')
    const errno = (p: Promise<unknown>) => p.then(() => null, errnoOf)
    expect(await errno(nodeStorageFs.readFile(missing))).toBe('ENOENT')
    expect(await errno(nodeStorageFs.stat(missing))).toBe('ENOENT')
    expect(await errno(nodeStorageFs.readdir(missing))).toBe('ENOENT')
  })

  it('lets the event loop turn during a long chain of synchronous calls', async () => {
    // A chain that never waits on the thread pool (as a verify of a whole DATA_DIR reads,
    // stats and lists) would hold the loop for as long as it runs: a timer could not fire. The
    // loop turns once the chain has run MAX_SYNC_TURN_MS.
    const file = path.join(dir, 'f.json')
    await writeFile(file, '{}')
    const calls: [string, () => Promise<unknown>][] = [
      ['readFile', () => nodeStorageFs.readFile(file)],
      ['stat', () => nodeStorageFs.stat(file)],
      ['readdir', () => nodeStorageFs.readdir(dir)],
      ['writeFile', () => nodeStorageFs.writeFile(file, '{}')],
      ['appendFile', () => nodeStorageFs.appendFile(path.join(dir, 'log'), 'x')],
    ]
    for (const [name, call] of calls) {
      let fired = false
      const timer = setTimeout(() => (fired = true), 1)
      let n = 0
      while (!fired && n < 200_000) {
        await call()
        n++
      }
      clearTimeout(timer)
      expect(fired, `${name}: the timer fired within the chain (${n} calls)`).toBe(true)
    }
  })

  it('appendFile appends, creating the file', async () => {
    const target = path.join(dir, 'log.ndjson')
    await nodeStorageFs.appendFile(target, 'one\n')
    await nodeStorageFs.appendFile(target, 'two\n')
    expect(await readFile(target, 'utf8')).toBe('one\ntwo\n')
  })
})

describe('makeDirectory (mkdir -p)', () => {
  it('creates every missing level, and is a no-op for a directory that exists', async () => {
    const deep = path.join(dir, 'a', 'b', 'c')
    await makeDirectory(deep)
    expect((await stat(deep)).isDirectory()).toBe(true)
    await makeDirectory(deep)
    await makeDirectory(path.join(dir, 'a'))
    expect(await readdir(path.join(dir, 'a'))).toEqual(['b'])
  })

  it("refuses a path through or onto a file with the kernel's errno", async () => {
    const file = path.join(dir, 'f')
    await writeFile(file, 'x')
    expect(errnoOf(await makeDirectory(file).catch((e: unknown) => e))).toBe('EEXIST')
    expect(errnoOf(await makeDirectory(path.join(file, 'sub')).catch((e: unknown) => e))).toBe(
      'ENOTDIR',
    )
  })

  // Node 20's recursive mkdir loops forever at full CPU on such a path (the kernel answers ENOENT
  // although /proc exists); a data dir there must fail at once, not hang a cron job.
  it.runIf(existsSync('/proc/self'))(
    'fails at once with ENOENT where the kernel refuses a directory whose parent exists (/proc)',
    async () => {
      const e = await makeDirectory('/proc/tmb-no-such-dir/data').catch((err: unknown) => err)
      expect(errnoOf(e)).toBe('ENOENT')
    },
  )
})
