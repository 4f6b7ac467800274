/**
 * RawCsvCache in PostgreSQL: each body exactly as received (bytea) with its request metadata,
 * written in one statement, so a row always pairs a complete body with the meta describing it.
 * A body whose sha256 no longer matches its meta is a miss (and reported), never served. Rows
 * are keyed by the body's footer month too (data_month, '' without a footer), so both data
 * months of one as-of are kept (docs/architecture.md#one-as-of-two-data-months).
 */
import type pg from 'pg'
import type { IsoDate } from '../../shared/iso-date.ts'
import { assertAsOf, rawCsvBaseName } from './paths.ts'
import type { RawCsvCache, RawCsvKey, RawCsvMeta } from './ports.ts'
import { pgQuery } from './pg-storage.ts'
import {
  buildRawMeta,
  rawDataMonth,
  resolveRawKey,
  resolveRawMonth,
  safeParseRawCsvMeta,
  statsOf,
} from './raw-csv-cache.ts'
import type { RawCsvProblem } from './raw-csv-cache.ts'
import { sha256Hex } from './schema.ts'

export interface PgRawCsvCacheOptions {
  /** A pool on a database migrated by src/server/pg/migrate.ts. */
  pool: pg.Pool
  /** Called when a stored body no longer matches its recorded sha256. */
  onCorrupt?: (problem: RawCsvProblem) => void
}

const NO_DISTRICT = ''
// Same order as the file cache's listing: by as-of, then by file base name, byte-wise.
const ORDER = `as_of, data_month COLLATE "C", (report || CASE WHEN district_id = '' THEN '' ELSE '_' || district_id END) COLLATE "C"`

export function createPgRawCsvCache(options: PgRawCsvCacheOptions): RawCsvCache {
  const counters = { hits: 0, misses: 0, corrupt: 0 }
  const q = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    pgQuery<R>(options.pool, 'raw_csv_bodies', sql, params)
  const keyParams = (k: RawCsvKey) => [k.asOf, k.report, k.districtId ?? NO_DISTRICT]
  const where = (k: RawCsvKey, month: string) =>
    `postgres:raw_csv_bodies/${k.asOf}/${rawCsvBaseName(k.report, k.districtId)}${month ? ` (data month ${month})` : ''}`
  /** `dataMonth` undefined = the latest month stored (a footer month sorts after ''). */
  const monthFilter = (dataMonth: unknown) => {
    const month = resolveRawMonth(dataMonth)
    return month === undefined
      ? { sql: 'ORDER BY data_month COLLATE "C" DESC LIMIT 1', params: [] }
      : { sql: 'AND data_month = $4', params: [month ?? NO_DISTRICT] }
  }

  return {
    async put({ asOf, report, districtId, body, meta }) {
      const key = resolveRawKey(asOf, report, districtId)
      const stored = buildRawMeta(key, body, meta)
      await q(
        `INSERT INTO raw_csv_bodies (as_of, report, district_id, body, meta, size_bytes, data_month)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (as_of, report, district_id, data_month) DO UPDATE
           SET body = EXCLUDED.body, meta = EXCLUDED.meta, size_bytes = EXCLUDED.size_bytes`,
        [
          ...keyParams(key),
          Buffer.from(body, 'utf8'),
          JSON.stringify(stored),
          stored.sizeBytes,
          rawDataMonth(stored) ?? NO_DISTRICT,
        ],
      )
      return stored
    },

    async get(asOf, report, districtId, dataMonth) {
      const key = resolveRawKey(asOf, report, districtId)
      const month = monthFilter(dataMonth)
      const { rows } = await q<{ body: Buffer; meta: unknown; data_month: string }>(
        `SELECT body, meta, data_month FROM raw_csv_bodies
           WHERE as_of = $1 AND report = $2 AND district_id = $3 ${month.sql}`,
        [...keyParams(key), ...month.params],
      )
      const meta = rows[0] ? safeParseRawCsvMeta(rows[0].meta) : null
      if (meta === null || rows[0] === undefined) {
        counters.misses++
        return null
      }
      if (sha256Hex(rows[0].body) !== meta.sha256) {
        counters.misses++
        counters.corrupt++
        options.onCorrupt?.({
          path: where(key, rows[0].data_month),
          code: 'RAW_SHA_MISMATCH',
          message: `body does not match sha256 ${meta.sha256}`,
        })
        return null
      }
      counters.hits++
      return { body: rows[0].body.toString('utf8'), meta }
    },

    async has(asOf, report, districtId, dataMonth) {
      const key = resolveRawKey(asOf, report, districtId)
      const month = monthFilter(dataMonth)
      const { rows } = await q<{ whole: boolean }>(
        `SELECT octet_length(body) = size_bytes AS whole FROM raw_csv_bodies
           WHERE as_of = $1 AND report = $2 AND district_id = $3 ${month.sql}`,
        [...keyParams(key), ...month.params],
      )
      return rows[0]?.whole === true
    },

    async list(asOf?: IsoDate) {
      const date = asOf === undefined ? null : assertAsOf(asOf)
      const { rows } = await q<{ meta: unknown }>(
        `SELECT meta FROM raw_csv_bodies WHERE $1::date IS NULL OR as_of = $1 ORDER BY ${ORDER}`,
        [date],
      )
      return rows.map((r) => safeParseRawCsvMeta(r.meta)).filter((m): m is RawCsvMeta => m !== null)
    },

    async stats() {
      const { rows } = await q<{ n: number; bytes: string }>(
        'SELECT count(*)::int AS n, coalesce(sum(size_bytes), 0)::text AS bytes FROM raw_csv_bodies',
      )
      return statsOf(counters, {
        entryCount: rows[0]?.n ?? 0,
        sizeBytes: Number(rows[0]?.bytes ?? 0),
      })
    },
  }
}
