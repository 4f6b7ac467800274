/** The read side of a SnapshotStore, over a backend. */
import type { DistrictId } from '../../shared/district-id.ts'
import { isoDateToUtcMs } from '../../shared/iso-date.ts'
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
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
import {
  ALL_DISTRICTS_FILE,
  assertAsOf,
  assertDistrictId,
  assertYearMonth,
  districtFileName,
  parseSnapshotKey,
} from './paths.ts'
import type { SnapshotKey } from './paths.ts'
import type { CoverageReport, SnapshotReader, SnapshotSummary } from './ports.ts'
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
import { loadSlots, otherKeyOf, resolveSlot } from './snapshot-slots.ts'
import type { Slot } from './snapshot-slots.ts'
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

function assertNeededDetail(neededDetail: unknown): DetailLevel {
  if (neededDetail !== 'summary' && neededDetail !== 'full')
    throw new StorageValidationError('neededDetail', neededDetail, "must be 'summary' or 'full'")
  return neededDetail
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
  const load = (key: SnapshotKey) => backend.loadState(key)

  /**
   * The coverage index (docs/performance.md#coverage-index): every snapshot's manifest and
   * metadata (one per as-of and data month, by key), loaded once and then again only for a key
   * whose generation changed. `null` = unreadable (listings skip it). Answers are kept until the
   * next change.
   */
  const known = new Map<
    SnapshotKey,
    { generation: string; state: SnapshotState | null; series?: SeriesIndexRecord }
  >()
  let answers = new Map<string, CoverageReport>()
  /** Every indexed as-of's slots, ascending, built again only after the index changed. */
  let allSlots: [IsoDate, Slot[]][] | null = null
  // Each caller waits for a pass that started after it asked, so it sees every write before it;
  // callers arriving together share that pass (50 pollers cost one, not 50).
  let requested = 0
  let completed = 0
  let running: Promise<void> | null = null

  async function refreshOnce(): Promise<void> {
    const generations = await backend.listGenerations()
    let changed = false
    for (const key of known.keys()) {
      if (!generations.has(key)) {
        known.delete(key)
        changed = true
      }
    }
    for (const [key, generation] of generations) {
      if (known.get(key)?.generation === generation) continue
      const asOf = parseSnapshotKey(key)?.asOf
      const state = asOf === undefined ? null : await onDate(asOf, () => tolerant(key))
      known.set(key, { generation, state })
      changed = true
    }
    if (changed) {
      answers = new Map()
      allSlots = null
    }
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

  /**
   * Each stored as-of in the range with its months, ascending by data month (the last is the
   * default read), from the index: the same answer as loading each as-of's slots.
   */
  async function indexedSlots(from: IsoDate | null, to: IsoDate | null) {
    await refresh()
    const out = new Map<IsoDate, Slot[]>()
    for (const [asOf, slots] of (allSlots ??= buildAllSlots()))
      if (inOpenRange(asOf, { from, to })) out.set(asOf, slots)
    return out
  }

  function buildAllSlots(): [IsoDate, Slot[]][] {
    const all: [IsoDate, Slot[]][] = []
    for (const key of [...known.keys()].sort()) {
      const parsed = parseSnapshotKey(key)
      if (!parsed || parsed.otherMonth !== null) continue
      const head = known.get(key)!.state
      if (!head) continue
      const slots: Slot[] = [{ key, state: head }]
      const otherKey = otherKeyOf(parsed.asOf, head)
      const other = otherKey === null ? null : (known.get(otherKey)?.state ?? null)
      if (otherKey !== null && other !== null) slots.push({ key: otherKey, state: other })
      slots.sort((a, b) => (a.state.metadata.dataMonth < b.state.metadata.dataMonth ? -1 : 1))
      all.push([parsed.asOf, slots])
    }
    return all
  }

  /** A state's listing entry, made once per state (states are never changed, only replaced). */
  const summaries = new WeakMap<
    SnapshotState,
    { head?: SnapshotSummary; other?: SnapshotSummary }
  >()
  function summaryOf(state: SnapshotState, isDefault: boolean): SnapshotSummary {
    let kept = summaries.get(state)
    if (!kept) summaries.set(state, (kept = {}))
    const slot = isDefault ? 'head' : 'other'
    return (kept[slot] ??= Object.freeze(summarize(state, isDefault)))
  }

  /** The snapshot's series record with every entry true for its state; missing ones derived again. */
  async function seriesRecordOf(slot: Slot): Promise<SeriesIndexRecord> {
    // Kept with the state it was checked against; a new generation brings a new state.
    const entry = known.get(slot.key)
    if (entry?.state === slot.state && entry.series) return entry.series
    const record = await loadSeriesRecord(slot)
    if (entry?.state === slot.state) entry.series = record
    return record
  }

  async function loadSeriesRecord({ key, state }: Slot): Promise<SeriesIndexRecord> {
    const asOf = state.metadata.asOf
    const stored = parseSeriesRecord(await backend.loadSeriesIndex(key), asOf)
    if (stored && seriesRecordMatches(stored, state.manifest)) return stored
    return onDate(asOf, async () => {
      // Under the as-of's lock, from the state as it is now (a write may have landed).
      const now = (await backend.loadState(key).catch(() => null)) ?? state
      const latest = parseSeriesRecord(await backend.loadSeriesIndex(key), asOf)
      const { record, missingDistricts, missingAllDistricts } = reconcileSeriesRecord(latest, now)
      if (missingDistricts.length === 0 && !missingAllDistricts && latest) return record
      for (const id of missingDistricts) {
        try {
          const file = await loadDistrict({ key, state: now }, id)
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
          const bytes = await backend.readCommitted(key, now.manifest, ALL_DISTRICTS_FILE)
          const file = upgradeAllDistricts(parseJsonBytes(bytes, `snapshot ${key} all-districts`))
          record.allDistricts = indexAllDistricts(file, all.sha256, readsOptions.summaryStatsOf)
        } catch (e) {
          if (!isUntrustworthy(e)) throw e
        }
      }
      await backend.saveSeriesIndex(key, JSON.stringify(record)).catch(() => undefined)
      return record
    })
  }

  /** Listings skip snapshots that cannot be read; `verify` is where those are reported. */
  const tolerant = async (key: SnapshotKey): Promise<SnapshotState | null> => {
    try {
      return await backend.loadState(key)
    } catch (e) {
      if (isUntrustworthy(e)) return null
      throw e
    }
  }

  /** Every stored month of an as-of (ascending), skipping unreadable ones. */
  function trySlots(asOf: IsoDate): Promise<Slot[]> {
    return onDate(asOf, () => loadSlots(tolerant, asOf))
  }

  /** The snapshot a read of one as-of answers (docs/architecture.md#one-as-of-two-data-months). */
  function slotOf(asOf: unknown, dataMonth: unknown): Promise<Slot | null> {
    const date = assertAsOf(asOf)
    const month = dataMonth === undefined ? undefined : assertYearMonth(dataMonth)
    return onDate(date, () => resolveSlot(load, date, month))
  }

  /** The as-ofs stored in a range, ascending, each once whatever months it holds. */
  async function datesIn(from: IsoDate | null, to: IsoDate | null): Promise<IsoDate[]> {
    const dates = new Set<IsoDate>()
    for (const key of await backend.listKeys()) {
      const asOf = parseSnapshotKey(key)?.asOf
      if (asOf !== undefined && inOpenRange(asOf, { from, to })) dates.add(asOf)
    }
    return [...dates]
  }

  async function loadDistrict(slot: Slot, id: DistrictId): Promise<DistrictFile | null> {
    const { key, state } = slot
    const entry = state.manifest.districts[id]
    if (!entry) return null
    const asOf = state.metadata.asOf
    const bytes = await backend.readCommitted(key, state.manifest, districtFileName(id))
    const where = `snapshot ${key} district ${id}`
    const file = upgradeDistrictFile(parseJsonBytes(bytes, where), where)
    if (
      file.districtId !== id ||
      file.asOf !== asOf ||
      file.detail !== entry.detail ||
      file.dataMonth !== state.metadata.dataMonth
    ) {
      throw new StorageCorruptError(where, 'content disagrees with the manifest entry')
    }
    return file
  }

  /** The snapshot a read answers, or null when it is absent or cannot be trusted. */
  async function trustedSlot(date: IsoDate, month: YearMonth | undefined): Promise<Slot | null> {
    try {
      return await resolveSlot(load, date, month)
    } catch (e) {
      if (isUntrustworthy(e)) return null
      throw e
    }
  }

  /**
   * The skip-existing rule for one district of a slot: listed with enough detail, and its file
   * the bytes the manifest committed (size + sha256). Those were validated when written, so only
   * a schema version this build does not read needs the full parse to decide
   * (docs/performance.md#skipped-cells). An untrustworthy file is not intact.
   */
  async function isIntact(slot: Slot, id: DistrictId, neededDetail: DetailLevel): Promise<boolean> {
    const entry = slot.state.manifest.districts[id]
    if (!entry || !detailSatisfies(entry.detail, neededDetail)) return false
    try {
      const bytes = await backend.readCommitted(slot.key, slot.state.manifest, districtFileName(id))
      const version = leadingSchemaVersion(bytes)
      if (
        bytes.length === entry.sizeBytes &&
        version !== null &&
        READABLE_DISTRICT_FILE_VERSIONS.includes(version)
      )
        return true
      return (await loadDistrict(slot, id)) !== null
    } catch (e) {
      if (isUntrustworthy(e)) return false
      throw e
    }
  }

  async function* series(id: DistrictId, from: IsoDate, to: IsoDate): AsyncGenerator<DistrictFile> {
    for (const asOf of await datesIn(from, to)) {
      const file = await onDate(asOf, async () => {
        let slot: Slot | null = null
        try {
          slot = await resolveSlot(load, asOf)
        } catch (e) {
          if (!isUntrustworthy(e)) throw e
        }
        return slot ? loadDistrict(slot, id) : null
      })
      if (file) yield file
    }
  }

  return {
    getCurrent: () => backend.readCurrent(),

    async listSnapshots(range) {
      const r = resolveOpenRange(range)
      const out: SnapshotSummary[] = []
      for (const slots of (await indexedSlots(r.from, r.to)).values())
        slots.forEach((slot, i) => out.push(summaryOf(slot.state, i === slots.length - 1)))
      return out
    },

    async seriesIndex(range) {
      const r = resolveRange(range?.from, range?.to)
      const out: SeriesIndexRecord[] = []
      // One point per as-of: its default month's (docs/architecture.md#one-as-of-two-data-months).
      for (const slots of (await indexedSlots(r.from, r.to)).values())
        out.push(await seriesRecordOf(slots.at(-1)!))
      return out
    },

    async dataMonthsAt(asOf) {
      const slots = await trySlots(assertAsOf(asOf))
      return slots.map((slot) => slot.state.metadata.dataMonth)
    },

    async readMetadata(asOf, dataMonth) {
      const slot = await slotOf(asOf, dataMonth)
      return slot ? withStatus(slot.state).metadata : null
    },

    async readManifest(asOf, dataMonth) {
      return (await slotOf(asOf, dataMonth))?.state.manifest ?? null
    },

    async readDistrict(asOf, districtId, dataMonth) {
      const id = assertDistrictId(districtId)
      const date = assertAsOf(asOf)
      const month = dataMonth === undefined ? undefined : assertYearMonth(dataMonth)
      return onDate(date, async () => {
        const slot = await resolveSlot(load, date, month)
        return slot ? loadDistrict(slot, id) : null
      })
    },

    async readAllDistricts(asOf, dataMonth): Promise<AllDistrictsFile | null> {
      const date = assertAsOf(asOf)
      const month = dataMonth === undefined ? undefined : assertYearMonth(dataMonth)
      return onDate(date, async () => {
        const slot = await resolveSlot(load, date, month)
        if (!slot?.state.manifest.allDistricts) return null
        const bytes = await backend.readCommitted(slot.key, slot.state.manifest, ALL_DISTRICTS_FILE)
        return upgradeAllDistricts(parseJsonBytes(bytes, `snapshot ${slot.key} all-districts`))
      })
    },

    async listDistricts(asOf, dataMonth) {
      const slot = await slotOf(asOf, dataMonth)
      return slot ? sortedDistrictIds(slot.state.manifest) : []
    },

    streamDistrictSeries(districtId, from, to) {
      // Validate now, not at the first next(), so a bad id fails where it was passed.
      const id = assertDistrictId(districtId)
      const range = resolveRange(from, to)
      return series(id, range.from, range.to)
    },

    async coverage(query) {
      const q = resolveCoverageQuery(query)
      const states = new Map<IsoDate, SnapshotState>()
      const months = new Map<IsoDate, YearMonth[]>()
      for (const [asOf, slots] of await indexedSlots(q.from, q.to)) {
        states.set(asOf, slots.at(-1)!.state)
        months.set(
          asOf,
          slots.map((slot) => slot.state.metadata.dataMonth),
        )
      }
      const cacheKey = JSON.stringify(q)
      const cached = answers.get(cacheKey)
      if (cached) return cached
      const report = computeCoverage(q, states, months)
      if (answers.size >= MAX_CACHED_ANSWERS) answers = new Map()
      answers.set(cacheKey, report)
      return report
    },

    async hasValidDistrict(asOf, districtId, neededDetail: DetailLevel, dataMonth) {
      const id = assertDistrictId(districtId)
      const detail = assertNeededDetail(neededDetail)
      const date = assertAsOf(asOf)
      const month = dataMonth === undefined ? undefined : assertYearMonth(dataMonth)
      return onDate(date, async () => {
        const slot = await trustedSlot(date, month)
        return slot !== null && (await isIntact(slot, id, detail))
      })
    },

    async validDistricts(asOf, districtIds, neededDetail: DetailLevel, dataMonth) {
      const ids = [...new Set(districtIds.map((id) => assertDistrictId(id)))]
      const detail = assertNeededDetail(neededDetail)
      const date = assertAsOf(asOf)
      const month = dataMonth === undefined ? undefined : assertYearMonth(dataMonth)
      // One manifest load for the whole date (docs/performance.md#re-run), then each file.
      return onDate(date, async () => {
        const valid = new Set<DistrictId>()
        const slot = await trustedSlot(date, month)
        if (slot === null) return valid
        for (const id of ids) if (await isIntact(slot, id, detail)) valid.add(id)
        return valid
      })
    },

    async findByRequestedDate(date) {
      const wanted = assertAsOf(date, 'date')
      // Usually the as-of is the requested date itself; otherwise look nearest-first.
      const dates = (await datesIn(null, null)).sort(
        (a, b) =>
          Math.abs(dayNumber(a) - dayNumber(wanted)) - Math.abs(dayNumber(b) - dayNumber(wanted)),
      )
      for (const asOf of dates) {
        const slots = await trySlots(asOf)
        if (slots.some((slot) => slot.state.metadata.requestedDates.includes(wanted))) return asOf
      }
      return null
    },
  }
}

function dayNumber(date: IsoDate): number {
  return isoDateToUtcMs(date) / 86_400_000
}
