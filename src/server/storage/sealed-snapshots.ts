/**
 * Snapshots as sealed units of bytes, for copying a whole DATA_DIR into PostgreSQL and back
 * (`tm-backfill migrate` / `export`). A sealed snapshot is its manifest, the exact metadata text
 * the manifest hashes and the exact bytes of every file it lists, each checked against the
 * manifest's sha256 and size when read. Nothing here re-derives a file: what was hashed on one
 * side is what is stored on the other, so a manifest means the same thing in both.
 *
 * Writes go through each medium's own commit protocol: on disk the file backend's (new snapshot
 * built aside and renamed into place, or staged files and a manifest commit), in PostgreSQL one
 * transaction under the writers' advisory lock of that as-of (see pg-storage.ts).
 */
import path from 'node:path'
import type pg from 'pg'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { SnapshotManifest } from '../../shared/snapshot-types.ts'
import { StorageCorruptError, isStorageError } from './errors.ts'
import { createFileBackend } from './file-snapshot-store.ts'
import {
  ALL_DISTRICTS_FILE,
  MANIFEST_FILE,
  METADATA_FILE,
  districtFileName,
  districtIdOfFileName,
  parseSnapshotKey,
  snapshotDir,
} from './paths.ts'
import type { SnapshotKey } from './paths.ts'
import { listPgSnapshotKeys, pgKey } from './pg-snapshot-store.ts'
import { createPgTransactions, pgQuery } from './pg-storage.ts'
import type { PgTransactions } from './pg-storage.ts'
import {
  parseJsonBytes,
  sha256Hex,
  upgradeCurrent,
  upgradeManifest,
  upgradeMetadata,
} from './schema.ts'
import { checkStateKey, loadJson, readCommitted } from './snapshot-files.ts'
import type { SnapshotFilesContext } from './snapshot-files.ts'
import type { StorageFs } from './storage-fs.ts'
import { nodeStorageFs, readOrNull, readdirOrEmpty } from './storage-fs.ts'
import type { CurrentPointer } from '../../shared/snapshot-types.ts'

export interface SealedFile {
  name: string
  bytes: Buffer
}

export interface SealedSnapshot {
  /** The as-of, or `<asOf>_<YYYY-MM>` for an as-of's second data month (paths.ts). */
  key: SnapshotKey
  /** Always carries `metadataSha256`, the sha256 of `metadataText`. */
  manifest: SnapshotManifest
  metadataText: string
  /** The district files and all-districts.json the manifest lists, each matching it. */
  files: SealedFile[]
}

/** A file that failed its check: not copied. */
export interface SealProblem {
  path: string
  message: string
}

export interface SealedRead {
  snapshot: SealedSnapshot | null
  problems: SealProblem[]
}

/** Key-order-independent JSON text: jsonb does not keep key order, the files do. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as never)[key])
  return out
}

export function sameManifest(a: SnapshotManifest, b: SnapshotManifest): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

/** The names a manifest lists besides metadata.json, with the size and sha256 it expects. */
function listedFiles(manifest: SnapshotManifest): { name: string; sizeBytes: number }[] {
  const files = Object.values(manifest.districts).map((e) => ({
    name: districtFileName(e.districtId),
    sizeBytes: e.sizeBytes,
  }))
  if (manifest.allDistricts) {
    files.push({ name: ALL_DISTRICTS_FILE, sizeBytes: manifest.allDistricts.sizeBytes })
  }
  return files
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Checks bytes of a listed file against the manifest entry's size and sha256. */
function checkBytes(manifest: SnapshotManifest, name: string, bytes: Buffer): string | null {
  const listed = listedFiles(manifest).find((f) => f.name === name)
  if (listed === undefined) return 'not listed in the manifest'
  if (bytes.length !== listed.sizeBytes)
    return `size ${bytes.length} bytes, the manifest says ${listed.sizeBytes}`
  const want =
    name === ALL_DISTRICTS_FILE
      ? manifest.allDistricts?.sha256
      : manifest.districts[districtIdOfFileName(name) ?? '']?.sha256
  if (sha256Hex(bytes) !== want) return 'its sha256 does not match the manifest'
  return null
}

/** Snapshot keys of a file DATA_DIR, ascending (an as-of's second data month after its first). */
export async function listDiskSnapshotKeys(
  dataDir: string,
  fs: StorageFs = nodeStorageFs,
): Promise<SnapshotKey[]> {
  return createFileBackend({ dataDir: path.resolve(dataDir), fs }).listKeys()
}

/** The keys of one as-of among `keys`. */
export function keysOfDate(keys: readonly SnapshotKey[], asOf: IsoDate): SnapshotKey[] {
  return keys.filter((k) => parseSnapshotKey(k)?.asOf === asOf)
}

/** The as-ofs of `keys`, each once. */
export function datesOfKeys(keys: readonly SnapshotKey[]): IsoDate[] {
  return [...new Set(keys.flatMap((k) => parseSnapshotKey(k)?.asOf ?? []))]
}

/**
 * One snapshot directory, every listed file checked against the manifest (a committed pending
 * copy left by an interrupted write counts, as for every reader). `snapshot` is null when a
 * file failed: then `problems` names each one.
 */
export async function readSealedFromDisk(
  dataDir: string,
  key: SnapshotKey,
  fs: StorageFs = nodeStorageFs,
): Promise<SealedRead> {
  const ctx: SnapshotFilesContext = { dataDir: path.resolve(dataDir), fs }
  const dir = snapshotDir(ctx.dataDir, key)
  const problems: SealProblem[] = []
  let manifest: SnapshotManifest | null
  try {
    manifest = await loadJson(ctx, path.join(dir, MANIFEST_FILE), upgradeManifest)
  } catch (e) {
    return {
      snapshot: null,
      problems: [{ path: path.join(dir, MANIFEST_FILE), message: describe(e) }],
    }
  }
  if (manifest === null) {
    return {
      snapshot: null,
      problems: [{ path: path.join(dir, MANIFEST_FILE), message: 'missing' }],
    }
  }
  let metadataText: string | null = null
  try {
    const bytes = manifest.metadataSha256
      ? await readCommitted(ctx, key, manifest, METADATA_FILE)
      : await readOrNull(fs, path.join(dir, METADATA_FILE))
    if (bytes === null) throw new StorageCorruptError(path.join(dir, METADATA_FILE), 'missing')
    metadataText = bytes.toString('utf8')
    const metadata = upgradeMetadata(parseJsonBytes(metadataText, METADATA_FILE), METADATA_FILE)
    checkStateKey(dir, key, metadata, manifest)
  } catch (e) {
    problems.push({ path: path.join(dir, METADATA_FILE), message: describe(e) })
  }
  const files: SealedFile[] = []
  for (const { name } of listedFiles(manifest)) {
    try {
      const bytes = await readCommitted(ctx, key, manifest, name)
      const problem = checkBytes(manifest, name, bytes)
      if (problem !== null) throw new StorageCorruptError(path.join(dir, name), problem)
      files.push({ name, bytes })
    } catch (e) {
      if (!isStorageError(e)) throw e
      problems.push({ path: path.join(dir, name), message: describe(e) })
    }
  }
  if (problems.length > 0 || metadataText === null) return { snapshot: null, problems }
  return {
    snapshot: {
      key,
      manifest: { ...manifest, metadataSha256: sha256Hex(metadataText) },
      metadataText,
      files,
    },
    problems,
  }
}

/** What happened to one snapshot copied into a store that may already hold that date. */
export type SealedWriteOutcome = 'copied' | 'identical' | 'conflict' | 'replaced'

/** One outcome for a date whose data months were copied one by one; null when none was. */
export function worstOutcome(outcomes: readonly SealedWriteOutcome[]): SealedWriteOutcome | null {
  for (const o of ['conflict', 'replaced', 'copied', 'identical'] as const)
    if (outcomes.includes(o)) return o
  return null
}

/**
 * Writes sealed snapshots into a DATA_DIR through the file store's commit protocol. A date
 * already there with an identical manifest is left alone; one with another manifest is
 * replaced (staged, then the manifest commit), and district files the new manifest no longer
 * lists are removed.
 */
export async function writeSealedToDisk(
  dataDir: string,
  snapshot: SealedSnapshot,
  fs: StorageFs = nodeStorageFs,
): Promise<SealedWriteOutcome> {
  const ctx: SnapshotFilesContext = { dataDir: path.resolve(dataDir), fs }
  const backend = createFileBackend(ctx)
  const existing = await backend.loadForWrite(snapshot.key).catch((e: unknown) => {
    // A snapshot the target cannot read is replaced by the good copy.
    if (e instanceof StorageCorruptError) return null
    throw e
  })
  if (existing !== null && sameManifest(existing.manifest, snapshot.manifest)) return 'identical'
  const state = {
    metadata: upgradeMetadata(parseJsonBytes(snapshot.metadataText, METADATA_FILE)),
    manifest: snapshot.manifest,
  }
  const texts = snapshot.files.map((f) => ({ name: f.name, text: f.bytes.toString('utf8') }))
  const isNew =
    existing === null &&
    (await readdirOrEmpty(fs, snapshotDir(ctx.dataDir, snapshot.key))).length === 0
  if (!(await backend.commit(snapshot.key, isNew, texts, state))) {
    await backend.commit(snapshot.key, false, texts, state)
  }
  if (!isNew) {
    const keep = new Set([...snapshot.files.map((f) => f.name)])
    const dir = snapshotDir(ctx.dataDir, snapshot.key)
    for (const name of await readdirOrEmpty(fs, dir)) {
      if (districtIdOfFileName(name) !== null && !keep.has(name))
        await fs.unlink(path.join(dir, name)).catch(() => undefined)
    }
  }
  return isNew ? 'copied' : 'replaced'
}

/** The current pointer of a file DATA_DIR (null when none; StorageCorruptError when unreadable). */
export async function readDiskCurrent(
  dataDir: string,
  fs: StorageFs = nodeStorageFs,
): Promise<CurrentPointer | null> {
  return createFileBackend({ dataDir: path.resolve(dataDir), fs }).readCurrent()
}

export async function writeDiskCurrent(
  dataDir: string,
  pointer: CurrentPointer,
  fs: StorageFs = nodeStorageFs,
): Promise<void> {
  await createFileBackend({ dataDir: path.resolve(dataDir), fs }).writeCurrent(pointer)
}

/** Sealed snapshots in PostgreSQL (the tables of pg-snapshot-store.ts). */
export interface PgSealedSnapshots {
  /** Snapshot keys, ascending (see paths.ts). */
  listKeys(): Promise<SnapshotKey[]>
  /**
   * Runs fn in one transaction holding the writers' lock of that as-of (the one the PostgreSQL
   * snapshot store takes), so the date is copied whole or not at all; queries of `db()` inside
   * run on that transaction.
   */
  inDateTransaction<T>(asOf: IsoDate, fn: () => Promise<T>): Promise<T>
  db(): pg.Pool | pg.PoolClient
  /** Inserts the snapshot unless the date exists: 'identical' or 'conflict' then. */
  insert(snapshot: SealedSnapshot): Promise<SealedWriteOutcome>
  /** Reads and checks one snapshot; null snapshot when absent or when a stored file failed. */
  read(key: SnapshotKey): Promise<SealedRead>
  readCurrent(): Promise<CurrentPointer | null>
  /** Sets the pointer when none is set or the stored one is older; true when it moved. */
  advanceCurrent(pointer: CurrentPointer): Promise<boolean>
}

export function createPgSealedSnapshots(pool: pg.Pool): PgSealedSnapshots {
  // The namespace and keys of pg-snapshot-store.ts: copies and live writers take turns.
  const tx: PgTransactions = createPgTransactions(pool, 'snapshots')
  const q = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    pgQuery<R>(tx.db(), 'snapshots', sql, params)

  async function loadManifest(
    key: SnapshotKey,
  ): Promise<{ manifest: SnapshotManifest; metadataText: string } | null> {
    const { asOf, other } = pgKey(key)
    const { rows } = await q<{ manifest: unknown; metadata_text: string }>(
      'SELECT manifest, metadata_text FROM snapshots WHERE as_of = $1 AND other_month = $2',
      [asOf, other],
    )
    const row = rows[0]
    if (row === undefined) return null
    return {
      manifest: upgradeManifest(row.manifest, `postgres:snapshots/${key} manifest`),
      metadataText: row.metadata_text,
    }
  }

  return {
    listKeys: () => listPgSnapshotKeys(q),
    inDateTransaction: (asOf, fn) => tx.write(`as-of:${asOf}`, fn),
    db: () => tx.db(),
    async insert(snapshot) {
      const existing = await loadManifest(snapshot.key)
      if (existing !== null)
        return sameManifest(existing.manifest, snapshot.manifest) ? 'identical' : 'conflict'
      const { asOf, other } = pgKey(snapshot.key)
      await q(
        `INSERT INTO snapshots (as_of, other_month, manifest, metadata_text)
         VALUES ($1, $2, $3, $4)`,
        [asOf, other, JSON.stringify(snapshot.manifest), snapshot.metadataText],
      )
      for (const f of snapshot.files) {
        await q(
          `INSERT INTO snapshot_files (as_of, other_month, name, body, sha256, size_bytes)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [asOf, other, f.name, f.bytes, sha256Hex(f.bytes), f.bytes.length],
        )
      }
      return 'copied'
    },
    async read(key) {
      const where = (name: string) => `postgres:snapshots/${key}/${name}`
      let loaded: Awaited<ReturnType<typeof loadManifest>>
      try {
        loaded = await loadManifest(key)
      } catch (e) {
        return { snapshot: null, problems: [{ path: where(MANIFEST_FILE), message: describe(e) }] }
      }
      if (loaded === null) return { snapshot: null, problems: [] }
      const { manifest, metadataText } = loaded
      const problems: SealProblem[] = []
      if (sha256Hex(metadataText) !== manifest.metadataSha256)
        problems.push({
          path: where(METADATA_FILE),
          message: 'its sha256 does not match the manifest',
        })
      const { asOf, other } = pgKey(key)
      const { rows } = await q<{ name: string; body: Buffer }>(
        'SELECT name, body FROM snapshot_files WHERE as_of = $1 AND other_month = $2 ORDER BY name',
        [asOf, other],
      )
      const bodies = new Map(rows.map((r) => [r.name, r.body]))
      const files: SealedFile[] = []
      for (const { name } of listedFiles(manifest)) {
        const bytes = bodies.get(name)
        const problem = bytes === undefined ? 'missing' : checkBytes(manifest, name, bytes)
        if (problem !== null || bytes === undefined)
          problems.push({ path: where(name), message: problem ?? 'missing' })
        else files.push({ name, bytes })
      }
      if (problems.length > 0) return { snapshot: null, problems }
      return { snapshot: { key, manifest, metadataText, files }, problems }
    },
    async readCurrent() {
      const { rows } = await q<{ pointer: unknown }>('SELECT pointer FROM current_snapshot')
      return rows[0] ? upgradeCurrent(rows[0].pointer, 'postgres:current_snapshot') : null
    },
    advanceCurrent: (pointer) =>
      tx.write('current', async () => {
        const { rows } = await q<{ pointer: unknown }>('SELECT pointer FROM current_snapshot')
        const stored = rows[0] ? upgradeCurrent(rows[0].pointer, 'postgres:current_snapshot') : null
        const rank = (p: CurrentPointer) => `${p.asOf} ${p.dataMonth ?? ''}`
        if (stored !== null && rank(stored) >= rank(pointer)) return false
        await q(
          `INSERT INTO current_snapshot (singleton, pointer) VALUES (true, $1)
           ON CONFLICT (singleton) DO UPDATE SET pointer = EXCLUDED.pointer`,
          [JSON.stringify(pointer)],
        )
        return true
      }),
  }
}
