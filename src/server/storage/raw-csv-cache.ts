/**
 * Upstream CSV bodies exactly as received, keyed by (as-of, report, district), each with its
 * request metadata: `raw-csv/<asOf>/<report>[_<districtId>].csv` + `.meta.json`. Both are
 * written durably to temp files, then the body is renamed into place before the meta, with one
 * directory fsync after both (docs/performance.md#fsyncs), so a meta always describes a complete
 * body; a body whose sha256 no longer matches its meta is a miss (and reported), never served.
 */
import path from 'node:path'
import { z } from 'zod'
import { DISTRICT_ID_RE } from '../../shared/district-id.ts'
import { isIsoDate } from '../../shared/iso-date.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import { REPORT_KINDS, SNAPSHOT_SCHEMA_VERSION } from '../../shared/snapshot-types.ts'
import { StorageIoError, StorageValidationError, errnoOf } from './errors.ts'
import { createKeyedMutex } from './keyed-mutex.ts'
import {
  RAW_CSV_DIR,
  assertAsOf,
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

export function rawPaths(dataDir: string, key: RawCsvKey): { body: string; meta: string } {
  const base = rawCsvBaseName(key.report, key.districtId)
  return {
    body: resolveInside(dataDir, RAW_CSV_DIR, key.asOf, base + RAW_BODY_SUFFIX),
    meta: resolveInside(dataDir, RAW_CSV_DIR, key.asOf, base + RAW_META_SUFFIX),
  }
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

export function createRawCsvCache(options: RawCsvCacheOptions): RawCsvCache {
  const dataDir = path.resolve(options.dataDir)
  const fs = options.fs ?? nodeStorageFs
  const counters = { hits: 0, misses: 0, corrupt: 0 }
  // Serialises puts of one key so the running totals count an overwrite once.
  const mutex = createKeyedMutex()
  let totals: Promise<{ entryCount: number; sizeBytes: number }> | null = null
  // Counted from disk once, then kept up to date by put().
  const loadTotals = () => (totals ??= scanTotals(fs, dataDir))

  async function readMeta(file: string): Promise<RawCsvMeta | null> {
    const bytes = await readOrNull(fs, file)
    if (bytes === null) return null
    try {
      return safeParseRawCsvMeta(parseJsonBytes(bytes, file))
    } catch {
      return null
    }
  }

  return {
    async put({ asOf, report, districtId, body, meta }) {
      const key = resolveRawKey(asOf, report, districtId)
      const stored = buildRawMeta(key, body, meta)
      const files = rawPaths(dataDir, key)
      const t = await loadTotals()
      return mutex.run(files.meta, async () => {
        const previous = await readMeta(files.meta)
        const dir = path.dirname(files.body)
        await io('mkdir', dir, () => fs.mkdir(dir))
        await writeAtomicPair(fs, dir, [
          { target: files.body, data: body },
          { target: files.meta, data: serializeJson(stored) },
        ])
        t.entryCount += previous ? 0 : 1
        t.sizeBytes += stored.sizeBytes - (previous?.sizeBytes ?? 0)
        return stored
      })
    },

    async get(asOf, report, districtId) {
      const key = resolveRawKey(asOf, report, districtId)
      const files = rawPaths(dataDir, key)
      const meta = await readMeta(files.meta)
      const body = meta ? await readOrNull(fs, files.body) : null
      if (meta === null || body === null) {
        counters.misses++
        return null
      }
      if (sha256Hex(body) !== meta.sha256) {
        counters.misses++
        counters.corrupt++
        options.onCorrupt?.({
          path: files.body,
          code: 'RAW_SHA_MISMATCH',
          message: `body does not match sha256 ${meta.sha256}`,
        })
        return null
      }
      counters.hits++
      return { body: body.toString('utf8'), meta }
    },

    async has(asOf, report, districtId) {
      const files = rawPaths(dataDir, resolveRawKey(asOf, report, districtId))
      const meta = await readMeta(files.meta)
      if (meta === null) return false
      // A size check (no read): skip-existing asks this for every stored cell.
      const size = await statSizeOrNull(fs, files.body)
      return size === meta.sizeBytes
    },

    async list(asOf?: IsoDate) {
      const dates =
        asOf === undefined
          ? (await readdirOrEmpty(fs, resolveInside(dataDir, RAW_CSV_DIR))).filter(isIsoDate)
          : [assertAsOf(asOf)]
      const out: RawCsvMeta[] = []
      for (const date of dates.sort()) {
        const dir = resolveInside(dataDir, RAW_CSV_DIR, date)
        for (const name of (await readdirOrEmpty(fs, dir))
          .filter((n) => n.endsWith(RAW_META_SUFFIX))
          .sort()) {
          const meta = await readMeta(path.join(dir, name))
          if (meta) out.push(meta)
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
  const root = resolveInside(dataDir, RAW_CSV_DIR)
  for (const date of (await readdirOrEmpty(fs, root)).filter(isIsoDate)) {
    const dir = resolveInside(dataDir, RAW_CSV_DIR, date)
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

async function statSizeOrNull(fs: StorageFs, file: string): Promise<number | null> {
  try {
    return (await fs.stat(file)).sizeBytes
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return null
    throw new StorageIoError('stat', file, e)
  }
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
  const keyOf = (k: RawCsvKey) => `${k.asOf}/${rawCsvBaseName(k.report, k.districtId)}`
  return {
    async put({ asOf, report, districtId, body, meta }) {
      const key = resolveRawKey(asOf, report, districtId)
      const stored = buildRawMeta(key, body, meta)
      entries.set(keyOf(key), { body, meta: stored })
      return { ...stored }
    },
    async get(asOf, report, districtId) {
      const hit = entries.get(keyOf(resolveRawKey(asOf, report, districtId)))
      if (hit) counters.hits++
      else counters.misses++
      return hit ? { body: hit.body, meta: { ...hit.meta } } : null
    },
    async has(asOf, report, districtId) {
      return entries.has(keyOf(resolveRawKey(asOf, report, districtId)))
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
