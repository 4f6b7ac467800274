/**
 * The configured districts with the time they were last changed, copied between
 * `config/districts.json` and PostgreSQL's `district_config` (`tm-backfill migrate` / `export`).
 * Writes go through each side's store, its clock set to the recorded time, so the copy carries
 * the same `updatedAt`.
 */
import path from 'node:path'
import type pg from 'pg'
import type { DistrictId } from '../../shared/district-id.ts'
import {
  createDistrictConfigStore,
  DISTRICTS_CONFIG_FILE,
  parseDistrictConfig,
} from './district-config.ts'
import { CONFIG_DIR, resolveInside } from './paths.ts'
import { createPgDistrictConfigStore } from './pg-district-config.ts'
import { pgQuery } from './pg-storage.ts'
import { parseJsonBytes } from './schema.ts'
import { StorageCorruptError } from './errors.ts'
import type { StorageFs } from './storage-fs.ts'
import { nodeStorageFs, readOrNull } from './storage-fs.ts'

export interface SealedConfig {
  districts: DistrictId[]
  updatedAt: string
}

/** The same districts configured (when they were set aside). */
export function sameDistricts(a: SealedConfig, b: SealedConfig): boolean {
  return a.districts.join(',') === b.districts.join(',')
}

export function sameConfig(a: SealedConfig, b: SealedConfig): boolean {
  return a.updatedAt === b.updatedAt && sameDistricts(a, b)
}

/** null when no configuration was ever saved; StorageCorruptError when it cannot be read. */
export async function readDiskConfig(
  dataDir: string,
  fs: StorageFs = nodeStorageFs,
): Promise<SealedConfig | null> {
  const file = resolveInside(path.resolve(dataDir), CONFIG_DIR, DISTRICTS_CONFIG_FILE)
  const bytes = await readOrNull(fs, file)
  if (bytes === null) return null
  const json = parseJsonBytes(bytes, file)
  const districts = parseDistrictConfig(json, file)
  const updatedAt = (json as { updatedAt?: unknown }).updatedAt
  if (typeof updatedAt !== 'string' || Number.isNaN(Date.parse(updatedAt)))
    throw new StorageCorruptError(file, 'updatedAt must be an ISO time')
  return { districts, updatedAt }
}

export async function writeDiskConfig(
  dataDir: string,
  config: SealedConfig,
  fs: StorageFs = nodeStorageFs,
): Promise<void> {
  const at = new Date(config.updatedAt)
  await createDistrictConfigStore({ dataDir, fs, now: () => at }).replace(config.districts)
}

export async function readPgConfig(pool: pg.Pool): Promise<SealedConfig | null> {
  const { rows } = await pgQuery<{ updated_at: Date }>(
    pool,
    'district_config',
    'SELECT updated_at FROM district_config',
  )
  if (rows[0] === undefined) return null
  const districts = await createPgDistrictConfigStore({ pool }).get()
  return { districts, updatedAt: rows[0].updated_at.toISOString() }
}

export async function writePgConfig(pool: pg.Pool, config: SealedConfig): Promise<void> {
  const at = new Date(config.updatedAt)
  await createPgDistrictConfigStore({ pool, now: () => at }).replace(config.districts)
}
