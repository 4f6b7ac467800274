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
import type { SnapshotReader, SnapshotSummary } from './ports.ts'
import type { SnapshotBackend } from './snapshot-backend.ts'
import { detailSatisfies, sortedDistrictIds, summarize, withStatus } from './snapshot-model.ts'
import type { SnapshotState } from './snapshot-model.ts'
import { loadSlots, resolveSlot } from './snapshot-slots.ts'
import type { Slot } from './snapshot-slots.ts'
import {
  SNAPSHOT_SCHEMA_VERSION,
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

export function createSnapshotReads(
  backend: SnapshotBackend,
  onDate: ExclusiveOnDate = (_asOf, read) => read(),
): SnapshotReader {
  const load = (key: SnapshotKey) => backend.loadState(key)

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
      for (const asOf of await datesIn(r.from, r.to)) {
        const slots = await trySlots(asOf)
        slots.forEach((slot, i) => out.push(summarize(slot.state, i === slots.length - 1)))
      }
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
      for (const asOf of await datesIn(q.from, q.to)) {
        const slots = await trySlots(asOf)
        const last = slots.at(-1)
        if (last) states.set(asOf, last.state)
        months.set(
          asOf,
          slots.map((slot) => slot.state.metadata.dataMonth),
        )
      }
      return computeCoverage(q, states, months)
    },

    async hasValidDistrict(asOf, districtId, neededDetail: DetailLevel, dataMonth) {
      const id = assertDistrictId(districtId)
      if (neededDetail !== 'summary' && neededDetail !== 'full') {
        throw new StorageValidationError(
          'neededDetail',
          neededDetail,
          "must be 'summary' or 'full'",
        )
      }
      const date = assertAsOf(asOf)
      const month = dataMonth === undefined ? undefined : assertYearMonth(dataMonth)
      try {
        return await onDate(date, async () => {
          const slot = await resolveSlot(load, date, month)
          const entry = slot?.state.manifest.districts[id]
          if (!slot || !entry || !detailSatisfies(entry.detail, neededDetail)) return false
          const bytes = await backend.readCommitted(
            slot.key,
            slot.state.manifest,
            districtFileName(id),
          )
          // Intact = the bytes the manifest committed (size + sha256, checked above): they were
          // validated when written, so only a schema version this build does not know needs
          // the full parse to decide (docs/performance.md#skipped-cells).
          if (
            bytes.length === entry.sizeBytes &&
            leadingSchemaVersion(bytes) === SNAPSHOT_SCHEMA_VERSION
          )
            return true
          return (await loadDistrict(slot, id)) !== null
        })
      } catch (e) {
        if (isUntrustworthy(e)) return false
        throw e
      }
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
