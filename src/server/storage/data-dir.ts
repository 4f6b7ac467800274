/**
 * Before anything writes DATA_DIR (the server's start, every writing CLI command): prove it can
 * be written, then sweep what an interrupted write left behind. One function, so every entry
 * point does the same.
 */
import path from 'node:path'
import type { Logger } from 'pino'
import { z } from 'zod'
import { parseJsonBytes } from './schema.ts'
import { StorageUnavailableError } from './errors.ts'
import { nodeStorageFs, randomSuffix, readOrNull, tempPathFor, writeAtomic } from './storage-fs.ts'
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

/** `DATA_DIR/last-sweep.json`: when the last finished start-up sweep began. */
export const SWEEP_STAMP_FILE = 'last-sweep.json'

/**
 * Raw CSV directories modified up to this long before the last sweep began are read again: room
 * for a file server's clock that runs behind this host's (the directory's mtime is the server's).
 */
export const SWEEP_CLOCK_MARGIN_MS = 60 * 60_000

/**
 * The writability check, then the sweep of interrupted writes (logged when it found any). The
 * sweep lists directories instead of reading the archive (verify's `interrupted-writes` scope),
 * and reads the raw CSV pairs only of date directories changed since the last sweep that
 * finished (docs/performance.md#start-up-sweep), so a start costs the same for a week of data as
 * for years.
 */
export async function prepareDataDir(options: {
  dataDir: string
  logger: Logger
  /** @default node:fs/promises */
  fs?: StorageFs
  /** @default Date.now */
  now?: () => number
}): Promise<{ swept: string[] }> {
  const fs = options.fs ?? nodeStorageFs
  const now = options.now ?? Date.now
  await assertWritableDataDir(options.dataDir, fs)
  const stampFile = path.join(path.resolve(options.dataDir), SWEEP_STAMP_FILE)
  const last = await readSweepStamp(fs, stampFile)
  const startedAt = now()
  const sweep = await verify({
    dataDir: options.dataDir,
    repair: true,
    repairCodes: INTERRUPTED_WRITE_CODES,
    scope: {
      kind: 'interrupted-writes',
      ...(last === null ? {} : { rawChangedSince: last - SWEEP_CLOCK_MARGIN_MS }),
    },
    fs,
  })
  const swept = sweep.problems.filter((p) => p.repaired).map((p) => p.path)
  if (swept.length > 0) options.logger.warn({ swept }, 'cleaned up interrupted writes')
  // Only a sweep that left nothing of its kind behind lets the next one skip what it read.
  // A stamp that cannot be written only means the next start reads every raw pair again.
  if (sweep.ok)
    await writeAtomic(
      fs,
      stampFile,
      `${JSON.stringify({ startedAt: new Date(startedAt).toISOString() })}\n`,
    ).catch((e: unknown) => options.logger.warn({ err: e }, 'could not record the start-up sweep'))
  return { swept }
}

/** What last-sweep.json holds. */
const sweepStamp = z.object({ startedAt: z.iso.datetime() })

/** The stamp's instant; null when there is none or it is not one (then everything is read). */
async function readSweepStamp(fs: StorageFs, file: string): Promise<number | null> {
  const bytes = await readOrNull(fs, file).catch(() => null)
  if (bytes === null) return null
  try {
    const stamp = sweepStamp.safeParse(parseJsonBytes(bytes, file))
    return stamp.success ? Date.parse(stamp.data.startedAt) : null
  } catch {
    return null
  }
}
