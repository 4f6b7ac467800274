/**
 * RawCsvCache in PostgreSQL: each body exactly as received (bytea) with its request metadata,
 * written in one statement, so a row always pairs a complete body with the meta describing it.
 * A body whose sha256 no longer matches its meta is a miss (and reported), never served.
 */
import type pg from 'pg'
import type { IsoDate } from '../../shared/iso-date.ts'
import { assertAsOf, rawCsvBaseName } from './paths.ts'
import type { RawCsvCache, RawCsvKey, RawCsvMeta } from './ports.ts'
import { pgQuery } from './pg-storage.ts'
import { buildRawMeta, resolveRawKey, safeParseRawCsvMeta, statsOf } from './raw-csv-cache.ts'
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
const ORDER = `as_of, (report || CASE WHEN district_id = '' THEN '' ELSE '_' || district_id END) COLLATE "C"`

export function createPgRawCsvCache(options: PgRawCsvCacheOptions): RawCsvCache {
  const counters = { hits: 0, misses: 0, corrupt: 0 }
  const q = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    pgQuery<R>(options.pool, 'raw_csv_bodies', sql, params)
  const keyParams = (k: RawCsvKey) => [k.asOf, k.report, k.districtId ?? NO_DISTRICT]
  const where = (k: RawCsvKey) =>
    `postgres:raw_csv_bodies/${k.asOf}/${rawCsvBaseName(k.report, k.districtId)}`

  return {
    async put({ asOf, report, districtId, body, meta }) {
      const key = resolveRawKey(asOf, report, districtId)
      const stored = buildRawMeta(key, body, meta)
      await q(
        `INSERT INTO raw_csv_bodies (as_of, report, district_id, body, meta, size_bytes)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (as_of, report, district_id) DO UPDATE
           SET body = EXCLUDED.body, meta = EXCLUDED.meta, size_bytes = EXCLUDED.size_bytes`,
        [...keyParams(key), Buffer.from(body, 'utf8'), JSON.stringify(stored), stored.sizeBytes],
      )
      return stored
    },

    async get(asOf, report, districtId) {
      const key = resolveRawKey(asOf, report, districtId)
      const { rows } = await q<{ body: Buffer; meta: unknown }>(
        'SELECT body, meta FROM raw_csv_bodies WHERE as_of = $1 AND report = $2 AND district_id = $3',
        keyParams(key),
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
          path: where(key),
          code: 'RAW_SHA_MISMATCH',
          message: `body does not match sha256 ${meta.sha256}`,
        })
        return null
      }
      counters.hits++
      return { body: rows[0].body.toString('utf8'), meta }
    },

    async has(asOf, report, districtId) {
      const key = resolveRawKey(asOf, report, districtId)
      const { rowCount } = await q(
        `SELECT 1 FROM raw_csv_bodies WHERE as_of = $1 AND report = $2 AND district_id = $3
           AND octet_length(body) = size_bytes`,
        keyParams(key),
      )
      return (rowCount ?? 0) > 0
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
