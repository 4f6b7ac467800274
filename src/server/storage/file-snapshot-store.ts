/** SnapshotStore on disk (docs/architecture.md#storage). The write protocol is described in snapshot-files.ts. */
import path from 'node:path'
import type { CurrentPointer } from '../../shared/snapshot-types.ts'
import {
  CURRENT_FILE,
  INDEX_DIR,
  SERIES_INDEX_DIR,
  SNAPSHOTS_DIR,
  parseSnapshotKey,
  resolveInside,
  snapshotDir,
} from './paths.ts'
import type { SnapshotKey } from './paths.ts'
import type { SnapshotStore } from './ports.ts'
import type { SummaryStatsOf } from './series-index.ts'
import type { SnapshotBackend } from './snapshot-backend.ts'
import {
  commitNewSnapshot,
  commitUpdate,
  loadJson,
  loadState,
  readCommitted,
  settlePending,
} from './snapshot-files.ts'
import type { SnapshotFilesContext } from './snapshot-files.ts'
import { createSnapshotStoreOn } from './snapshot-store-core.ts'
import { serializeJson, upgradeCurrent } from './schema.ts'
import { io, nodeStorageFs, readOrNull, readdirOrEmpty, writeAtomic } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'

export interface FileSnapshotStoreOptions {
  dataDir: string
  /** Recorded in every metadata file this store writes. */
  toolVersion: string
  /** @default () => new Date() */
  now?: () => Date
  /** Low-level file operations; tests inject failures here. @default node:fs/promises */
  fs?: StorageFs
  /** Reads an all-districts file's rows for the series index (normalize's summaryStatsByDistrict). */
  summaryStatsOf?: SummaryStatsOf
}

/**
 * Commits per snapshot (as-of and data month, paths.ts) made by stores of this process, by data dir: the generation a reader compares
 * (one writer per data dir, see data-dir-lock.ts, so the writes are this process's).
 */
const generations = new Map<string, Map<SnapshotKey, number>>()

/** For writers beside the store (verify --repair): readers in this process reload the snapshot. */
export function noteSnapshotChanged(dataDir: string, key: SnapshotKey): void {
  const g = generationsOf(path.resolve(dataDir))
  g.set(key, (g.get(key) ?? 0) + 1)
}

function generationsOf(dataDir: string): Map<SnapshotKey, number> {
  let g = generations.get(dataDir)
  if (!g) generations.set(dataDir, (g = new Map()))
  return g
}

export function createFileSnapshotStore(options: FileSnapshotStoreOptions): SnapshotStore {
  const ctx: SnapshotFilesContext = {
    dataDir: path.resolve(options.dataDir),
    fs: options.fs ?? nodeStorageFs,
  }
  return createSnapshotStoreOn(createFileBackend(ctx), {
    now: options.now ?? (() => new Date()),
    toolVersion: options.toolVersion,
    summaryStatsOf: options.summaryStatsOf,
  })
}

export function createFileBackend(ctx: SnapshotFilesContext): SnapshotBackend {
  const currentPath = resolveInside(ctx.dataDir, CURRENT_FILE)
  const seriesDir = resolveInside(ctx.dataDir, INDEX_DIR, SERIES_INDEX_DIR)
  const commits = generationsOf(ctx.dataDir)
  async function listKeys(): Promise<SnapshotKey[]> {
    const names = await readdirOrEmpty(ctx.fs, resolveInside(ctx.dataDir, SNAPSHOTS_DIR))
    return names.filter((n) => parseSnapshotKey(n) !== null).sort()
  }
  /**
   * Written in place, without fsync: the record is derived, and a torn one (a prefix of its
   * JSON) does not parse, so it reads as absent and is derived again; a reader that finds it
   * so takes the date's lock, which this write holds, and reads it again.
   */
  async function saveSeriesIndex(key: SnapshotKey, text: string) {
    const target = path.join(seriesDir, `${key}.json`)
    await io('mkdir', seriesDir, () => ctx.fs.mkdir(seriesDir))
    await io('write', target, () => ctx.fs.writeFile(target, text))
  }
  return {
    listKeys,
    async listGenerations() {
      return new Map((await listKeys()).map((k) => [k, String(commits.get(k) ?? 0)]))
    },
    async loadSeriesIndex(key) {
      const bytes = await readOrNull(ctx.fs, path.join(seriesDir, `${key}.json`))
      return bytes === null ? null : bytes.toString('utf8')
    },
    saveSeriesIndex,
    loadState: (asOf) => loadState(ctx, asOf),
    async loadForWrite(asOf: SnapshotKey) {
      const state = await loadState(ctx, asOf)
      if (state === null) return null
      const { uncommitted } = await settlePending(ctx, asOf, state.manifest)
      // Staging that never reached a manifest: the store's own scratch, not data.
      const dir = snapshotDir(ctx.dataDir, asOf)
      for (const name of uncommitted)
        await ctx.fs.unlink(path.join(dir, name)).catch(() => undefined)
      return state
    },
    readCommitted: (asOf, manifest, name) => readCommitted(ctx, asOf, manifest, name),
    async commit(asOf, isNew, files, state, seriesIndex) {
      let committed: boolean
      try {
        if (isNew) {
          const snapshots = resolveInside(ctx.dataDir, SNAPSHOTS_DIR)
          await io('mkdir', snapshots, () => ctx.fs.mkdir(snapshots))
          committed = await commitNewSnapshot(ctx, asOf, files, state)
        } else {
          await commitUpdate(ctx, asOf, files, state)
          committed = true
        }
      } finally {
        // Also after a failure: whether the manifest moved is not known here, so readers reload.
        commits.set(asOf, (commits.get(asOf) ?? 0) + 1)
      }
      // After the commit (a failed write leaves the data dir as it was). A crash before this
      // leaves the old record, whose entries no longer match the manifest's sha256; a failure
      // only costs deriving them again on read (docs/performance.md#series-index).
      if (committed && seriesIndex) await saveSeriesIndex(asOf, seriesIndex).catch(() => undefined)
      return committed
    },
    readCurrent: () => loadJson(ctx, currentPath, upgradeCurrent),
    async writeCurrent(pointer: CurrentPointer) {
      await io('mkdir', ctx.dataDir, () => ctx.fs.mkdir(ctx.dataDir))
      await writeAtomic(ctx.fs, currentPath, serializeJson(pointer))
    },
  }
}
