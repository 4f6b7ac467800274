/**
 * Before anything writes DATA_DIR (the server's start, every writing CLI command): prove it can
 * be written, then sweep what an interrupted write left behind. One function, so every entry
 * point does the same.
 */
import path from 'node:path'
import type { Logger } from 'pino'
import { StorageUnavailableError } from './errors.ts'
import { nodeStorageFs, randomSuffix, tempPathFor } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'
import { INTERRUPTED_WRITE_CODES, verify } from './verify.ts'

/**
 * Creates DATA_DIR if needed and really writes, fsyncs and removes a probe file in it (a mode
 * check would say yes to root on a read-only mount). Throws StorageUnavailableError naming the
 * path and the errno (EACCES, EROFS, ENOSPC, ENOTDIR, ...).
 */
export async function assertWritableDataDir(dataDir: string, fs: StorageFs = nodeStorageFs) {
  const dir = path.resolve(dataDir)
  // A temp name: a crash mid-probe leaves a file the sweep clears.
  const probe = tempPathFor(path.join(dir, `write-probe-${randomSuffix()}`))
  try {
    await fs.mkdir(dir)
    await fs.writeFile(probe, 'probe\n')
    await fs.fsync(probe)
    await fs.unlink(probe)
  } catch (e) {
    await fs.unlink(probe).catch(() => undefined)
    throw new StorageUnavailableError('DATA_DIR', dir, e)
  }
}

/** The writability check, then the sweep of interrupted writes (logged when it found any). */
export async function prepareDataDir(options: {
  dataDir: string
  logger: Logger
  /** @default node:fs/promises */
  fs?: StorageFs
}): Promise<{ swept: string[] }> {
  const fs = options.fs ?? nodeStorageFs
  await assertWritableDataDir(options.dataDir, fs)
  const sweep = await verify({
    dataDir: options.dataDir,
    repair: true,
    repairCodes: INTERRUPTED_WRITE_CODES,
    scope: 'interrupted-writes',
    fs,
  })
  const swept = sweep.problems.filter((p) => p.repaired).map((p) => p.path)
  if (swept.length > 0) options.logger.warn({ swept }, 'cleaned up interrupted writes')
  return { swept }
}
