/**
 * Raw CSV bodies with their provenance, copied between a DATA_DIR (`raw-csv/<asOf>/` and, for
 * an as-of's other data month, `raw-csv/<asOf>_<YYYY-MM>/`) and PostgreSQL (`raw_csv_bodies`) for `tm-backfill migrate` / `export`. Every body is checked
 * against the sha256 and size its meta records before it is copied; one that fails is reported
 * and left where it is. The meta is rebuilt from the same facts by `buildRawMeta`, so the copy's
 * meta equals the source's.
 */
import path from 'node:path'
import type pg from 'pg'
import type { IsoDate } from '../../shared/iso-date.ts'
import { RAW_CSV_DIR, dataMonthsOf, parseSnapshotKey, resolveInside } from './paths.ts'
import { pgQuery } from './pg-storage.ts'
import type { RawCsvMeta } from './ports.ts'
import {
  RAW_BODY_SUFFIX,
  RAW_META_SUFFIX,
  createRawCsvCache,
  rawDataMonth,
  safeParseRawCsvMeta,
} from './raw-csv-cache.ts'
import { parseJsonBytes, sha256Hex } from './schema.ts'
import type { SealProblem } from './sealed-snapshots.ts'
import type { StorageFs } from './storage-fs.ts'
import { nodeStorageFs, readOrNull, readdirOrEmpty } from './storage-fs.ts'

export interface SealedRawBody {
  meta: RawCsvMeta
  body: Buffer
}

export interface SealedRawRead {
  bodies: SealedRawBody[]
  problems: SealProblem[]
}

const NO_DISTRICT = ''

/** Dates with a `raw-csv/<asOf>/` (or `<asOf>_<YYYY-MM>/`) directory, ascending. */
export async function listDiskRawDates(
  dataDir: string,
  fs: StorageFs = nodeStorageFs,
): Promise<IsoDate[]> {
  const names = await readdirOrEmpty(fs, resolveInside(path.resolve(dataDir), RAW_CSV_DIR))
  const dates = new Set<IsoDate>()
  for (const name of names) {
    const key = parseSnapshotKey(name)
    if (key) dates.add(key.asOf)
  }
  return [...dates].sort()
}

/** How a row is named in reports: its as-of, report and district, then its data month. */
export function pgRawWhere(meta: RawCsvMeta, dataMonth: string): string {
  const month = dataMonth ? ` (data month ${dataMonth})` : ''
  return `postgres:raw_csv_bodies/${meta.asOf}/${meta.report}${meta.districtId ? `_${meta.districtId}` : ''}${month}`
}

function checkBody(meta: RawCsvMeta, body: Buffer): string | null {
  if (body.length !== meta.sizeBytes)
    return `size ${body.length} bytes, its meta says ${meta.sizeBytes}`
  if (sha256Hex(body) !== meta.sha256) return `body does not match sha256 ${meta.sha256}`
  return null
}

/**
 * Every body of one date with its meta, each checked. A body without a meta is what an
 * interrupted put leaves (swept at start-up), not data: it is not listed.
 */
export async function readDiskRawDate(
  dataDir: string,
  asOf: IsoDate,
  fs: StorageFs = nodeStorageFs,
): Promise<SealedRawRead> {
  const out: SealedRawRead = { bodies: [], problems: [] }
  // The first data month cached, then the other one (docs/architecture.md#one-as-of-two-data-months).
  const slots = [
    { dir: asOf, month: null as string | null },
    ...dataMonthsOf(asOf).map((m) => ({ dir: `${asOf}_${m}`, month: m as string | null })),
  ]
  for (const slot of slots) {
    const dir = resolveInside(path.resolve(dataDir), RAW_CSV_DIR, slot.dir)
    const names = (await readdirOrEmpty(fs, dir))
      .filter((n) => n.endsWith(RAW_META_SUFFIX) && !n.startsWith('.'))
      .sort()
    for (const name of names) {
      const metaPath = path.join(dir, name)
      const bodyPath = path.join(dir, name.slice(0, -RAW_META_SUFFIX.length) + RAW_BODY_SUFFIX)
      let meta: RawCsvMeta | null
      try {
        const bytes = await readOrNull(fs, metaPath)
        meta = bytes === null ? null : safeParseRawCsvMeta(parseJsonBytes(bytes, metaPath))
      } catch {
        meta = null
      }
      if (
        meta === null ||
        meta.asOf !== asOf ||
        (slot.month !== null && rawDataMonth(meta) !== slot.month)
      ) {
        out.problems.push({ path: metaPath, message: 'not a raw CSV meta this version can read' })
        continue
      }
      const body = await readOrNull(fs, bodyPath)
      const problem = body === null ? 'missing' : checkBody(meta, body)
      if (problem !== null || body === null) {
        out.problems.push({ path: bodyPath, message: problem ?? 'missing' })
        continue
      }
      out.bodies.push({ meta, body })
    }
  }
  return out
}

/** 'identical' when the target already holds the same body (same sha256). */
export type RawWriteOutcome = 'copied' | 'identical' | 'conflict' | 'replaced'

/** Writes one checked body into a DATA_DIR through the file cache (atomic writes). */
export async function writeDiskRawBody(
  dataDir: string,
  raw: SealedRawBody,
  fs: StorageFs = nodeStorageFs,
): Promise<RawWriteOutcome> {
  const cache = createRawCsvCache({ dataDir, fs })
  const { meta } = raw
  const existing = await cache.get(meta.asOf, meta.report, meta.districtId, rawDataMonth(meta))
  if (existing !== null && existing.meta.sha256 === meta.sha256) return 'identical'
  await cache.put({
    asOf: meta.asOf,
    report: meta.report,
    districtId: meta.districtId,
    body: raw.body.toString('utf8'),
    meta,
  })
  return existing === null ? 'copied' : 'replaced'
}

/** Raw bodies in PostgreSQL; `db` is the connection to use (a date transaction's, or the pool). */
export function createPgSealedRawBodies(db: () => pg.Pool | pg.PoolClient) {
  const q = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    pgQuery<R>(db(), 'raw_csv_bodies', sql, params)
  return {
    async listDates(): Promise<IsoDate[]> {
      const { rows } = await q<{ as_of: IsoDate }>(
        "SELECT DISTINCT to_char(as_of, 'YYYY-MM-DD') AS as_of FROM raw_csv_bodies ORDER BY 1",
      )
      return rows.map((r) => r.as_of)
    },
    /** Inserts the body unless its key is taken: 'identical' (same sha256) or 'conflict'. */
    async insert(raw: SealedRawBody): Promise<RawWriteOutcome> {
      const { meta } = raw
      const key = [
        meta.asOf,
        meta.report,
        meta.districtId ?? NO_DISTRICT,
        rawDataMonth(meta) ?? NO_DISTRICT,
      ]
      const { rows } = await q<{ meta: unknown }>(
        `SELECT meta FROM raw_csv_bodies
           WHERE as_of = $1 AND report = $2 AND district_id = $3 AND data_month = $4`,
        key,
      )
      if (rows[0] !== undefined)
        return safeParseRawCsvMeta(rows[0].meta)?.sha256 === meta.sha256 ? 'identical' : 'conflict'
      await q(
        `INSERT INTO raw_csv_bodies (as_of, report, district_id, data_month, body, meta, size_bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [...key, raw.body, JSON.stringify(meta), raw.body.length],
      )
      return 'copied'
    },
    /** Every body of one date, each checked against its meta. */
    async readDate(asOf: IsoDate): Promise<SealedRawRead> {
      const { rows } = await q<{
        report: string
        district_id: string
        data_month: string
        body: Buffer
        meta: unknown
      }>(
        `SELECT report, district_id, data_month, body, meta FROM raw_csv_bodies WHERE as_of = $1
         ORDER BY data_month COLLATE "C", report, district_id COLLATE "C"`,
        [asOf],
      )
      const out: SealedRawRead = { bodies: [], problems: [] }
      for (const r of rows) {
        const month = r.data_month ? ` (data month ${r.data_month})` : ''
        const where = `postgres:raw_csv_bodies/${asOf}/${r.report}${r.district_id ? `_${r.district_id}` : ''}${month}`
        const meta = safeParseRawCsvMeta(r.meta)
        const problem = meta === null ? 'meta unreadable' : checkBody(meta, r.body)
        if (problem !== null || meta === null)
          out.problems.push({ path: where, message: problem ?? '' })
        else out.bodies.push({ meta, body: r.body })
      }
      return out
    },
  }
}

export type PgSealedRawBodies = ReturnType<typeof createPgSealedRawBodies>
