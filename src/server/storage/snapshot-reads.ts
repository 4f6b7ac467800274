/** The read side of a SnapshotStore, over a backend. */
import type { DistrictId } from '../../shared/district-id.ts'
import { isoDateToUtcMs } from '../../shared/iso-date.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { AllDistrictsFile, DetailLevel, DistrictFile } from '../../shared/snapshot-types.ts'
import {
  StorageCorruptError,
  StorageUnsupportedSchemaError,
  StorageValidationError,
} from './errors.ts'
import {
  computeCoverage,
  inOpenRange,
  resolveCoverageQuery,
  resolveOpenRange,
  resolveRange,
} from './coverage.ts'
import { ALL_DISTRICTS_FILE, assertAsOf, assertDistrictId, districtFileName } from './paths.ts'
import type { CoverageReport, SnapshotReader } from './ports.ts'
import {
  indexAllDistricts,
  parseSeriesRecord,
  pointOfFile,
  reconcileSeriesRecord,
  seriesRecordMatches,
} from './series-index.ts'
import type { SeriesIndexRecord, SummaryStatsOf } from './series-index.ts'
import type { SnapshotBackend } from './snapshot-backend.ts'
import { detailSatisfies, sortedDistrictIds, summarize, withStatus } from './snapshot-model.ts'
import type { SnapshotState } from './snapshot-model.ts'
import {
  READABLE_DISTRICT_FILE_VERSIONS,
  parseJsonBytes,
  upgradeAllDistricts,
  upgradeDistrictFile,
} from './schema.ts'

const SCHEMA_VERSION_PREFIX = /^\{\s*"schemaVersion"\s*:\s*(\d+)\s*,/

/** The `schemaVersion` a district file starts with, or null when it does not start with one. */
function leadingSchemaVersion(bytes: Buffer): number | null {
  const m = SCHEMA_VERSION_PREFIX.exec(bytes.subarray(0, 64).toString('utf8'))
  return m ? Number(m[1]) : null
}

function isUntrustworthy(e: unknown): boolean {
  return e instanceof StorageCorruptError || e instanceof StorageUnsupportedSchemaError
}

/**
 * Runs a read of one as-of alone with that as-of's writes in this process, so a reader never
 * sees a write half moved into place (a manifest committed, its files not yet renamed).
 */
export type ExclusiveOnDate = <T>(asOf: IsoDate, read: () => Promise<T>) => Promise<T>

export interface SnapshotReadsOptions {
  /** How the series index reads an all-districts file's rows (none: rows are not indexed). */
  summaryStatsOf?: SummaryStatsOf
}

/** Coverage answers kept per query while no snapshot changes; a few ranges at a time are usual. */
const MAX_CACHED_ANSWERS = 16

export function createSnapshotReads(
  backend: SnapshotBackend,
  onDate: ExclusiveOnDate = (_asOf, read) => read(),
  readsOptions: SnapshotReadsOptions = {},
): SnapshotReader {
  /**
   * The coverage index (docs/performance.md#coverage-index): every date's manifest and metadata,
   * loaded once and then again only for a date whose generation changed. `null` = unreadable
   * (listings skip it). Answers are kept until the next change.
   */
  const known = new Map<
    IsoDate,
    { generation: string; state: SnapshotState | null; series?: SeriesIndexRecord }
  >()
  let answers = new Map<string, CoverageReport>()
  // Each caller waits for a pass that started after it asked, so it sees every write before it;
  // callers arriving together share that pass (50 pollers cost one, not 50).
  let requested = 0
  let completed = 0
  let running: Promise<void> | null = null

  async function refreshOnce(): Promise<void> {
    const generations = await backend.listGenerations()
    let changed = false
    for (const asOf of known.keys()) {
      if (!generations.has(asOf)) {
        known.delete(asOf)
        changed = true
      }
    }
    for (const [asOf, generation] of generations) {
      if (known.get(asOf)?.generation === generation) continue
      known.set(asOf, { generation, state: await tryLoad(asOf) })
      changed = true
    }
    if (changed) answers = new Map()
  }

  async function refresh(): Promise<void> {
    const ticket = ++requested
    while (completed < ticket) {
      if (!running) {
        const started = requested
        running = refreshOnce()
          .then(() => {
            completed = Math.max(completed, started)
          })
          .finally(() => {
            running = null
          })
      }
      await running
    }
  }

  async function indexedStates(from: IsoDate | null, to: IsoDate | null) {
    await refresh()
    const out = new Map<IsoDate, SnapshotState>()
    for (const asOf of [...known.keys()].sort()) {
      const state = known.get(asOf)!.state
      if (state && inOpenRange(asOf, { from, to })) out.set(asOf, state)
    }
    return out
  }

  /** The date's series record with every entry true for `state`; missing ones derived again. */
  async function seriesRecordOf(asOf: IsoDate, state: SnapshotState): Promise<SeriesIndexRecord> {
    // Kept with the state it was checked against; a new generation brings a new state.
    const entry = known.get(asOf)
    if (entry?.state === state && entry.series) return entry.series
    const record = await loadSeriesRecord(asOf, state)
    if (entry?.state === state) entry.series = record
    return record
  }

  async function loadSeriesRecord(asOf: IsoDate, state: SnapshotState): Promise<SeriesIndexRecord> {
    const stored = parseSeriesRecord(await backend.loadSeriesIndex(asOf), asOf)
    if (stored && seriesRecordMatches(stored, state.manifest)) return stored
    return onDate(asOf, async () => {
      // Under the date's lock, from the state as it is now (a write may have landed).
      const now = (await backend.loadState(asOf).catch(() => null)) ?? state
      const latest = parseSeriesRecord(await backend.loadSeriesIndex(asOf), asOf)
      const { record, missingDistricts, missingAllDistricts } = reconcileSeriesRecord(latest, now)
      if (missingDistricts.length === 0 && !missingAllDistricts && latest) return record
      for (const id of missingDistricts) {
        try {
          const file = await loadDistrict(now, id)
          if (file)
            record.districts[id] = {
              sha256: now.manifest.districts[id]!.sha256,
              point: pointOfFile(file),
            }
        } catch (e) {
          // An untrustworthy file has no point (verify reports it); the entry stays missing.
          if (!isUntrustworthy(e)) throw e
        }
      }
      const all = now.manifest.allDistricts
      if (missingAllDistricts && all) {
        try {
          const bytes = await backend.readCommitted(asOf, now.manifest, ALL_DISTRICTS_FILE)
          const file = upgradeAllDistricts(parseJsonBytes(bytes, `snapshot ${asOf} all-districts`))
          record.allDistricts = indexAllDistricts(file, all.sha256, readsOptions.summaryStatsOf)
        } catch (e) {
          if (!isUntrustworthy(e)) throw e
        }
      }
      await backend.saveSeriesIndex(asOf, JSON.stringify(record)).catch(() => undefined)
      return record
    })
  }

  /** Listings skip snapshots that cannot be read; `verify` is where those are reported. */
  async function tryLoad(asOf: IsoDate): Promise<SnapshotState | null> {
    try {
      return await onDate(asOf, () => backend.loadState(asOf))
    } catch (e) {
      if (isUntrustworthy(e)) return null
      throw e
    }
  }

  async function datesIn(from: IsoDate | null, to: IsoDate | null): Promise<IsoDate[]> {
    return (await backend.listDates()).filter((d) => inOpenRange(d, { from, to }))
  }

  async function loadDistrict(state: SnapshotState, id: DistrictId): Promise<DistrictFile | null> {
    const entry = state.manifest.districts[id]
    if (!entry) return null
    const asOf = state.metadata.asOf
    const bytes = await backend.readCommitted(asOf, state.manifest, districtFileName(id))
    const where = `snapshot ${asOf} district ${id}`
    const file = upgradeDistrictFile(parseJsonBytes(bytes, where), where)
    if (file.districtId !== id || file.asOf !== asOf || file.detail !== entry.detail) {
      throw new StorageCorruptError(where, 'content disagrees with the manifest entry')
    }
    return file
  }

  async function* series(id: DistrictId, from: IsoDate, to: IsoDate): AsyncGenerator<DistrictFile> {
    for (const asOf of await datesIn(from, to)) {
      const file = await onDate(asOf, async () => {
        let state: SnapshotState | null = null
        try {
          state = await backend.loadState(asOf)
        } catch (e) {
          if (!isUntrustworthy(e)) throw e
        }
        return state ? loadDistrict(state, id) : null
      })
      if (file) yield file
    }
  }

  return {
    getCurrent: () => backend.readCurrent(),

    async listSnapshots(range) {
      const r = resolveOpenRange(range)
      return [...(await indexedStates(r.from, r.to)).values()].map(summarize)
    },

    async seriesIndex(range) {
      const r = resolveRange(range?.from, range?.to)
      const out: SeriesIndexRecord[] = []
      for (const [asOf, state] of await indexedStates(r.from, r.to))
        out.push(await seriesRecordOf(asOf, state))
      return out
    },

    async readMetadata(asOf) {
      const date = assertAsOf(asOf)
      const state = await onDate(date, () => backend.loadState(date))
      return state ? withStatus(state).metadata : null
    },

    async readManifest(asOf) {
      const date = assertAsOf(asOf)
      return (await onDate(date, () => backend.loadState(date)))?.manifest ?? null
    },

    async readDistrict(asOf, districtId) {
      const id = assertDistrictId(districtId)
      const date = assertAsOf(asOf)
      return onDate(date, async () => {
        const state = await backend.loadState(date)
        return state ? loadDistrict(state, id) : null
      })
    },

    async readAllDistricts(asOf): Promise<AllDistrictsFile | null> {
      const date = assertAsOf(asOf)
      return onDate(date, async () => {
        const state = await backend.loadState(date)
        if (!state?.manifest.allDistricts) return null
        const bytes = await backend.readCommitted(date, state.manifest, ALL_DISTRICTS_FILE)
        return upgradeAllDistricts(parseJsonBytes(bytes, `snapshot ${date} all-districts`))
      })
    },

    async listDistricts(asOf) {
      const date = assertAsOf(asOf)
      const state = await onDate(date, () => backend.loadState(date))
      return state ? sortedDistrictIds(state.manifest) : []
    },

    streamDistrictSeries(districtId, from, to) {
      // Validate now, not at the first next(), so a bad id fails where it was passed.
      const id = assertDistrictId(districtId)
      const range = resolveRange(from, to)
      return series(id, range.from, range.to)
    },

    async coverage(query) {
      const q = resolveCoverageQuery(query)
      const states = await indexedStates(q.from, q.to)
      const key = JSON.stringify(q)
      const cached = answers.get(key)
      if (cached) return cached
      const report = computeCoverage(q, states)
      if (answers.size >= MAX_CACHED_ANSWERS) answers = new Map()
      answers.set(key, report)
      return report
    },

    async hasValidDistrict(asOf, districtId, neededDetail: DetailLevel) {
      const id = assertDistrictId(districtId)
      if (neededDetail !== 'summary' && neededDetail !== 'full') {
        throw new StorageValidationError(
          'neededDetail',
          neededDetail,
          "must be 'summary' or 'full'",
        )
      }
      const date = assertAsOf(asOf)
      try {
        return await onDate(date, async () => {
          const state = await backend.loadState(date)
          const entry = state?.manifest.districts[id]
          if (!state || !entry || !detailSatisfies(entry.detail, neededDetail)) return false
          const bytes = await backend.readCommitted(date, state.manifest, districtFileName(id))
          // Intact = the bytes the manifest committed (size + sha256, checked above): they were
          // validated when written, so only a schema version this build does not read needs
          // the full parse to decide (docs/performance.md#skipped-cells).
          const version = leadingSchemaVersion(bytes)
          if (
            bytes.length === entry.sizeBytes &&
            version !== null &&
            READABLE_DISTRICT_FILE_VERSIONS.includes(version)
          )
            return true
          return (await loadDistrict(state, id)) !== null
        })
      } catch (e) {
        if (isUntrustworthy(e)) return false
        throw e
      }
    },

    async findByRequestedDate(date) {
      const wanted = assertAsOf(date, 'date')
      // Usually the as-of is the requested date itself; otherwise look nearest-first.
      const dates = (await backend.listDates()).sort(
        (a, b) =>
          Math.abs(dayNumber(a) - dayNumber(wanted)) - Math.abs(dayNumber(b) - dayNumber(wanted)),
      )
      for (const asOf of dates) {
        const state = await tryLoad(asOf)
        if (state?.metadata.requestedDates.includes(wanted)) return asOf
      }
      return null
    },
  }
}

function dayNumber(date: IsoDate): number {
  return isoDateToUtcMs(date) / 86_400_000
}
