/**
 * Storage trouble made visible: a StorageFs wrapper that remembers the last failure of each
 * operation (cleared when that operation next succeeds), plus free space from statfs, for
 * `/api/health`. Missing files are answers, not trouble, so ENOENT and friends are not counted.
 */
import path from 'node:path'
import { errnoOf, toError } from './errors.ts'
import { assertWritableDataDir } from './data-dir.ts'
import type { StorageFs } from './storage-fs.ts'

/** Errnos the storage code expects and handles as answers (absent file, lost publish race). */
const EXPECTED_ERRNOS = new Set(['ENOENT', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY'])

export interface StorageErrorRecord {
  /** The errno (EACCES, EROFS, ENOSPC, EIO, ...). */
  code: string
  operation: string
  path: string
  message: string
  at: string
}

export interface StorageHealthReport {
  /** A probe file could be written just now, and no operation's last attempt failed. */
  ok: boolean
  writable: boolean
  /** The most recent failure of any operation (kept after recovery, as history). */
  lastError: StorageErrorRecord | null
  /** Operations whose last attempt failed. */
  failingOperations: string[]
  freeBytes: number | null
  minFreeBytes: number
  lowSpace: boolean
}

export interface StorageHealth {
  /** The StorageFs to hand to every store: failures through it are recorded. */
  fs: StorageFs
  lastError(): StorageErrorRecord | null
  report(): Promise<StorageHealthReport>
}

export function createStorageHealth(options: {
  base: StorageFs
  dataDir: string
  minFreeBytes: number
  now: () => number
}): StorageHealth {
  const failing = new Map<string, StorageErrorRecord>()
  let last: StorageErrorRecord | null = null
  const wrap = <K extends keyof StorageFs>(op: K): StorageFs[K] => {
    const real = options.base[op] as (...args: unknown[]) => Promise<unknown>
    return (async (...args: unknown[]) => {
      try {
        const value = await real(...args)
        failing.delete(op)
        return value
      } catch (e) {
        const code = errnoOf(e)
        if (code === undefined || !EXPECTED_ERRNOS.has(code)) {
          last = {
            code: code ?? 'EUNKNOWN',
            operation: op,
            path: String(args[0]),
            message: toError(e).message,
            at: new Date(options.now()).toISOString(),
          }
          failing.set(op, last)
        }
        throw e
      }
    }) as StorageFs[K]
  }
  const ops = Object.keys(options.base) as (keyof StorageFs)[]
  const fs = Object.fromEntries(ops.map((op) => [op, wrap(op)])) as unknown as StorageFs

  return {
    fs,
    lastError: () => last,
    async report() {
      const writable = await assertWritableDataDir(options.dataDir, fs).then(
        () => true,
        () => false,
      )
      const space = await fs.statfs(path.resolve(options.dataDir)).catch(() => null)
      const lowSpace = space !== null && space.freeBytes < options.minFreeBytes
      return {
        ok: writable && failing.size === 0 && !lowSpace,
        writable,
        lastError: last,
        failingOperations: [...failing.keys()].sort(),
        freeBytes: space?.freeBytes ?? null,
        minFreeBytes: options.minFreeBytes,
        lowSpace,
      }
    },
  }
}
