/**
 * SnapshotStore in PostgreSQL: the same rules as the file store (shared core), over a backend
 * of three tables (see src/server/pg/migrations.ts). The bytes a manifest hashes are stored as
 * they are, so a manifest's sha256 means here what it means on disk.
 *
 * Each write of an as-of (and each move of the current pointer) is one transaction under an
 * advisory lock on that as-of, so processes sharing the database never lose each other's
 * manifest update and a failed write leaves the previous state.
 */
import type pg from 'pg'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { CurrentPointer, SnapshotManifest } from '../../shared/snapshot-types.ts'
import { StorageCorruptError, StorageValidationError } from './errors.ts'
import { parseSnapshotKey } from './paths.ts'
import type { SnapshotKey } from './paths.ts'
import type { SnapshotStore } from './ports.ts'
import type { SummaryStatsOf } from './series-index.ts'
import type { SnapshotBackend } from './snapshot-backend.ts'
import { checkStateKey, expectedSha, sealState } from './snapshot-files.ts'
import type { FileToWrite } from './snapshot-files.ts'
import type { SnapshotState } from './snapshot-model.ts'
import { createSnapshotStoreOn } from './snapshot-store-core.ts'
import {
  parseJsonBytes,
  sha256Hex,
  upgradeCurrent,
  upgradeManifest,
  upgradeMetadata,
} from './schema.ts'
import { createPgTransactions, pgQuery } from './pg-storage.ts'
import type { PgTransactions } from './pg-storage.ts'

export interface PgSnapshotStoreOptions {
  /** A pool on a database migrated by src/server/pg/migrate.ts. */
  pool: pg.Pool
  /** Recorded in every metadata this store writes. */
  toolVersion: string
  /** @default () => new Date() */
  now?: () => Date
  /** Reads an all-districts file's rows for the series index (normalize's summaryStatsByDistrict). */
  summaryStatsOf?: SummaryStatsOf
}

const CURRENT_KEY = 'current'

export function createPgSnapshotStore(options: PgSnapshotStoreOptions): SnapshotStore {
  const tx = createPgTransactions(options.pool, 'snapshots')
  const inner = createSnapshotStoreOn(createPgBackend(tx), {
    now: options.now ?? (() => new Date()),
    toolVersion: options.toolVersion,
    summaryStatsOf: options.summaryStatsOf,
  })
  // A value that is not a string is refused by the core's validation, before any query.
  const write = <T>(asOf: unknown, fn: () => Promise<T>): Promise<T> =>
    typeof asOf === 'string' ? tx.write(`as-of:${asOf}`, fn) : fn()
  return {
    ...inner,
    writeDistricts: (asOf, files, meta) =>
      write(asOf, () => inner.writeDistricts(asOf, files, meta)),
    writeDistrict: (file, o) => write(file?.asOf, () => inner.writeDistrict(file, o)),
    writeAllDistricts: (file, o) => write(file?.asOf, () => inner.writeAllDistricts(file, o)),
    recordFailures: (asOf, failures, meta) =>
      write(asOf, () => inner.recordFailures(asOf, failures, meta)),
    clearFailures: (asOf, districtIds, dataMonth) =>
      write(asOf, () => inner.clearFailures(asOf, districtIds, dataMonth)),
    setCurrent: (asOf, o) => tx.write(CURRENT_KEY, () => inner.setCurrent(asOf, o)),
  }
}

/** A snapshot key as the tables' columns: `other_month` is '' for an as-of's first month. */
export function pgKey(key: SnapshotKey): { asOf: IsoDate; other: string } {
  const parsed = parseSnapshotKey(key)
  if (parsed === null) throw new StorageValidationError('asOf', key, 'must be a snapshot key')
  return { asOf: parsed.asOf, other: parsed.otherMonth ?? '' }
}

export async function listPgSnapshotKeys(
  q: <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>,
): Promise<SnapshotKey[]> {
  const { rows } = await q<{ key: SnapshotKey }>(
    `SELECT to_char(as_of, 'YYYY-MM-DD') || CASE WHEN other_month = '' THEN '' ELSE '_' || other_month END
       AS key FROM snapshots ORDER BY as_of, other_month`,
  )
  return rows.map((r) => r.key)
}

function createPgBackend(tx: PgTransactions): SnapshotBackend {
  const q = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    pgQuery<R>(tx.db(), 'snapshots', sql, params)

  async function loadState(key: SnapshotKey): Promise<SnapshotState | null> {
    const { asOf, other } = pgKey(key)
    const { rows } = await q<{ manifest: unknown; metadata_text: string }>(
      'SELECT manifest, metadata_text FROM snapshots WHERE as_of = $1 AND other_month = $2',
      [asOf, other],
    )
    const row = rows[0]
    if (row === undefined) return null
    const where = `postgres:snapshots/${key}`
    const manifest = upgradeManifest(row.manifest, `${where} manifest`)
    if (sha256Hex(row.metadata_text) !== manifest.metadataSha256) {
      throw new StorageCorruptError(where, 'metadata does not match the manifest sha256')
    }
    const metadata = upgradeMetadata(parseJsonBytes(row.metadata_text, where), `${where} metadata`)
    checkStateKey(where, key, metadata, manifest)
    return { metadata, manifest }
  }

  async function upsertFiles(key: SnapshotKey, files: FileToWrite[]): Promise<void> {
    const { asOf, other } = pgKey(key)
    for (const f of files) {
      const body = Buffer.from(f.text, 'utf8')
      await q(
        `INSERT INTO snapshot_files (as_of, other_month, name, body, sha256, size_bytes)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (as_of, other_month, name) DO UPDATE
           SET body = EXCLUDED.body, sha256 = EXCLUDED.sha256, size_bytes = EXCLUDED.size_bytes`,
        [asOf, other, f.name, body, sha256Hex(body), body.length],
      )
    }
  }

  return {
    listKeys: () => listPgSnapshotKeys(q),
    // Every commit takes a new value of the sequence (migration 5), so a token that did not change
    // means the row did not; readers in other processes see each other's writes through it.
    async listGenerations() {
      const { rows } = await q<{ key: SnapshotKey; generation: string }>(
        `SELECT to_char(as_of, 'YYYY-MM-DD') || CASE WHEN other_month = '' THEN '' ELSE '_' || other_month END AS key,
           generation::text AS generation FROM snapshots ORDER BY as_of, other_month`,
      )
      return new Map(rows.map((r) => [r.key, r.generation]))
    },
    async loadSeriesIndex(key) {
      const { asOf, other } = pgKey(key)
      const { rows } = await q<{ series_index: string | null }>(
        'SELECT series_index FROM snapshots WHERE as_of = $1 AND other_month = $2',
        [asOf, other],
      )
      return rows[0]?.series_index ?? null
    },
    async saveSeriesIndex(key, text) {
      const { asOf, other } = pgKey(key)
      await q('UPDATE snapshots SET series_index = $3 WHERE as_of = $1 AND other_month = $2', [
        asOf,
        other,
        text,
      ])
    },
    loadState,
    loadForWrite: loadState,
    async readCommitted(key: SnapshotKey, manifest: SnapshotManifest, name: string) {
      const where = `postgres:snapshot_files/${key}/${name}`
      const want = expectedSha(manifest, name)
      if (want === null) throw new StorageCorruptError(where, 'not listed in the manifest')
      const { asOf, other } = pgKey(key)
      const { rows } = await q<{ body: Buffer }>(
        'SELECT body FROM snapshot_files WHERE as_of = $1 AND other_month = $2 AND name = $3',
        [asOf, other, name],
      )
      const body = rows[0]?.body
      if (body === undefined || sha256Hex(body) !== want) {
        throw new StorageCorruptError(where, 'missing, or its sha256 does not match the manifest')
      }
      return body
    },
    async commit(key, isNew, files, state, seriesIndex) {
      if (!tx.inWrite()) throw new Error('snapshot commit outside a write transaction')
      const { manifest, metadataText } = sealState(state)
      const { asOf, other } = pgKey(key)
      // The series index goes in the same transaction; null keeps the stored one (its entries
      // are checked against the manifest's sha256 on read).
      const index = seriesIndex ?? null
      if (isNew) {
        const inserted = await q(
          `INSERT INTO snapshots (as_of, other_month, manifest, metadata_text, series_index)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (as_of, other_month) DO NOTHING`,
          [asOf, other, JSON.stringify(manifest), metadataText, index],
        )
        if (inserted.rowCount === 0) return false
      } else {
        await q(
          `UPDATE snapshots SET manifest = $3, metadata_text = $4, updated_at = now(),
             generation = nextval('snapshot_generation'),
             series_index = coalesce($5, series_index)
           WHERE as_of = $1 AND other_month = $2`,
          [asOf, other, JSON.stringify(manifest), metadataText, index],
        )
      }
      await upsertFiles(key, files)
      return true
    },
    async readCurrent() {
      const { rows } = await q<{ pointer: unknown }>('SELECT pointer FROM current_snapshot')
      return rows[0] ? upgradeCurrent(rows[0].pointer, 'postgres:current_snapshot') : null
    },
    async writeCurrent(pointer: CurrentPointer) {
      await q(
        `INSERT INTO current_snapshot (singleton, pointer) VALUES (true, $1)
         ON CONFLICT (singleton) DO UPDATE SET pointer = EXCLUDED.pointer`,
        [JSON.stringify(pointer)],
      )
    },
  }
}
