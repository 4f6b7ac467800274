import { spawn } from 'node:child_process'
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  acquireDataDirLock,
  currentHolder,
  DataDirLockedError,
  LOCK_DIR,
  LOCK_HOLDER_FILE,
  LOCK_STALE_MS,
  readDataDirId,
  type LockHolder,
} from './data-dir-lock.ts'
import { makeTempRoot } from './test-helpers.ts'

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' })
  await new Promise((resolve) => child.on('close', resolve))
  return child.pid ?? 0
}

/** Leaves DATA_DIR as a holder that never released would: the lock dir and its record. */
async function leaveLock(dataDir: string, holder: Partial<LockHolder>, ageMs: number) {
  const lockPath = path.join(dataDir, LOCK_DIR)
  await fsp.mkdir(lockPath)
  const record: LockHolder = {
    pid: 1,
    host: os.hostname(),
    startedAt: '2026-12-01T00:00:00.000Z',
    role: 'server',
    command: 'serve',
    url: 'http://127.0.0.1:5001',
    ...holder,
  }
  await fsp.writeFile(path.join(dataDir, LOCK_HOLDER_FILE), JSON.stringify(record))
  const at = new Date(Date.now() - ageMs)
  await fsp.utimes(lockPath, at, at)
}

describe('the DATA_DIR lock', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ dataDir, cleanup } = await makeTempRoot())
  })
  afterEach(() => cleanup())

  it('records pid, host, role and URL; a second holder is refused by name; release frees it', async () => {
    const lock = await acquireDataDirLock({ dataDir, role: 'server', command: 'serve' })
    await lock.setUrl('http://127.0.0.1:4321')
    const record = JSON.parse(
      await fsp.readFile(path.join(dataDir, LOCK_HOLDER_FILE), 'utf8'),
    ) as LockHolder
    expect(record).toMatchObject({
      pid: process.pid,
      host: os.hostname(),
      role: 'server',
      url: 'http://127.0.0.1:4321',
    })
    expect((await currentHolder(dataDir))?.holder).toEqual(record)

    const second = await acquireDataDirLock({ dataDir, role: 'cli', command: 'refresh' }).catch(
      (e: unknown) => e,
    )
    expect(second).toBeInstanceOf(DataDirLockedError)
    expect((second as Error).message).toContain(
      `a server holds DATA_DIR (pid ${process.pid} on host ${os.hostname()}, http://127.0.0.1:4321`,
    )

    await lock.release()
    await lock.release()
    expect(await currentHolder(dataDir)).toBeNull()
    await expect(fsp.stat(path.join(dataDir, LOCK_HOLDER_FILE))).rejects.toThrow(/ENOENT/)
    const again = await acquireDataDirLock({ dataDir, role: 'cli', command: 'refresh' })
    await again.release()
  })

  it('keeps one id per DATA_DIR across holders', async () => {
    const first = await acquireDataDirLock({ dataDir, role: 'server', command: 'serve' })
    const id = await readDataDirId(dataDir)
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    await first.release()
    const second = await acquireDataDirLock({ dataDir, role: 'server', command: 'serve' })
    expect(await readDataDirId(dataDir)).toBe(id)
    await second.release()
  })

  it('takes over at once from a holder on this host whose pid is gone, though its lock is fresh', async () => {
    await leaveLock(dataDir, { pid: await deadPid() }, 0)
    const lock = await acquireDataDirLock({ dataDir, role: 'server', command: 'serve' })
    expect(lock.holder.pid).toBe(process.pid)
    await lock.release()
  })

  it('waits out a fresh lock of a live or remote holder, and takes it over once stale', async () => {
    // A live pid on this host (this very test runner's parent) and a pid on another host.
    for (const holder of [{ pid: process.ppid }, { pid: 4242, host: 'elsewhere.example' }]) {
      await leaveLock(dataDir, holder, 1_000)
      await expect(
        acquireDataDirLock({ dataDir, role: 'server', command: 'serve' }),
      ).rejects.toBeInstanceOf(DataDirLockedError)
      expect((await currentHolder(dataDir))?.holder?.pid).toBe(holder.pid)

      const stale = new Date(Date.now() - LOCK_STALE_MS - 1_000)
      await fsp.utimes(path.join(dataDir, LOCK_DIR), stale, stale)
      expect(await currentHolder(dataDir)).toBeNull()
      const lock = await acquireDataDirLock({ dataDir, role: 'server', command: 'serve' })
      await lock.release()
    }
  })
})
