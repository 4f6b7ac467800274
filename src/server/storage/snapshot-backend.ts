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
  /**
   * A token per published date that changes whenever that date's snapshot is committed, so a
   * reader reloads only the dates that changed (docs/performance.md#coverage-index).
   */
  listGenerations(): Promise<Map<IsoDate, string>>
  /**
   * Publishes files + state. false = a new snapshot appeared meanwhile (caller reloads).
   * `seriesIndex` (the date's series index record, serialized) is stored with the commit when
   * given: in the same transaction (PostgreSQL) or right after the manifest (files, where a
   * crash in between leaves entries whose sha256 no longer matches, see series-index.ts).
   */
  commit(
    asOf: IsoDate,
    isNew: boolean,
    files: FileToWrite[],
    state: SnapshotState,
    seriesIndex?: string | null,
  ): Promise<boolean>
  /** The stored series index record of a date (its text), null when there is none. */
  loadSeriesIndex(asOf: IsoDate): Promise<string | null>
  /** Replaces a date's series index record outside a commit (a rebuilt one). */
  saveSeriesIndex(asOf: IsoDate, text: string): Promise<void>
  readCurrent(): Promise<CurrentPointer | null>
  writeCurrent(pointer: CurrentPointer): Promise<void>
}
