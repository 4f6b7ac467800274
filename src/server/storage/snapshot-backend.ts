/** The byte-level operations a SnapshotStore needs from its medium (disk or memory). */
import type { CurrentPointer, SnapshotManifest } from '../../shared/snapshot-types.ts'
import type { SnapshotKey } from './paths.ts'
import type { FileToWrite } from './snapshot-files.ts'
import type { SnapshotState } from './snapshot-model.ts'

/**
 * Every operation names one (as-of, data month) snapshot by its key (paths.ts): the as-of for the
 * first month stored at that as-of, `<asOf>_<YYYY-MM>` for the other one.
 */
export interface SnapshotBackend {
  /** Published snapshot keys, ascending (an as-of's second month right after its first). */
  listKeys(): Promise<SnapshotKey[]>
  /** null when absent; StorageCorruptError when metadata/manifest cannot be trusted. */
  loadState(key: SnapshotKey): Promise<SnapshotState | null>
  /** Like loadState, after finishing whatever an interrupted write left behind. */
  loadForWrite(key: SnapshotKey): Promise<SnapshotState | null>
  /** Bytes of a file the manifest lists, checked against its sha256 (else StorageCorruptError). */
  readCommitted(key: SnapshotKey, manifest: SnapshotManifest, name: string): Promise<Buffer>
  /**
   * A token per published snapshot key that changes whenever that snapshot is committed, so a
   * reader reloads only the snapshots that changed (docs/performance.md#coverage-index).
   */
  listGenerations(): Promise<Map<SnapshotKey, string>>
  /**
   * Publishes files + state. false = a new snapshot appeared meanwhile (caller reloads).
   * `seriesIndex` (the snapshot's series index record, serialized) is stored with the commit when
   * given: in the same transaction (PostgreSQL) or right after the manifest (files, where a
   * crash in between leaves entries whose sha256 no longer matches, see series-index.ts).
   */
  commit(
    key: SnapshotKey,
    isNew: boolean,
    files: FileToWrite[],
    state: SnapshotState,
    seriesIndex?: string | null,
  ): Promise<boolean>
  /** The stored series index record of a snapshot (its text), null when there is none. */
  loadSeriesIndex(key: SnapshotKey): Promise<string | null>
  /** Replaces a snapshot's series index record outside a commit (a rebuilt one). */
  saveSeriesIndex(key: SnapshotKey, text: string): Promise<void>
  readCurrent(): Promise<CurrentPointer | null>
  writeCurrent(pointer: CurrentPointer): Promise<void>
}
