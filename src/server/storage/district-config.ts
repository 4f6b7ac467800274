/**
 * The configured districts, persisted in `config/districts.json`. An empty list means "none
 * configured": callers then use every district of the date's summary.
 */
import path from 'node:path'
import { compareDistrictIds } from '../../shared/district-id.ts'
import type { DistrictId } from '../../shared/district-id.ts'
import { SNAPSHOT_SCHEMA_VERSION } from '../../shared/snapshot-types.ts'
import { StorageCorruptError, StorageValidationError } from './errors.ts'
import { createKeyedMutex } from './keyed-mutex.ts'
import { CONFIG_DIR, assertDistrictId, resolveInside } from './paths.ts'
import type { DistrictConfigStore } from './ports.ts'
import { parseJsonBytes, serializeJson } from './schema.ts'
import { io, nodeStorageFs, readOrNull, writeAtomic } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'

export const DISTRICTS_CONFIG_FILE = 'districts.json'

export interface DistrictConfigFile {
  schemaVersion: number
  districts: DistrictId[]
  updatedAt: string
}

export interface DistrictConfigStoreOptions {
  dataDir: string
  /** @default () => new Date() */
  now?: () => Date
  /** @default node:fs/promises */
  fs?: StorageFs
}

/** Validates and normalises a caller's list; the first bad value is named in the error. */
export function normalizeDistrictIds(ids: readonly unknown[], field = 'districtIds'): DistrictId[] {
  if (!Array.isArray(ids)) throw new StorageValidationError(field, ids, 'must be an array')
  const out = new Set<DistrictId>()
  ids.forEach((id, i) => out.add(assertDistrictId(id, `${field}[${i}]`)))
  return [...out].sort(compareDistrictIds)
}

export function parseDistrictConfig(json: unknown, where: string): DistrictId[] {
  const file = json as Partial<DistrictConfigFile> | null
  if (
    typeof file !== 'object' ||
    file === null ||
    file.schemaVersion !== SNAPSHOT_SCHEMA_VERSION ||
    !Array.isArray(file.districts)
  ) {
    throw new StorageCorruptError(
      where,
      `expected { schemaVersion: ${SNAPSHOT_SCHEMA_VERSION}, districts: [...] }`,
    )
  }
  try {
    return normalizeDistrictIds(file.districts, 'districts')
  } catch (e) {
    throw new StorageCorruptError(where, (e as Error).message, { cause: e })
  }
}

export function createDistrictConfigStore(
  options: DistrictConfigStoreOptions,
): DistrictConfigStore {
  const fs = options.fs ?? nodeStorageFs
  const now = options.now ?? (() => new Date())
  const file = resolveInside(path.resolve(options.dataDir), CONFIG_DIR, DISTRICTS_CONFIG_FILE)
  const mutex = createKeyedMutex()

  async function load(): Promise<DistrictId[]> {
    const bytes = await readOrNull(fs, file)
    return bytes === null ? [] : parseDistrictConfig(parseJsonBytes(bytes, file), file)
  }

  return districtConfigOver({
    load,
    serialize: (write) => mutex.run('config', write),
    async persist(next) {
      const body: DistrictConfigFile = {
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
        districts: next,
        updatedAt: now().toISOString(),
      }
      await io('mkdir', path.dirname(file), () => fs.mkdir(path.dirname(file)))
      await writeAtomic(fs, file, serializeJson(body))
    },
  })
}

/**
 * A configured-districts store from its backing's three primitives: read the list, persist a
 * new one, and run a read-modify-write alone (a mutex in one process, a transaction under an
 * advisory lock in PostgreSQL). The rules (valid ids, de-duplicated, sorted) live here once.
 */
export function districtConfigOver(backing: {
  load: () => Promise<DistrictId[]>
  persist: (next: DistrictId[]) => Promise<void>
  serialize: (write: () => Promise<DistrictId[]>) => Promise<DistrictId[]>
}): DistrictConfigStore {
  const update = (change: (current: DistrictId[]) => DistrictId[]) =>
    backing.serialize(async () => {
      const next = [...new Set(change(await backing.load()))].sort(compareDistrictIds)
      await backing.persist(next)
      return next
    })
  return {
    get: backing.load,
    async replace(ids) {
      const valid = normalizeDistrictIds(ids)
      return update(() => valid)
    },
    async add(ids) {
      const valid = normalizeDistrictIds(ids)
      return update((current) => [...current, ...valid])
    },
    async remove(ids) {
      const gone = new Set(normalizeDistrictIds(ids))
      return update((current) => current.filter((id) => !gone.has(id)))
    },
  }
}
