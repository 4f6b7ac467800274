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
  /** Publishes files + state. false = a new snapshot appeared meanwhile (caller reloads). */
  commit(
    key: SnapshotKey,
    isNew: boolean,
    files: FileToWrite[],
    state: SnapshotState,
  ): Promise<boolean>
  readCurrent(): Promise<CurrentPointer | null>
  writeCurrent(pointer: CurrentPointer): Promise<void>
}
