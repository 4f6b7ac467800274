/**
 * Upstream CSV bodies exactly as received, keyed by (as-of, data month, report, district), each
 * with its request metadata: `raw-csv/<asOf>/<report>[_<districtId>].csv` + `.meta.json` for the
 * first data month cached for that as-of and report, `raw-csv/<asOf>_<YYYY-MM>/…` for the other
 * one (docs/architecture.md#one-as-of-two-data-months); the data month is the body's footer
 * month, so a DATA_DIR written before this layout reads unchanged. Both are
 * written durably to temp files, then the body is renamed into place before the meta, with one
 * directory fsync after both (docs/performance.md#fsyncs), so a meta always describes a complete
 * body; a body whose sha256 no longer matches its meta is a miss (and reported), never served.
 */
import path from 'node:path'
import { z } from 'zod'
import { DISTRICT_ID_RE } from '../../shared/district-id.ts'
import { isIsoDate } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import { REPORT_KINDS, SNAPSHOT_SCHEMA_VERSION } from '../../shared/snapshot-types.ts'
import { StorageIoError, StorageValidationError, errnoOf } from './errors.ts'
import { createKeyedMutex } from './keyed-mutex.ts'
import {
  RAW_CSV_DIR,
  assertAsOf,
  assertYearMonth,
  dataMonthsOf,
  parseSnapshotKey,
  snapshotKey,
  assertDistrictId,
  assertReportKind,
  rawCsvBaseName,
  resolveInside,
} from './paths.ts'
import type {
  RawCsvCache,
  RawCsvCacheStats,
  RawCsvKey,
  RawCsvMeta,
  RawCsvMetaInput,
} from './ports.ts'
import { byteSize, parseJsonBytes, serializeJson, sha256Hex } from './schema.ts'
import { io, nodeStorageFs, readOrNull, readdirOrEmpty, writeAtomicPair } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'

export const RAW_BODY_SUFFIX = '.csv'
export const RAW_META_SUFFIX = '.meta.json'

const rawCsvMetaV1 = z.looseObject({
  schemaVersion: z.literal(1),
  asOf: z.string().refine(isIsoDate),
  report: z.enum(REPORT_KINDS as [string, ...string[]]),
  districtId: z.string().regex(DISTRICT_ID_RE).nullable(),
  url: z.string(),
  fetchedAt: z.string(),
  status: z.number(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
  footer: z.looseObject({ month: z.string(), dataMonth: z.string(), asOf: z.string() }).nullable(),
  requestedAsOf: z.string().nullable(),
})

/** A parsed meta file, or null when it is not one this version can trust. */
export function safeParseRawCsvMeta(json: unknown): RawCsvMeta | null {
  const parsed = rawCsvMetaV1.safeParse(json)
  return parsed.success ? (parsed.data as RawCsvMeta) : null
}

export interface RawCsvProblem {
  path: string
  code: 'RAW_SHA_MISMATCH'
  message: string
}

export interface RawCsvCacheOptions {
  dataDir: string
  /** Called when a stored body no longer matches its recorded sha256. */
  onCorrupt?: (problem: RawCsvProblem) => void
  /** @default node:fs/promises */
  fs?: StorageFs
}

export function resolveRawKey(asOf: unknown, report: unknown, districtId: unknown): RawCsvKey {
  return {
    asOf: assertAsOf(asOf),
    report: assertReportKind(report),
    districtId: districtId === null ? null : assertDistrictId(districtId),
  }
}

/** The data month a body's footer names; null for a body stored without a footer. */
export function rawDataMonth(meta: Pick<RawCsvMeta, 'footer'>): YearMonth | null {
  return meta.footer?.dataMonth ?? null
}

/**
 * The requested data month: undefined (= whichever month is latest), null (a body without a
 * footer) or a checked YYYY-MM.
 */
export function resolveRawMonth(dataMonth: unknown): YearMonth | null | undefined {
  return dataMonth === undefined || dataMonth === null ? dataMonth : assertYearMonth(dataMonth)
}

/** The slot's files: `otherMonth` null = the as-of's first-cached month (`raw-csv/<asOf>/`). */
export function rawPaths(
  dataDir: string,
  key: RawCsvKey,
  otherMonth: YearMonth | null = null,
): { body: string; meta: string } {
  const base = rawCsvBaseName(key.report, key.districtId)
  const dir = snapshotKey(key.asOf, otherMonth)
  return {
    body: resolveInside(dataDir, RAW_CSV_DIR, dir, base + RAW_BODY_SUFFIX),
    meta: resolveInside(dataDir, RAW_CSV_DIR, dir, base + RAW_META_SUFFIX),
  }
}

/** Picks the entry of `month` (undefined = the latest month) among an as-of's stored entries. */
export function pickRawMonth<T>(
  entries: readonly { meta: RawCsvMeta; value: T }[],
  month: YearMonth | null | undefined,
): { meta: RawCsvMeta; value: T } | null {
  if (month !== undefined) return entries.find((e) => rawDataMonth(e.meta) === month) ?? null
  let best: { meta: RawCsvMeta; value: T } | null = null
  for (const e of entries)
    if (best === null || (rawDataMonth(e.meta) ?? '') > (rawDataMonth(best.meta) ?? '')) best = e
  return best
}

export function buildRawMeta(key: RawCsvKey, body: string, input: RawCsvMetaInput): RawCsvMeta {
  if (typeof body !== 'string')
    throw new StorageValidationError('body', typeof body, 'must be a string')
  if (typeof input !== 'object' || input === null)
    throw new StorageValidationError('meta', input, 'must be an object')
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    ...key,
    url: String(input.url),
    fetchedAt: String(input.fetchedAt),
    status: Number(input.status),
    sha256: sha256Hex(body),
    sizeBytes: byteSize(body),
    footer: input.footer ?? null,
    requestedAsOf:
      input.requestedAsOf === null || input.requestedAsOf === undefined
        ? null
        : assertAsOf(input.requestedAsOf, 'meta.requestedAsOf'),
  }
}

/** Meta files kept parsed (about 0.5 KB each); past this, the oldest parsed is dropped. */
export const MAX_INDEXED_METAS = 10_000

export function createRawCsvCache(options: RawCsvCacheOptions): RawCsvCache {
  const dataDir = path.resolve(options.dataDir)
  const fs = options.fs ?? nodeStorageFs
  const counters = { hits: 0, misses: 0, corrupt: 0 }
  // Serialises puts of one key so the running totals count an overwrite once.
  const mutex = createKeyedMutex()
  let totals: Promise<{ entryCount: number; sizeBytes: number }> | null = null
  // Counted from disk once, then kept up to date by put().
  const loadTotals = () => (totals ??= scanTotals(fs, dataDir))
  /**
   * The meta index (docs/performance.md#re-run): each meta file parsed, by path, with the
   * change stamp of the file it was parsed from. Filled on put, lazily on reads.
   */
  const metas = new Map<string, { stamp: string; meta: RawCsvMeta }>()

  function remember(file: string, stamp: string | undefined, meta: RawCsvMeta | null): void {
    metas.delete(file)
    if (stamp === undefined || meta === null) return
    if (metas.size >= MAX_INDEXED_METAS) metas.delete(metas.keys().next().value!)
    metas.set(file, { stamp, meta })
  }

  /**
   * The meta at `file`, parsed again only when the file changed. A stat on every call (never the
   * index alone) tells whether the file is still the one parsed, so an entry cannot answer for a
   * meta removed or replaced since, by this process or another one on the same DATA_DIR. The
   * stat comes before the read: a file replaced in between is stamped with the old stamp and
   * read again next time.
   */
  async function readMeta(file: string): Promise<RawCsvMeta | null> {
    const now = await statOrNull(fs, file)
    const known = metas.get(file)
    if (now === null) {
      metas.delete(file)
      return null
    }
    if (now.changeStamp !== undefined && known?.stamp === now.changeStamp) return known.meta
    const meta = await parseMetaAt(file)
    remember(file, now.changeStamp, meta)
    return meta
  }

  async function parseMetaAt(file: string): Promise<RawCsvMeta | null> {
    const bytes = await readOrNull(fs, file)
    if (bytes === null) return null
    try {
      return safeParseRawCsvMeta(parseJsonBytes(bytes, file))
    } catch {
      return null
    }
  }

  /** The slot the as-of's `otherMonth` directory names, with its meta (null = no entry). */
  async function readSlot(key: RawCsvKey, otherMonth: YearMonth | null) {
    const files = rawPaths(dataDir, key, otherMonth)
    return { files, meta: await readMeta(files.meta) }
  }

  /**
   * The stored slots of one key that can hold `month` (undefined: every slot), the first-cached
   * month's first. A month asked for is in one directory only: the first slot's, else its own.
   */
  async function slotsOf(key: RawCsvKey, month?: YearMonth | null) {
    const first = await readSlot(key, null)
    const firstMonth = first.meta ? rawDataMonth(first.meta) : null
    const slots = first.meta ? [{ meta: first.meta, value: first.files }] : []
    if (month !== undefined && first.meta && firstMonth === month) return slots
    for (const m of dataMonthsOf(key.asOf)) {
      if (m === firstMonth || (month !== undefined && m !== month)) continue
      const other = await readSlot(key, m)
      // An entry only counts in the directory its own footer month names.
      if (other.meta && rawDataMonth(other.meta) === m)
        slots.push({ meta: other.meta, value: other.files })
    }
    return slots
  }

  return {
    async put({ asOf, report, districtId, body, meta }) {
      const key = resolveRawKey(asOf, report, districtId)
      const stored = buildRawMeta(key, body, meta)
      const month = rawDataMonth(stored)
      const t = await loadTotals()
      // One lock per (as-of, report, district): the slot choice reads the first-cached entry.
      return mutex.run(rawPaths(dataDir, key).meta, async () => {
        const first = await readMeta(rawPaths(dataDir, key).meta)
        const otherMonth =
          first === null || month === null || rawDataMonth(first) === month ? null : month
        const files = rawPaths(dataDir, key, otherMonth)
        const previous = otherMonth === null ? first : await readMeta(files.meta)
        const dir = path.dirname(files.body)
        await io('mkdir', dir, () => fs.mkdir(dir))
        metas.delete(files.meta)
        await writeAtomicPair(fs, dir, [
          { target: files.body, data: body },
          { target: files.meta, data: serializeJson(stored) },
        ])
        // Stamped after the rename: what a stat of this path now finds (a copy: callers own
        // `stored`). Best effort: the entry is stored, a failed stat only leaves it unindexed.
        const now = await statOrNull(fs, files.meta).catch(() => null)
        remember(files.meta, now?.changeStamp, copyMeta(stored))
        t.entryCount += previous ? 0 : 1
        t.sizeBytes += stored.sizeBytes - (previous?.sizeBytes ?? 0)
        return stored
      })
    },

    async get(asOf, report, districtId, dataMonth) {
      const key = resolveRawKey(asOf, report, districtId)
      const month = resolveRawMonth(dataMonth)
      const slot = pickRawMonth(await slotsOf(key, month), month)
      const body = slot ? await readOrNull(fs, slot.value.body) : null
      if (slot === null || body === null) {
        counters.misses++
        return null
      }
      const { meta } = slot
      if (sha256Hex(body) !== meta.sha256) {
        counters.misses++
        counters.corrupt++
        options.onCorrupt?.({
          path: slot.value.body,
          code: 'RAW_SHA_MISMATCH',
          message: `body does not match sha256 ${meta.sha256}`,
        })
        return null
      }
      counters.hits++
      return { body: body.toString('utf8'), meta: copyMeta(meta) }
    },

    async has(asOf, report, districtId, dataMonth) {
      const key = resolveRawKey(asOf, report, districtId)
      const month = resolveRawMonth(dataMonth)
      const slot = pickRawMonth(await slotsOf(key, month), month)
      if (slot === null) return false
      // A size check (no read): skip-existing asks this for every stored cell.
      const size = await statSizeOrNull(fs, slot.value.body)
      return size === slot.meta.sizeBytes
    },

    async list(asOf?: IsoDate) {
      const date = asOf === undefined ? null : assertAsOf(asOf)
      const dirs = (await rawDirs(fs, dataDir)).filter((d) => date === null || d.asOf === date)
      const out: RawCsvMeta[] = []
      for (const { name: dirName } of dirs) {
        const dir = resolveInside(dataDir, RAW_CSV_DIR, dirName)
        for (const name of (await readdirOrEmpty(fs, dir))
          .filter((n) => n.endsWith(RAW_META_SUFFIX))
          .sort()) {
          const meta = await readMeta(path.join(dir, name))
          if (meta) out.push(copyMeta(meta))
        }
      }
      return out
    },

    async stats() {
      const t = await loadTotals()
      return statsOf(counters, t)
    },
  }
}

async function scanTotals(
  fs: StorageFs,
  dataDir: string,
): Promise<{ entryCount: number; sizeBytes: number }> {
  const totals = { entryCount: 0, sizeBytes: 0 }
  for (const { name: dirName } of await rawDirs(fs, dataDir)) {
    const dir = resolveInside(dataDir, RAW_CSV_DIR, dirName)
    for (const name of await readdirOrEmpty(fs, dir)) {
      if (!name.endsWith(RAW_META_SUFFIX) || name.startsWith('.')) continue
      const bytes = await readOrNull(fs, path.join(dir, name))
      const meta = bytes === null ? null : safeParseJson(bytes)
      if (meta) {
        totals.entryCount++
        totals.sizeBytes += meta.sizeBytes
      }
    }
  }
  return totals
}

/**
 * The raw-csv directories, by as-of then first-cached month before the other month:
 * `<asOf>` and `<asOf>_<YYYY-MM>`.
 */
export async function rawDirs(
  fs: StorageFs,
  dataDir: string,
): Promise<{ name: string; asOf: IsoDate; otherMonth: YearMonth | null }[]> {
  const out: { name: string; asOf: IsoDate; otherMonth: YearMonth | null }[] = []
  for (const name of await readdirOrEmpty(fs, resolveInside(dataDir, RAW_CSV_DIR))) {
    const key = parseSnapshotKey(name)
    if (key) out.push({ name, ...key })
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

async function statOrNull(fs: StorageFs, file: string) {
  try {
    return await fs.stat(file)
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return null
    throw new StorageIoError('stat', file, e)
  }
}

async function statSizeOrNull(fs: StorageFs, file: string): Promise<number | null> {
  return (await statOrNull(fs, file))?.sizeBytes ?? null
}

/** A meta the caller may change without changing the index's. */
function copyMeta(meta: RawCsvMeta): RawCsvMeta {
  return { ...meta, footer: meta.footer === null ? null : { ...meta.footer } }
}

function safeParseJson(bytes: Buffer): RawCsvMeta | null {
  try {
    return safeParseRawCsvMeta(JSON.parse(bytes.toString('utf8')))
  } catch {
    return null
  }
}

export function statsOf(
  counters: { hits: number; misses: number; corrupt: number },
  totals: { entryCount: number; sizeBytes: number },
): RawCsvCacheStats {
  const lookups = counters.hits + counters.misses
  return { ...counters, hitRate: lookups === 0 ? 0 : counters.hits / lookups, ...totals }
}

/** The same cache in memory, for tests of other layers. */
export function createMemoryRawCsvCache(): RawCsvCache {
  const entries = new Map<string, { body: string; meta: RawCsvMeta }>()
  const counters = { hits: 0, misses: 0, corrupt: 0 }
  const keyOf = (k: RawCsvKey, month: YearMonth | null) =>
    `${k.asOf}/${month ?? ''}/${rawCsvBaseName(k.report, k.districtId)}`
  const slotsOf = (k: RawCsvKey) =>
    [null, ...dataMonthsOf(k.asOf)].flatMap((m) => {
      const e = entries.get(keyOf(k, m))
      return e ? [{ meta: e.meta, value: e }] : []
    })
  return {
    async put({ asOf, report, districtId, body, meta }) {
      const key = resolveRawKey(asOf, report, districtId)
      const stored = buildRawMeta(key, body, meta)
      entries.set(keyOf(key, rawDataMonth(stored)), { body, meta: stored })
      return { ...stored }
    },
    async get(asOf, report, districtId, dataMonth) {
      const key = resolveRawKey(asOf, report, districtId)
      const hit = pickRawMonth(slotsOf(key), resolveRawMonth(dataMonth))?.value
      if (hit) counters.hits++
      else counters.misses++
      return hit ? { body: hit.body, meta: { ...hit.meta } } : null
    },
    async has(asOf, report, districtId, dataMonth) {
      const key = resolveRawKey(asOf, report, districtId)
      return pickRawMonth(slotsOf(key), resolveRawMonth(dataMonth)) !== null
    },
    async list(asOf?: IsoDate) {
      const date = asOf === undefined ? null : assertAsOf(asOf)
      const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
      return sorted.map(([, e]) => ({ ...e.meta })).filter((m) => date === null || m.asOf === date)
    },
    async stats() {
      const sizeBytes = [...entries.values()].reduce((n, e) => n + e.meta.sizeBytes, 0)
      return statsOf(counters, { entryCount: entries.size, sizeBytes })
    },
  }
}
