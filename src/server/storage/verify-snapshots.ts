/** Checks of `snapshots/`: every snapshot dir against its manifest and metadata. */
import path from 'node:path'
import type { IsoDate } from '../../shared/iso-date.ts'
import { StorageCorruptError, StorageUnsupportedSchemaError } from './errors.ts'
import {
  ALL_DISTRICTS_FILE,
  INDEX_DIR,
  MANIFEST_FILE,
  METADATA_FILE,
  PENDING_PREFIX,
  SERIES_INDEX_DIR,
  SNAPSHOTS_DIR,
  districtFileName,
  districtIdOfFileName,
  isTempName,
  parseSnapshotKey,
  resolveInside,
  snapshotDir,
} from './paths.ts'
import type { SnapshotKey } from './paths.ts'
import { detailMismatch } from './detail-check.ts'
import { indexAllDistricts, parseSeriesRecord, pointOfFile } from './series-index.ts'
import type { SeriesIndexRecord } from './series-index.ts'
import { expectedSha, loadState, readCommitted } from './snapshot-files.ts'
import type { SnapshotFilesContext } from './snapshot-files.ts'
import type { SnapshotState } from './snapshot-model.ts'
import { parseJsonBytes, sha256Hex, upgradeAllDistricts, upgradeDistrictFile } from './schema.ts'
import { readOrNull, readdirOrEmpty } from './storage-fs.ts'
import type { Finding, Fix, VerifyCounts, VerifyProblemCode } from './verify-types.ts'

export function finding(
  ctx: SnapshotFilesContext,
  abs: string,
  code: VerifyProblemCode,
  message: string,
  /** @default move the file itself to quarantine */
  fix: Fix = { kind: 'quarantine', paths: [abs] },
): Finding {
  const rel = path.relative(ctx.dataDir, abs).split(path.sep).join('/')
  return { problem: { path: rel, code, message }, fix }
}

export async function checkSnapshots(
  ctx: SnapshotFilesContext,
  counts: VerifyCounts,
  /**
   * Only what an interrupted write leaves (temp and staged files): a snapshot directory without
   * one is listed, not read; one with one has its manifest read, its files are not checked.
   */
  options: { interruptedOnly?: boolean } = {},
): Promise<Finding[]> {
  const root = resolveInside(ctx.dataDir, SNAPSHOTS_DIR)
  const out: Finding[] = []
  for (const name of (await readdirOrEmpty(ctx.fs, root)).sort()) {
    const abs = path.join(root, name)
    if (parseSnapshotKey(name) !== null)
      out.push(
        ...(await (options.interruptedOnly
          ? checkInterruptedIn(ctx, name)
          : checkSnapshot(ctx, name, counts))),
      )
    else if (isTempName(name))
      out.push(finding(ctx, abs, 'TEMP_LEFTOVER', 'unfinished snapshot or temp file'))
    else out.push(finding(ctx, abs, 'UNEXPECTED_FILE', 'not a snapshot (name is not a date)'))
  }
  return out
}

/** One snapshot directory: an as-of's, or its second data month's (`<asOf>_<YYYY-MM>`). */
async function checkSnapshot(
  ctx: SnapshotFilesContext,
  key: SnapshotKey,
  counts: VerifyCounts,
): Promise<Finding[]> {
  const asOf: IsoDate = parseSnapshotKey(key)!.asOf
  const dir = snapshotDir(ctx.dataDir, key)
  let state: SnapshotState | null
  try {
    state = await loadState(ctx, key)
  } catch (e) {
    if (!(e instanceof StorageCorruptError || e instanceof StorageUnsupportedSchemaError)) throw e
    return [
      finding(ctx, dir, 'SNAPSHOT_UNREADABLE', e.message, { kind: 'quarantine', paths: [dir] }),
    ]
  }
  if (state === null)
    return [
      finding(ctx, dir, 'UNEXPECTED_FILE', 'empty snapshot directory', {
        kind: 'quarantine',
        paths: [dir],
      }),
    ]
  counts.snapshots++
  const names = await readdirOrEmpty(ctx.fs, dir)
  const out = await checkNames(ctx, key, state, names)
  const committedPending = new Set(
    out
      .filter((f) => f.problem.code === 'PENDING_COMMITTED')
      .map((f) => path.basename(f.problem.path).slice(PENDING_PREFIX.length)),
  )
  for (const entry of Object.values(state.manifest.districts)) {
    if (committedPending.has(entry.file)) continue
    const fail = await checkListed(ctx, dir, entry.file, entry, (json) => {
      const f = upgradeDistrictFile(json)
      const m = state.metadata
      const bad =
        f.districtId !== entry.districtId ||
        f.asOf !== asOf ||
        f.detail !== entry.detail ||
        f.dataMonth !== m.dataMonth ||
        f.programYear !== m.programYear
      if (bad)
        return `says ${f.districtId}/${f.asOf}/${f.detail}/${f.dataMonth}/${f.programYear}, manifest and metadata say ${entry.districtId}/${asOf}/${entry.detail}/${m.dataMonth}/${m.programYear}`
      const mismatch = detailMismatch(f)
      return mismatch === null ? null : { code: 'DETAIL_MISMATCH', message: mismatch }
    })
    counts.files++
    if (fail)
      out.push(
        finding(ctx, path.join(dir, entry.file), fail.code, fail.message, {
          kind: 'drop',
          asOf: key,
          districtId: entry.districtId,
          paths: [path.join(dir, entry.file)],
          reason: fail.message,
        }),
      )
  }
  const all = state.manifest.allDistricts
  if (all && !committedPending.has(ALL_DISTRICTS_FILE)) {
    const abs = path.join(dir, ALL_DISTRICTS_FILE)
    const fail = await checkListed(ctx, dir, ALL_DISTRICTS_FILE, all, (json) => {
      const f = upgradeAllDistricts(json)
      const m = state.metadata
      return f.asOf !== asOf || f.dataMonth !== m.dataMonth || f.programYear !== m.programYear
        ? `says ${f.asOf}/${f.dataMonth}, metadata says ${asOf}/${m.dataMonth}`
        : null
    })
    counts.files++
    if (fail)
      out.push(
        finding(ctx, abs, fail.code, fail.message, {
          kind: 'drop',
          asOf: key,
          districtId: null,
          paths: [abs],
          reason: fail.message,
        }),
      )
  }
  return out
}

/**
 * The temp and staged files of one snapshot directory, judged as checkSnapshot judges them (a
 * staged file against the manifest), found from its listing. A directory whose state cannot be
 * loaded has no such findings there either (checkSnapshot reports it whole).
 */
async function checkInterruptedIn(ctx: SnapshotFilesContext, key: SnapshotKey): Promise<Finding[]> {
  const names = await readdirOrEmpty(ctx.fs, snapshotDir(ctx.dataDir, key))
  if (!names.some((n) => isTempName(n) || n.startsWith(PENDING_PREFIX))) return []
  const state = await loadState(ctx, key).catch((e: unknown) => {
    if (e instanceof StorageCorruptError || e instanceof StorageUnsupportedSchemaError) return null
    throw e
  })
  return state === null ? [] : checkNames(ctx, key, state, names)
}

/** Files in the dir that the manifest does not explain. */
async function checkNames(
  ctx: SnapshotFilesContext,
  key: SnapshotKey,
  state: SnapshotState,
  names: string[],
): Promise<Finding[]> {
  const dir = snapshotDir(ctx.dataDir, key)
  const out: Finding[] = []
  for (const name of names.sort()) {
    const abs = path.join(dir, name)
    const quarantine: Fix = { kind: 'quarantine', paths: [abs] }
    if (name === METADATA_FILE || name === MANIFEST_FILE) continue
    if (isTempName(name)) {
      out.push(finding(ctx, abs, 'TEMP_LEFTOVER', 'temp file of an interrupted write', quarantine))
    } else if (name.startsWith(PENDING_PREFIX)) {
      const target = name.slice(PENDING_PREFIX.length)
      const bytes = await readOrNull(ctx.fs, abs)
      const want = expectedSha(state.manifest, target)
      if (bytes !== null && want !== null && sha256Hex(bytes) === want) {
        out.push(
          finding(ctx, abs, 'PENDING_COMMITTED', `committed but not yet moved to ${target}`, {
            kind: 'roll-forward',
            from: abs,
            to: path.join(dir, target),
          }),
        )
      } else {
        out.push(
          finding(
            ctx,
            abs,
            'PENDING_UNCOMMITTED',
            'staged by a write that never committed',
            quarantine,
          ),
        )
      }
    } else if (districtIdOfFileName(name) !== null) {
      if (!state.manifest.districts[districtIdOfFileName(name)!])
        out.push(
          finding(ctx, abs, 'ORPHAN_FILE', 'district file not listed in the manifest', quarantine),
        )
    } else if (name === ALL_DISTRICTS_FILE) {
      if (!state.manifest.allDistricts)
        out.push(
          finding(
            ctx,
            abs,
            'ORPHAN_FILE',
            'all-districts file not listed in the manifest',
            quarantine,
          ),
        )
    } else {
      out.push(finding(ctx, abs, 'UNEXPECTED_FILE', 'not part of the snapshot layout', quarantine))
    }
  }
  return out
}

async function checkListed(
  ctx: SnapshotFilesContext,
  dir: string,
  name: string,
  expected: { sizeBytes: number; sha256: string },
  /** A message (CONTENT_MISMATCH) or a finding of its own code; null when the content agrees. */
  content: (json: unknown) => string | { code: VerifyProblemCode; message: string } | null,
): Promise<{ code: VerifyProblemCode; message: string } | null> {
  const bytes = await readOrNull(ctx.fs, path.join(dir, name))
  if (bytes === null) return { code: 'MISSING_FILE', message: 'listed in the manifest but missing' }
  if (bytes.length !== expected.sizeBytes)
    return {
      code: 'SIZE_MISMATCH',
      message: `${bytes.length} bytes, manifest says ${expected.sizeBytes}`,
    }
  if (sha256Hex(bytes) !== expected.sha256)
    return { code: 'SHA_MISMATCH', message: 'sha256 differs from the manifest' }
  let json: unknown
  try {
    json = parseJsonBytes(bytes, name)
  } catch {
    return { code: 'INVALID_JSON', message: 'not valid JSON' }
  }
  try {
    const mismatch = content(json)
    if (mismatch === null || typeof mismatch === 'object') return mismatch
    return { code: 'CONTENT_MISMATCH', message: mismatch }
  } catch (e) {
    if (e instanceof StorageUnsupportedSchemaError)
      return { code: 'UNSUPPORTED_SCHEMA', message: e.message }
    return { code: 'INVALID_SHAPE', message: (e as Error).message }
  }
}

/**
 * The series index (`index/series/<asOf>.json`, docs/performance.md#series-index). An entry whose
 * sha256 is not the manifest's is not yet derived (a crash between the manifest and the record
 * leaves that, as does a torn record): the store derives it again on read, so that is no
 * finding. An entry that names the file the manifest lists but says something else than that
 * file would be served as it is: that is INDEX_STALE, and repair moves the record to quarantine
 * (the store then derives it again).
 */
export async function checkSeriesIndex(
  ctx: SnapshotFilesContext,
  /** Snapshots (keys) with findings of their own: their index is judged once they are sound. */
  unsound: ReadonlySet<SnapshotKey>,
): Promise<Finding[]> {
  const root = resolveInside(ctx.dataDir, INDEX_DIR, SERIES_INDEX_DIR)
  const out: Finding[] = []
  for (const name of (await readdirOrEmpty(ctx.fs, root)).sort()) {
    const abs = path.join(root, name)
    const key = name.endsWith('.json') ? name.slice(0, -'.json'.length) : ''
    const parsed = parseSnapshotKey(key)
    if (parsed === null) {
      out.push(finding(ctx, abs, 'UNEXPECTED_FILE', 'not a series index record'))
      continue
    }
    if (unsound.has(key)) continue
    const bytes = await readOrNull(ctx.fs, abs)
    const record = parseSeriesRecord(bytes === null ? null : bytes.toString('utf8'), parsed.asOf)
    const state = record && (await loadState(ctx, key).catch(() => null))
    if (!record || !state) continue
    const wrong = await wrongEntries(ctx, key, record, state)
    if (wrong.length > 0) {
      out.push(
        finding(ctx, abs, 'INDEX_STALE', `disagrees with the files it names: ${wrong.join(', ')}`),
      )
    }
  }
  return out
}

async function wrongEntries(
  ctx: SnapshotFilesContext,
  key: SnapshotKey,
  record: SeriesIndexRecord,
  state: SnapshotState,
): Promise<string[]> {
  const wrong: string[] = []
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
  for (const [id, entry] of Object.entries(record.districts)) {
    if (state.manifest.districts[id]?.sha256 !== entry.sha256) continue
    const name = districtFileName(id)
    const file = await readCommitted(ctx, key, state.manifest, name)
      .then((b) => upgradeDistrictFile(parseJsonBytes(b, name), name))
      .catch(() => null)
    if (file && !same(pointOfFile(file), entry.point)) wrong.push(name)
  }
  const all = record.allDistricts
  if (all && state.manifest.allDistricts?.sha256 === all.sha256) {
    const file = await readCommitted(ctx, key, state.manifest, ALL_DISTRICTS_FILE)
      .then((b) => upgradeAllDistricts(parseJsonBytes(b, ALL_DISTRICTS_FILE)))
      .catch(() => null)
    // The rows' figures need the normalizer, which verify does not have; the rest is checked.
    const expected = file && indexAllDistricts(file, all.sha256, undefined)
    if (expected && !same({ ...expected, rows: null }, { ...all, rows: null }))
      wrong.push(ALL_DISTRICTS_FILE)
  }
  return wrong
}
