/** Checks outside `snapshots/`: current.json, raw CSV bodies, config, stray temp files. */
import path from 'node:path'
import { StorageCorruptError, StorageUnsupportedSchemaError } from './errors.ts'
import { parseDistrictConfig } from './district-config.ts'
import {
  CONFIG_DIR,
  CURRENT_FILE,
  RAW_CSV_DIR,
  isTempName,
  parseSnapshotKey,
  rawCsvBaseName,
  resolveInside,
  snapshotKey,
} from './paths.ts'
import {
  RAW_BODY_SUFFIX,
  RAW_META_SUFFIX,
  rawDataMonth,
  safeParseRawCsvMeta,
} from './raw-csv-cache.ts'
import type { RawCsvMeta } from './ports.ts'
import { loadJson, loadState } from './snapshot-files.ts'
import type { SnapshotFilesContext } from './snapshot-files.ts'
import { parseJsonBytes, sha256Hex, upgradeCurrent } from './schema.ts'
import { readOrNull, readdirOrEmpty } from './storage-fs.ts'
import { finding } from './verify-snapshots.ts'
import type { Finding, VerifyCounts } from './verify-types.ts'

const isUntrustworthy = (e: unknown) =>
  e instanceof StorageCorruptError || e instanceof StorageUnsupportedSchemaError

export async function checkCurrent(ctx: SnapshotFilesContext): Promise<Finding[]> {
  const file = resolveInside(ctx.dataDir, CURRENT_FILE)
  let asOf: string
  let key: string
  try {
    const pointer = await loadJson(ctx, file, upgradeCurrent)
    if (pointer === null) return []
    asOf = pointer.asOf
    key = asOf
    // A pointer at an as-of's second data month names that month's directory.
    if (pointer.dataMonth !== undefined) {
      const head = await loadState(ctx, asOf).catch(() => null)
      if (head !== null && head.metadata.dataMonth !== pointer.dataMonth)
        key = snapshotKey(asOf, pointer.dataMonth)
    }
  } catch (e) {
    if (!isUntrustworthy(e)) throw e
    return [finding(ctx, file, 'CURRENT_INVALID', (e as Error).message, { kind: 'current' })]
  }
  const target = await loadState(ctx, key).catch((e: unknown) => {
    if (isUntrustworthy(e)) return null
    throw e
  })
  return target === null
    ? [
        finding(
          ctx,
          file,
          'CURRENT_DANGLING',
          `points at ${key}, which is not a readable snapshot`,
          { kind: 'current' },
        ),
      ]
    : []
}

/** Temp files directly in the data dir (e.g. from current.json writes) and in config/. */
export async function checkStrayTemps(ctx: SnapshotFilesContext): Promise<Finding[]> {
  const out: Finding[] = []
  for (const dir of [ctx.dataDir, resolveInside(ctx.dataDir, CONFIG_DIR)]) {
    for (const name of await readdirOrEmpty(ctx.fs, dir)) {
      const abs = path.join(dir, name)
      if (isTempName(name))
        out.push(finding(ctx, abs, 'TEMP_LEFTOVER', 'temp file of an interrupted write'))
    }
  }
  return out
}

export async function checkConfig(ctx: SnapshotFilesContext): Promise<Finding[]> {
  const file = resolveInside(ctx.dataDir, CONFIG_DIR, 'districts.json')
  const bytes = await readOrNull(ctx.fs, file)
  if (bytes === null) return []
  try {
    parseDistrictConfig(parseJsonBytes(bytes, file), file)
    return []
  } catch (e) {
    return [
      finding(ctx, file, 'CONFIG_INVALID', (e as Error).message, {
        kind: 'quarantine',
        paths: [file],
      }),
    ]
  }
}

export async function checkRawCsv(
  ctx: SnapshotFilesContext,
  counts: VerifyCounts,
  /** Date directories modified before this instant, with no temp file, are only listed. */
  options: { changedSince?: number | undefined } = {},
): Promise<Finding[]> {
  const root = resolveInside(ctx.dataDir, RAW_CSV_DIR)
  const out: Finding[] = []
  for (const name of (await readdirOrEmpty(ctx.fs, root)).sort()) {
    const abs = path.join(root, name)
    // `<asOf>` (the first data month cached) or `<asOf>_<YYYY-MM>` (the other one).
    const key = parseSnapshotKey(name)
    if (key === null) {
      const code = isTempName(name) ? 'TEMP_LEFTOVER' : 'UNEXPECTED_FILE'
      out.push(finding(ctx, abs, code, 'not a raw-csv date directory'))
      continue
    }
    out.push(...(await checkRawDate(ctx, name, key, counts, options.changedSince)))
  }
  return out
}

async function checkRawDate(
  ctx: SnapshotFilesContext,
  dirName: string,
  key: { asOf: string; otherMonth: string | null },
  counts: VerifyCounts,
  changedSince: number | undefined,
): Promise<Finding[]> {
  const dir = resolveInside(ctx.dataDir, RAW_CSV_DIR, dirName)
  const names = (await readdirOrEmpty(ctx.fs, dir)).sort()
  const out: Finding[] = []
  // Unchanged since then and no temp file: no write was interrupted in here since; the pairs'
  // bodies need not be read. A directory whose mtime cannot be told is read.
  const listOnly =
    changedSince !== undefined &&
    !names.some(isTempName) &&
    ((await ctx.fs.stat(dir).catch(() => null))?.mtimeMs ?? Infinity) < changedSince
  for (const name of names) {
    const abs = path.join(dir, name)
    if (isTempName(name)) {
      out.push(finding(ctx, abs, 'TEMP_LEFTOVER', 'temp file of an interrupted write'))
    } else if (name.endsWith(RAW_META_SUFFIX)) {
      if (listOnly) continue
      const base = name.slice(0, -RAW_META_SUFFIX.length)
      const f = await checkRawPair(ctx, key, dir, base, counts)
      if (f) out.push(f)
    } else if (name.endsWith(RAW_BODY_SUFFIX)) {
      if (!names.includes(name.slice(0, -RAW_BODY_SUFFIX.length) + RAW_META_SUFFIX)) {
        out.push(finding(ctx, abs, 'RAW_META_MISSING', 'body without its request metadata'))
      }
    } else {
      out.push(finding(ctx, abs, 'UNEXPECTED_FILE', 'not a raw CSV body or its metadata'))
    }
  }
  return out
}

async function checkRawPair(
  ctx: SnapshotFilesContext,
  key: { asOf: string; otherMonth: string | null },
  dir: string,
  base: string,
  counts: VerifyCounts,
): Promise<Finding | null> {
  const metaPath = path.join(dir, base + RAW_META_SUFFIX)
  const bodyPath = path.join(dir, base + RAW_BODY_SUFFIX)
  const both = { kind: 'quarantine' as const, paths: [metaPath, bodyPath] }
  const metaBytes = await readOrNull(ctx.fs, metaPath)
  let meta: RawCsvMeta | null
  try {
    meta = metaBytes === null ? null : safeParseRawCsvMeta(parseJsonBytes(metaBytes, metaPath))
  } catch {
    meta = null
  }
  if (
    meta === null ||
    meta.asOf !== key.asOf ||
    (key.otherMonth !== null && rawDataMonth(meta) !== key.otherMonth) ||
    rawCsvBaseName(meta.report, meta.districtId) !== base
  ) {
    return finding(
      ctx,
      metaPath,
      'RAW_META_INVALID',
      'unreadable, or does not describe this file name',
      both,
    )
  }
  const body = await readOrNull(ctx.fs, bodyPath)
  if (body === null)
    return finding(ctx, metaPath, 'RAW_BODY_MISSING', 'metadata without its body', both)
  counts.rawBodies++
  if (body.length !== meta.sizeBytes || sha256Hex(body) !== meta.sha256) {
    return finding(
      ctx,
      bodyPath,
      'RAW_SHA_MISMATCH',
      'body does not match the sha256/size in its metadata',
      both,
    )
  }
  return null
}
