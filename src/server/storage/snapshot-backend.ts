/** The byte-level operations a SnapshotStore needs from its medium (disk or memory). */
import type { IsoDate } from '../../shared/iso-date.ts'
import type { CurrentPointer, SnapshotManifest } from '../../shared/snapshot-types.ts'
import type { FileToWrite } from './snapshot-files.ts'
import type { SnapshotState } from './snapshot-model.ts'

export interface SnapshotBackend {
  /** Published snapshot dates, ascending. */
  listDates(): Promise<IsoDate[]>
  /** null when absent; StorageCorruptError when metadata/manifest cannot be trusted. */
  loadState(asOf: IsoDate): Promise<SnapshotState | null>
  /** Like loadState, after finishing whatever an interrupted write left behind. */
  loadForWrite(asOf: IsoDate): Promise<SnapshotState | null>
  /** Bytes of a file the manifest lists, checked against its sha256 (else StorageCorruptError). */
  readCommitted(asOf: IsoDate, manifest: SnapshotManifest, name: string): Promise<Buffer>
  /** Publishes files + state. false = a new snapshot appeared meanwhile (caller reloads). */
  commit(
    asOf: IsoDate,
    isNew: boolean,
    files: FileToWrite[],
    state: SnapshotState,
  ): Promise<boolean>
  readCurrent(): Promise<CurrentPointer | null>
  writeCurrent(pointer: CurrentPointer): Promise<void>
}
