/**
 * The SnapshotStore rules (validation, manifest/metadata updates, current pointer, reads),
 * written once over a small backend that only loads and commits bytes. The file store and the
 * memory store are two backends, so they cannot drift apart.
 */
import type { DistrictId } from '../../shared/district-id.ts'
import { compareDistrictIds, normalizeDistrictId } from '../../shared/district-id.ts'
import { yearMonthOf } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import { SNAPSHOT_SCHEMA_VERSION } from '../../shared/snapshot-types.ts'
import type { AllDistrictsFile, CurrentPointer, DistrictFile } from '../../shared/snapshot-types.ts'
import {
  StorageCorruptError,
  StorageNotFoundError,
  StorageUnsupportedSchemaError,
  StorageValidationError,
} from './errors.ts'
import { createKeyedMutex } from './keyed-mutex.ts'
import {
  ALL_DISTRICTS_FILE,
  assertAsOf,
  assertDistrictId,
  assertYearMonth,
  districtFileName,
} from './paths.ts'
import type { SnapshotKey } from './paths.ts'
import type {
  SetCurrentOptions,
  SetCurrentResult,
  SnapshotStore,
  SnapshotWriteMeta,
  SnapshotWriter,
} from './ports.ts'
import { keyForWrite, resolveSlot } from './snapshot-slots.ts'
import { createSnapshotReads } from './snapshot-reads.ts'
import type { SnapshotBackend } from './snapshot-backend.ts'
import {
  applyDistrictWrites,
  applyFailures,
  clearFailures,
  assertSameDataMonth,
  findRestatements,
  metaOfFile,
  newSnapshotState,
  normalizeFailures,
  prepareBatch,
  statusOf,
  validateWriteMeta,
  withRequestedDate,
  withStatus,
} from './snapshot-model.ts'
import type { SnapshotState } from './snapshot-model.ts'
import {
  byteSize,
  parseJsonBytes,
  serializeAllDistrictsFile,
  sha256Hex,
  upgradeAllDistricts,
  upgradeDistrictFile,
} from './schema.ts'
import type { FileToWrite } from './snapshot-files.ts'
import {
  indexAllDistricts,
  parseSeriesRecord,
  pointOfFile,
  reconcileSeriesRecord,
} from './series-index.ts'
import type { SummaryStatsOf } from './series-index.ts'

export interface SnapshotStoreCoreOptions {
  now: () => Date
  toolVersion: string
  /** How an all-districts file's rows become figures for the series index; without it, none. */
  summaryStatsOf?: SummaryStatsOf
}

/** The files of a change, parsed, that the series index is updated from. */
interface Indexed {
  districts?: { file: DistrictFile; sha256: string }[]
  allDistricts?: { file: AllDistrictsFile; sha256: string }
}

type Change = (
  current: SnapshotState | null,
  nowIso: string,
  key: SnapshotKey,
) => Promise<{ state: SnapshotState; files: FileToWrite[]; indexed?: Indexed }>

/** The data month a write names, and the field to blame when the as-of cannot take it. */
interface WriteMonth {
  month: YearMonth
  programYear: string
  field: string
}

const monthOf = (m: SnapshotWriteMeta, field: string): WriteMonth => ({
  month: m.dataMonth,
  programYear: m.programYear,
  field,
})

export function createSnapshotStoreOn(
  backend: SnapshotBackend,
  options: SnapshotStoreCoreOptions,
): SnapshotStore {
  const mutex = createKeyedMutex()
  const nowIso = () => options.now().toISOString()

  /**
   * Read-modify-write of one (as-of, data month), serialised per as-of (both months of an as-of
   * share the lock: which key a month goes to depends on the as-of's first snapshot).
   */
  function mutate(asOf: IsoDate, month: WriteMonth | null, change: Change): Promise<SnapshotState> {
    return mutex.run(asOf, async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const first = await backend.loadForWrite(asOf)
        const key = await keyForWrite((k) => backend.loadState(k), asOf, first, month)
        const current = key === asOf ? first : await backend.loadForWrite(key)
        const { state, files, indexed } = await change(current, nowIso(), key)
        const stamped = {
          ...state,
          metadata: { ...state.metadata, toolVersion: options.toolVersion },
        }
        const seriesIndex = indexed ? await nextSeriesIndex(key, asOf, stamped, indexed) : null
        if (await backend.commit(key, current === null, files, stamped, seriesIndex)) return stamped
      }
      throw new StorageValidationError(
        'asOf',
        asOf,
        'kept changing under this write (another process?)',
      )
    })
  }

  /** The snapshot's series index record after this change, serialized (series-index.ts). */
  async function nextSeriesIndex(
    key: SnapshotKey,
    asOf: IsoDate,
    state: SnapshotState,
    indexed: Indexed,
  ): Promise<string> {
    const stored = await backend.loadSeriesIndex(key).catch(() => null)
    const { record } = reconcileSeriesRecord(parseSeriesRecord(stored, asOf), state)
    for (const { file, sha256 } of indexed.districts ?? []) {
      if (state.manifest.districts[file.districtId]?.sha256 === sha256)
        record.districts[file.districtId] = { sha256, point: pointOfFile(file) }
    }
    const all = indexed.allDistricts
    if (all && state.manifest.allDistricts?.sha256 === all.sha256)
      record.allDistricts = indexAllDistricts(all.file, all.sha256, options.summaryStatsOf)
    return JSON.stringify(record)
  }

  async function previousDistricts(
    key: SnapshotKey,
    current: SnapshotState | null,
    ids: DistrictId[],
  ) {
    const out = new Map<DistrictId, DistrictFile>()
    for (const id of ids) {
      if (!current?.manifest.districts[id]) continue
      try {
        const bytes = await backend.readCommitted(key, current.manifest, districtFileName(id))
        out.set(id, upgradeDistrictFile(parseJsonBytes(bytes, id)))
      } catch (e) {
        // A corrupt old file has nothing to compare with (the new one replaces it); a disk
        // error, though, must stop the write rather than silently lose the restatement.
        if (!isUntrustworthy(e)) throw e
      }
    }
    return out
  }

  const writer: SnapshotWriter = {
    async writeDistricts(asOf, files, meta) {
      assertAsOf(asOf)
      const m = validateWriteMeta(meta)
      const all = prepareBatch(asOf, files, m, nowIso())
      let result = all.map((p) => p.entry)
      await mutate(asOf, monthOf(m, 'meta.dataMonth'), async (current, now, key) => {
        const base = current ?? newSnapshotState(asOf, m, now)
        assertSameDataMonth(base.metadata, m, 'meta.dataMonth')
        // Never lose detail: a summary-level file does not replace a stored full one.
        const kept = base.manifest.districts
        const prepared = all.filter(
          (p) => !(p.entry.detail === 'summary' && kept[p.entry.districtId]?.detail === 'full'),
        )
        result = all.map((p) =>
          prepared.includes(p) ? p.entry : (kept[p.entry.districtId] ?? p.entry),
        )
        const previous = await previousDistricts(
          key,
          current,
          prepared.map((p) => p.entry.districtId),
        )
        const next = applyDistrictWrites(base, prepared, previous, now)
        return {
          state: { ...next, metadata: withRequestedDate(next.metadata, m.requestedDate) },
          files: prepared.map((p) => ({ name: p.entry.file, text: p.text })),
          indexed: { districts: prepared.map((p) => ({ file: p.file, sha256: p.entry.sha256 })) },
        }
      })
      return result
    },

    async writeDistrict(file, writeOptions) {
      if (typeof file !== 'object' || file === null)
        throw new StorageValidationError('file', file, 'must be an object')
      const [entry] = await writer.writeDistricts(file.asOf, [file], metaOfFile(file, writeOptions))
      return entry!
    },

    async writeAllDistricts(file, writeOptions = {}) {
      const checked = checkAllDistricts(file)
      const notStoredYet = normalizeFailures(writeOptions.notStoredYet ?? [])
      const text = serializeAllDistrictsFile(checked)
      const textSha = sha256Hex(text)
      const m = validateWriteMeta({
        dataMonth: checked.dataMonth,
        programYear: checked.programYear,
        closingPeriod: yearMonthOf(checked.asOf) !== checked.dataMonth,
        requestedDate: writeOptions.requestedDate ?? null,
        jobId: writeOptions.jobId ?? null,
      })
      await mutate(checked.asOf, monthOf(m, 'file.dataMonth'), async (current, now, key) => {
        const base = current ?? newSnapshotState(checked.asOf, m, now)
        assertSameDataMonth(base.metadata, m, 'file.dataMonth')
        const old = await previousAllDistricts(key, current)
        const restated = old ? findRestatements([old.source], [checked.source], now) : []
        return {
          state: withStatus({
            manifest: {
              ...base.manifest,
              allDistricts: {
                sizeBytes: byteSize(text),
                sha256: textSha,
                writtenAt: now,
                districtIds: summaryDistrictIds(checked),
              },
            },
            metadata: withRequestedDate(
              applyFailures(
                { ...base.metadata, restatements: [...base.metadata.restatements, ...restated] },
                notStoredYet,
                now,
              ),
              m.requestedDate,
            ),
          }),
          files: [{ name: ALL_DISTRICTS_FILE, text }],
          indexed: { allDistricts: { file: checked, sha256: textSha } },
        }
      })
    },

    async recordFailures(asOf, failures, meta) {
      assertAsOf(asOf)
      if (!Array.isArray(failures))
        throw new StorageValidationError('failures', failures, 'must be an array')
      const list = normalizeFailures(failures)
      const m = meta === undefined ? null : validateWriteMeta(meta)
      const month = m === null ? null : monthOf(m, 'meta.dataMonth')
      const committed = await mutate(asOf, month, async (current, now) => {
        if (current === null && m === null) throw new StorageNotFoundError(`snapshot ${asOf}`)
        const base = current ?? newSnapshotState(asOf, m!, now)
        if (m) assertSameDataMonth(base.metadata, m, 'meta.dataMonth')
        const metadata = withRequestedDate(
          applyFailures(base.metadata, list, now),
          m?.requestedDate ?? null,
        )
        return { state: withStatus({ ...base, metadata }), files: [] }
      })
      return committed.metadata
    },

    async clearFailures(asOf, districtIds, dataMonth) {
      assertAsOf(asOf)
      if (!Array.isArray(districtIds))
        throw new StorageValidationError('districtIds', districtIds, 'must be an array')
      const ids = districtIds.map((id, i) => assertDistrictId(id, `districtIds[${i}]`))
      if (dataMonth !== undefined) assertYearMonth(dataMonth, 'dataMonth')
      const load = (k: SnapshotKey) => backend.loadState(k)
      if ((await resolveSlot(load, asOf, dataMonth)) === null) return null
      const month =
        dataMonth === undefined ? null : { month: dataMonth, programYear: '', field: 'dataMonth' }
      const committed = await mutate(asOf, month, async (current, now) => {
        if (current === null) throw new StorageNotFoundError(`snapshot ${asOf}`)
        return { state: clearFailures(current, ids, now), files: [] }
      })
      return committed.metadata
    },

    async setCurrent(asOf, setOptions = {}) {
      assertAsOf(asOf)
      if (setOptions.dataMonth !== undefined) assertYearMonth(setOptions.dataMonth, 'dataMonth')
      return mutex.run('current.json', () => moveCurrent(asOf, setOptions))
    },
  }

  async function previousAllDistricts(key: SnapshotKey, current: SnapshotState | null) {
    if (!current?.manifest.allDistricts) return null
    try {
      return upgradeAllDistricts(
        parseJsonBytes(await backend.readCommitted(key, current.manifest, ALL_DISTRICTS_FILE), key),
      )
    } catch (e) {
      if (!isUntrustworthy(e)) throw e
      return null
    }
  }

  async function moveCurrent(
    asOf: IsoDate,
    { force = false, dataMonth }: SetCurrentOptions,
  ): Promise<SetCurrentResult> {
    const slot = await resolveSlot((k) => backend.loadState(k), asOf, dataMonth)
    if (slot === null)
      throw new StorageNotFoundError(`snapshot ${asOf}${dataMonth ? ` (${dataMonth})` : ''}`)
    const { state } = slot
    const existing = await backend.readCurrent()
    const keep = (reason: SetCurrentResult['reason']): SetCurrentResult => ({
      current: existing?.asOf ?? null,
      moved: false,
      reason,
    })
    if (!force && statusOf(state) !== 'complete') return keep('partial')
    // Same as-of: forward means its later data month (a pointer without one names neither).
    const rank = (p: { asOf: IsoDate; dataMonth?: string }) => `${p.asOf} ${p.dataMonth ?? ''}`
    const target = { asOf, dataMonth: state.metadata.dataMonth }
    if (!force && existing !== null && rank(existing) >= rank(target)) return keep('not-newer')
    const pointer: CurrentPointer = {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      asOf,
      dataMonth: state.metadata.dataMonth,
      updatedAt: nowIso(),
    }
    await backend.writeCurrent(pointer)
    return { current: asOf, moved: true }
  }

  // Reads of a date wait for that date's write in progress (same mutex), then read it whole.
  return {
    ...writer,
    ...createSnapshotReads(backend, (asOf, read) => mutex.run(asOf, read), {
      summaryStatsOf: options.summaryStatsOf,
    }),
  }
}

function checkAllDistricts(file: AllDistrictsFile): AllDistrictsFile {
  if (file?.schemaVersion !== SNAPSHOT_SCHEMA_VERSION) {
    throw new StorageValidationError(
      'file.schemaVersion',
      file?.schemaVersion,
      `must be ${SNAPSHOT_SCHEMA_VERSION}`,
    )
  }
  assertAsOf(file.asOf, 'file.asOf')
  try {
    return upgradeAllDistricts(file)
  } catch (e) {
    throw new StorageValidationError(
      'allDistrictsFile',
      file.asOf,
      `has an invalid shape (${(e as Error).message})`,
    )
  }
}

function isUntrustworthy(e: unknown): boolean {
  return e instanceof StorageCorruptError || e instanceof StorageUnsupportedSchemaError
}

/** The districts a summary lists (its `DISTRICT` column), the set its snapshot may hold. */
function summaryDistrictIds(file: AllDistrictsFile): DistrictId[] {
  const ids = file.rows.flatMap((r) => normalizeDistrictId((r['DISTRICT'] ?? '').trim()) ?? [])
  return [...new Set(ids)].sort(compareDistrictIds)
}
