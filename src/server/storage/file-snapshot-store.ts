/** SnapshotStore on disk (docs/architecture.md#storage). The write protocol is described in snapshot-files.ts. */
import path from 'node:path'
import type { CurrentPointer } from '../../shared/snapshot-types.ts'
import {
  CURRENT_FILE,
  SNAPSHOTS_DIR,
  parseSnapshotKey,
  resolveInside,
  snapshotDir,
} from './paths.ts'
import type { SnapshotKey } from './paths.ts'
import type { SnapshotStore } from './ports.ts'
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
import { io, nodeStorageFs, readdirOrEmpty, writeAtomic } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'

export interface FileSnapshotStoreOptions {
  dataDir: string
  /** Recorded in every metadata file this store writes. */
  toolVersion: string
  /** @default () => new Date() */
  now?: () => Date
  /** Low-level file operations; tests inject failures here. @default node:fs/promises */
  fs?: StorageFs
}

export function createFileSnapshotStore(options: FileSnapshotStoreOptions): SnapshotStore {
  const ctx: SnapshotFilesContext = {
    dataDir: path.resolve(options.dataDir),
    fs: options.fs ?? nodeStorageFs,
  }
  return createSnapshotStoreOn(createFileBackend(ctx), {
    now: options.now ?? (() => new Date()),
    toolVersion: options.toolVersion,
  })
}

export function createFileBackend(ctx: SnapshotFilesContext): SnapshotBackend {
  const currentPath = resolveInside(ctx.dataDir, CURRENT_FILE)
  return {
    async listKeys() {
      const names = await readdirOrEmpty(ctx.fs, resolveInside(ctx.dataDir, SNAPSHOTS_DIR))
      return names.filter((n) => parseSnapshotKey(n) !== null).sort()
    },
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
    async commit(asOf, isNew, files, state) {
      if (!isNew) {
        await commitUpdate(ctx, asOf, files, state)
        return true
      }
      const snapshots = resolveInside(ctx.dataDir, SNAPSHOTS_DIR)
      await io('mkdir', snapshots, () => ctx.fs.mkdir(snapshots))
      return commitNewSnapshot(ctx, asOf, files, state)
    },
    readCurrent: () => loadJson(ctx, currentPath, upgradeCurrent),
    async writeCurrent(pointer: CurrentPointer) {
      await io('mkdir', ctx.dataDir, () => ctx.fs.mkdir(ctx.dataDir))
      await writeAtomic(ctx.fs, currentPath, serializeJson(pointer))
    },
  }
}
