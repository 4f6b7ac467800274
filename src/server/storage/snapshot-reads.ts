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
import type { SnapshotReader } from './ports.ts'
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

export function createSnapshotReads(
  backend: SnapshotBackend,
  onDate: ExclusiveOnDate = (_asOf, read) => read(),
): SnapshotReader {
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
      const out = []
      for (const asOf of await datesIn(r.from, r.to)) {
        const state = await tryLoad(asOf)
        if (state) out.push(summarize(state))
      }
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
      const states = new Map<IsoDate, SnapshotState>()
      for (const asOf of await datesIn(q.from, q.to)) {
        const state = await tryLoad(asOf)
        if (state) states.set(asOf, state)
      }
      return computeCoverage(q, states)
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
