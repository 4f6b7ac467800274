/**
 * SnapshotStore in memory, for tests of other layers. Same rules as the file store (shared
 * core); files are kept as the exact text the file store would write, so sha256 and sizes agree.
 */
import type { CurrentPointer, SnapshotManifest } from '../../shared/snapshot-types.ts'
import { StorageCorruptError } from './errors.ts'
import type { SnapshotKey } from './paths.ts'
import type { SnapshotStore } from './ports.ts'
import type { SummaryStatsOf } from './series-index.ts'
import type { SnapshotBackend } from './snapshot-backend.ts'
import { expectedSha, sealState } from './snapshot-files.ts'
import type { SnapshotState } from './snapshot-model.ts'
import { createSnapshotStoreOn } from './snapshot-store-core.ts'
import { sha256Hex } from './schema.ts'

export interface MemorySnapshotStoreOptions {
  /** @default () => new Date() */
  now?: () => Date
  /** @default 'memory' */
  toolVersion?: string
  /** Reads an all-districts file's rows for the series index (normalize's summaryStatsByDistrict). */
  summaryStatsOf?: SummaryStatsOf
}

interface StoredSnapshot {
  state: SnapshotState
  files: Map<string, string>
  generation: number
  seriesIndex: string | null
}

export function createMemorySnapshotStore(
  options: MemorySnapshotStoreOptions = {},
  backend: SnapshotBackend = createMemoryBackend(),
): SnapshotStore {
  return createSnapshotStoreOn(backend, {
    now: options.now ?? (() => new Date()),
    toolVersion: options.toolVersion ?? 'memory',
    summaryStatsOf: options.summaryStatsOf,
  })
}

export interface MemoryBackend extends SnapshotBackend {
  /** Replaces a stored file's text and nothing else (a copy damaged where it is kept; tests). */
  overwriteFile(key: SnapshotKey, name: string, text: string): void
  /** A stored file's text, or undefined. */
  fileText(key: SnapshotKey, name: string): string | undefined
}

export function createMemoryBackend(): MemoryBackend {
  const snapshots = new Map<SnapshotKey, StoredSnapshot>()
  let current: CurrentPointer | null = null
  // Deep copies keep callers from mutating stored state through returned objects.
  const clone = <T>(value: T): T => structuredClone(value)
  const load = (asOf: SnapshotKey) => {
    const s = snapshots.get(asOf)
    return Promise.resolve(s ? clone(s.state) : null)
  }
  return {
    listKeys: () => Promise.resolve([...snapshots.keys()].sort()),
    listGenerations: () =>
      Promise.resolve(
        new Map([...snapshots.keys()].sort().map((k) => [k, String(snapshots.get(k)!.generation)])),
      ),
    loadSeriesIndex: (key) => Promise.resolve(snapshots.get(key)?.seriesIndex ?? null),
    saveSeriesIndex(key, text) {
      const s = snapshots.get(key)
      if (s) s.seriesIndex = text
      return Promise.resolve()
    },
    loadState: load,
    loadForWrite: load,
    readCommitted(asOf: SnapshotKey, manifest: SnapshotManifest, name: string) {
      const text = snapshots.get(asOf)?.files.get(name)
      const want = expectedSha(manifest, name)
      if (text === undefined || want === null || sha256Hex(text) !== want) {
        return Promise.reject(
          new StorageCorruptError(`memory:${asOf}/${name}`, 'missing or sha256 mismatch'),
        )
      }
      return Promise.resolve(Buffer.from(text, 'utf8'))
    },
    commit(asOf, isNew, files, state, seriesIndex) {
      const existing = snapshots.get(asOf)
      if (isNew && existing) return Promise.resolve(false)
      const stored = existing ?? {
        state,
        files: new Map<string, string>(),
        generation: 0,
        seriesIndex: null,
      }
      for (const f of files) stored.files.set(f.name, f.text)
      stored.state = clone({ ...state, manifest: sealState(state).manifest })
      stored.generation++
      if (seriesIndex) stored.seriesIndex = seriesIndex
      snapshots.set(asOf, stored)
      return Promise.resolve(true)
    },
    overwriteFile(key, name, text) {
      snapshots.get(key)?.files.set(name, text)
    },
    fileText: (key, name) => snapshots.get(key)?.files.get(name),
    readCurrent: () => Promise.resolve(current ? clone(current) : null),
    writeCurrent(pointer) {
      current = clone(pointer)
      return Promise.resolve()
    },
  }
}
