/**
 * How one snapshot directory is read and changed on disk.
 *
 * New snapshot: every file is written into `snapshots/.tmp-<asOf>-<rand>/`, fsynced, and the
 * directory is renamed into place: the snapshot appears whole or not at all.
 *
 * Existing snapshot: each new file, metadata.json included, is staged as `.pending-<name>`
 * (temp + fsync + rename); then manifest.json is replaced, and that rename is the commit (the
 * manifest holds the sha256 of every file it lists, metadata too). Afterwards the pending files
 * are renamed over their targets. A reader whose file does not match the manifest uses the
 * pending copy when that one matches (committed, not yet moved). So a crash before the commit
 * leaves the old state and after it the new one; the next write (or `verify --repair`) moves
 * committed pending files and drops uncommitted ones.
 */
import path from 'node:path'
import type { SnapshotManifest, SnapshotMetadata } from '../../shared/snapshot-types.ts'
import { StorageCorruptError, StorageIoError, errnoOf, isStorageError } from './errors.ts'
import {
  ALL_DISTRICTS_FILE,
  MANIFEST_FILE,
  METADATA_FILE,
  PENDING_PREFIX,
  SNAPSHOTS_DIR,
  TMP_DIR_PREFIX,
  districtIdOfFileName,
  isTempName,
  parseSnapshotKey,
  resolveInside,
  snapshotDir,
} from './paths.ts'
import type { SnapshotKey } from './paths.ts'
import type { SnapshotState } from './snapshot-model.ts'
import {
  parseJsonBytes,
  serializeJson,
  sha256Hex,
  upgradeManifest,
  upgradeMetadata,
} from './schema.ts'
import type { StorageFs } from './storage-fs.ts'
import {
  io,
  randomSuffix,
  readOrNull,
  readdirOrEmpty,
  renameDurable,
  tempPathFor,
  writeDurable,
} from './storage-fs.ts'

export interface SnapshotFilesContext {
  dataDir: string
  fs: StorageFs
}

export interface FileToWrite {
  name: string
  text: string
}

export async function loadJson<T>(
  ctx: SnapshotFilesContext,
  file: string,
  upgrade: (json: unknown, what: string) => T,
): Promise<T | null> {
  const bytes = await readOrNull(ctx.fs, file)
  if (bytes === null) return null
  return upgrade(parseJsonBytes(bytes, file), file)
}

/** The manifest with the sha256 of the metadata it commits, plus that metadata's exact text. */
export function sealState(state: SnapshotState): {
  manifest: SnapshotManifest
  metadataText: string
} {
  const metadataText = serializeJson(state.metadata)
  return { manifest: { ...state.manifest, metadataSha256: sha256Hex(metadataText) }, metadataText }
}

/**
 * The manifest and the metadata it lists. Readers hold no lock, so a writer may commit a new
 * manifest (and move its pending metadata into place) between the two reads; the metadata then
 * matches neither copy. That is read again under the new manifest, not reported as corruption.
 */
async function readManifestAndMetadata(ctx: SnapshotFilesContext, dir: string) {
  for (let attempt = 1; ; attempt++) {
    const manifest = await loadJson(ctx, path.join(dir, MANIFEST_FILE), upgradeManifest)
    if (!manifest?.metadataSha256) {
      return { manifest, metadataBytes: await readOrNull(ctx.fs, path.join(dir, METADATA_FILE)) }
    }
    try {
      return { manifest, metadataBytes: await readCommittedIn(ctx, dir, manifest, METADATA_FILE) }
    } catch (error) {
      const again = await loadJson(ctx, path.join(dir, MANIFEST_FILE), upgradeManifest).catch(
        () => null,
      )
      const replaced = again !== null && again.metadataSha256 !== manifest.metadataSha256
      if (!(error instanceof StorageCorruptError) || !replaced || attempt >= 3) throw error
    }
  }
}

/** Metadata + manifest of a snapshot; null when the snapshot does not exist. */
export async function loadState(
  ctx: SnapshotFilesContext,
  key: SnapshotKey,
): Promise<SnapshotState | null> {
  const dir = snapshotDir(ctx.dataDir, key)
  const { manifest, metadataBytes } = await readManifestAndMetadata(ctx, dir)
  if (manifest === null && metadataBytes === null) {
    if ((await readdirOrEmpty(ctx.fs, dir)).length === 0) return null
  }
  if (manifest === null || metadataBytes === null) {
    throw new StorageCorruptError(
      dir,
      `snapshot without ${manifest === null ? MANIFEST_FILE : METADATA_FILE}`,
    )
  }
  const metadata: SnapshotMetadata = upgradeMetadata(
    parseJsonBytes(metadataBytes, dir),
    path.join(dir, METADATA_FILE),
  )
  checkStateKey(dir, key, metadata, manifest)
  return { metadata, manifest }
}

/** A snapshot's metadata and manifest name the as-of (and, beside the first, the month) of its key. */
export function checkStateKey(
  where: string,
  key: SnapshotKey,
  metadata: SnapshotMetadata,
  manifest: SnapshotManifest,
): void {
  const parsed = parseSnapshotKey(key)
  if (parsed === null || metadata.asOf !== parsed.asOf || manifest.asOf !== parsed.asOf) {
    throw new StorageCorruptError(
      where,
      `metadata/manifest name as-of ${metadata.asOf}/${manifest.asOf}`,
    )
  }
  if (parsed.otherMonth !== null && metadata.dataMonth !== parsed.otherMonth) {
    throw new StorageCorruptError(
      where,
      `metadata names data month ${metadata.dataMonth}, the key ${parsed.otherMonth}`,
    )
  }
}

/** The sha256 the manifest expects for a file name of the snapshot, or null if not listed. */
export function expectedSha(manifest: SnapshotManifest, name: string): string | null {
  if (name === METADATA_FILE) return manifest.metadataSha256 ?? null
  if (name === ALL_DISTRICTS_FILE) return manifest.allDistricts?.sha256 ?? null
  const id = districtIdOfFileName(name)
  return id === null ? null : (manifest.districts[id]?.sha256 ?? null)
}

/** Bytes of a listed file that match the manifest: the file itself or its committed pending copy. */
export function readCommitted(
  ctx: SnapshotFilesContext,
  key: SnapshotKey,
  manifest: SnapshotManifest,
  name: string,
): Promise<Buffer> {
  return readCommittedIn(ctx, snapshotDir(ctx.dataDir, key), manifest, name)
}

async function readCommittedIn(
  ctx: SnapshotFilesContext,
  dir: string,
  manifest: SnapshotManifest,
  name: string,
): Promise<Buffer> {
  const want = expectedSha(manifest, name)
  const target = path.join(dir, name)
  if (want === null) throw new StorageCorruptError(target, 'not listed in the manifest')
  for (const candidate of [target, path.join(dir, PENDING_PREFIX + name)]) {
    const bytes = await readOrNull(ctx.fs, candidate)
    if (bytes !== null && sha256Hex(bytes) === want) return bytes
  }
  throw new StorageCorruptError(target, 'missing, or its sha256 does not match the manifest')
}

/** Publishes a whole new snapshot directory. Returns false when one appeared meanwhile. */
export async function commitNewSnapshot(
  ctx: SnapshotFilesContext,
  key: SnapshotKey,
  files: readonly FileToWrite[],
  state: SnapshotState,
): Promise<boolean> {
  const snapshotsDir = resolveInside(ctx.dataDir, SNAPSHOTS_DIR)
  const tmp = resolveInside(ctx.dataDir, SNAPSHOTS_DIR, `${TMP_DIR_PREFIX}${key}-${randomSuffix()}`)
  const { manifest, metadataText } = sealState(state)
  try {
    await io('mkdir', tmp, () => ctx.fs.mkdir(tmp))
    for (const f of files) await writeDurable(ctx.fs, path.join(tmp, f.name), f.text)
    await writeDurable(ctx.fs, path.join(tmp, METADATA_FILE), metadataText)
    await writeDurable(ctx.fs, path.join(tmp, MANIFEST_FILE), serializeJson(manifest))
    await io('fsync', tmp, () => ctx.fs.fsync(tmp))
    await ctx.fs.rename(tmp, snapshotDir(ctx.dataDir, key))
  } catch (e) {
    await ctx.fs.removeTempDir(tmp).catch(() => undefined)
    if (errnoOf(e) === 'ENOTEMPTY' || errnoOf(e) === 'EEXIST') return false
    if (isStorageError(e)) throw e
    throw new StorageIoError('rename', snapshotDir(ctx.dataDir, key), e)
  }
  await io('fsync', snapshotsDir, () => ctx.fs.fsync(snapshotsDir))
  return true
}

/** Changes an existing snapshot: stage (metadata too), commit the manifest, then move. */
export async function commitUpdate(
  ctx: SnapshotFilesContext,
  key: SnapshotKey,
  files: readonly FileToWrite[],
  state: SnapshotState,
): Promise<void> {
  const dir = snapshotDir(ctx.dataDir, key)
  const { manifest, metadataText } = sealState(state)
  const all = [...files, { name: METADATA_FILE, text: metadataText }]
  const staged: string[] = []
  const manifestPath = path.join(dir, MANIFEST_FILE)
  const manifestTmp = path.join(dir, `.${MANIFEST_FILE}.${randomSuffix()}.tmp`)
  try {
    // Each staged copy is fsynced before its rename; one directory fsync then makes all the
    // renames durable before the manifest that names them is (docs/performance.md#fsyncs).
    for (const f of all) {
      const target = path.join(dir, PENDING_PREFIX + f.name)
      const tmp = tempPathFor(target)
      staged.push(tmp, target)
      await writeDurable(ctx.fs, tmp, f.text)
      await io('rename', target, () => ctx.fs.rename(tmp, target))
    }
    await io('fsync', dir, () => ctx.fs.fsync(dir))
    await writeDurable(ctx.fs, manifestTmp, serializeJson(manifest))
    await io('rename', manifestPath, () => ctx.fs.rename(manifestTmp, manifestPath))
  } catch (e) {
    // Not committed: the old manifest still rules, so the staged copies are scratch.
    for (const p of [...staged, manifestTmp]) await ctx.fs.unlink(p).catch(() => undefined)
    throw e
  }
  try {
    await moveAll(ctx, dir, all)
  } catch {
    // Committed already; one more try so a transient failure leaves nothing for verify.
    await moveAll(ctx, dir, all)
  }
}

async function moveAll(
  ctx: SnapshotFilesContext,
  dir: string,
  files: readonly FileToWrite[],
): Promise<void> {
  await io('fsync', dir, () => ctx.fs.fsync(dir))
  for (const f of files) {
    const to = path.join(dir, f.name)
    try {
      await io('rename', to, () => ctx.fs.rename(path.join(dir, PENDING_PREFIX + f.name), to))
    } catch (e) {
      if (!(e instanceof StorageIoError && e.errno === 'ENOENT')) throw e
    }
  }
  // One fsync for all the moves: until it lands, a reader falls back to the committed pending copy.
  await io('fsync', dir, () => ctx.fs.fsync(dir))
}

/**
 * Finishes what a crash interrupted in one snapshot dir: committed pending files are moved into
 * place; the names of uncommitted ones are returned.
 */
export async function settlePending(
  ctx: SnapshotFilesContext,
  key: SnapshotKey,
  manifest: SnapshotManifest,
): Promise<{ moved: string[]; uncommitted: string[] }> {
  const dir = snapshotDir(ctx.dataDir, key)
  const moved: string[] = []
  const uncommitted: string[] = []
  for (const name of await readdirOrEmpty(ctx.fs, dir)) {
    if (!name.startsWith(PENDING_PREFIX) || isTempName(name)) continue
    const target = name.slice(PENDING_PREFIX.length)
    const bytes = await readOrNull(ctx.fs, path.join(dir, name))
    const want = expectedSha(manifest, target)
    if (bytes !== null && want !== null && sha256Hex(bytes) === want) {
      await renameDurable(ctx.fs, path.join(dir, name), path.join(dir, target))
      moved.push(target)
    } else {
      uncommitted.push(name)
    }
  }
  return { moved, uncommitted }
}
