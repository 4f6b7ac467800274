import { createHash } from 'node:crypto'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import { compareDistrictIds } from '../../shared/district-id.ts'
import type { DetailLevel, DistrictFile } from '../../shared/snapshot-types.ts'
import { createFileSnapshotStore } from './file-snapshot-store.ts'
import { createMemorySnapshotStore } from './memory-snapshot-store.ts'
import type { SnapshotStore } from './ports.ts'
import { nodeStorageFs } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'
import { FIXED_NOW, districtFile, makeTempRoot, metaFor, statisticsFor } from './test-helpers.ts'
import { verify } from './verify.ts'

// Durability (fsync) is proven by crash-safety.test.ts; here it would only cost time.
const NO_FSYNC: StorageFs = { ...nodeStorageFs, fsync: () => Promise.resolve() }
const fileStore = (dataDir: string) =>
  createFileSnapshotStore({ dataDir, toolVersion: 'prop', now: () => FIXED_NOW, fs: NO_FSYNC })

/** Runs against a real temp dir on a shared 2-core machine. */
const PROPERTY_TIMEOUT_MS = 120_000

/**
 * Enough runs to find the bugs these properties are for, measured by mutation (8 seeds each):
 * a summary write replacing a stored full file failed Property 4 after 2 to 48 runs (mean 19),
 * and writes of one date without the per-date lock failed Property 4 after 1 to 4 runs and
 * Property 5 after 2 to 28 (mean 9). snapshot-store.contract.ts catches both deterministically.
 */
const CONSISTENCY_RUNS = 60
const SCOPE_RUNS = 40

const DATES = ['2025-07-01', '2026-02-18', '2026-02-19', '2026-02-20', '2026-06-30']
const IDS = ['1', '02', '9', '21', '61', '101', 'F', 'U']

interface WriteOp {
  asOf: string
  districtId: string
  detail: DetailLevel
  version: number
}

const writeOp = fc.record({
  asOf: fc.constantFrom(...DATES),
  districtId: fc.constantFrom(...IDS),
  detail: fc.constantFrom<DetailLevel>('summary', 'full'),
  version: fc.nat(3),
})
/** Writes in one group run concurrently; a (date, district) appears at most once per group. */
const group = fc.uniqueArray(writeOp, {
  minLength: 1,
  maxLength: 4,
  selector: (w) => `${w.asOf}/${w.districtId}`,
})
const plan = fc.record({
  groups: fc.array(group, { minLength: 1, maxLength: 4 }),
  batched: fc.boolean(),
})

const fileOf = (w: WriteOp): DistrictFile =>
  districtFile(w.districtId, w.asOf, {
    detail: w.detail,
    statistics: statisticsFor(w.detail, { version: w.version, id: w.districtId }),
  })

async function runGroup(store: SnapshotStore, writes: WriteOp[], batched: boolean): Promise<void> {
  if (!batched) {
    await Promise.all(writes.map((w) => store.writeDistrict(fileOf(w))))
    return
  }
  const byDate = new Map<string, DistrictFile[]>()
  for (const w of writes) byDate.set(w.asOf, [...(byDate.get(w.asOf) ?? []), fileOf(w)])
  await Promise.all(
    [...byDate].map(([asOf, files]) => store.writeDistricts(asOf, files, metaFor(asOf))),
  )
}

function modelOf(groups: WriteOp[][]): Map<string, Map<string, DistrictFile>> {
  const model = new Map<string, Map<string, DistrictFile>>()
  for (const w of groups.flat()) {
    const date = model.get(w.asOf) ?? new Map<string, DistrictFile>()
    // A summary-level write never replaces a stored full file.
    if (!(w.detail === 'summary' && date.get(w.districtId)?.detail === 'full'))
      date.set(w.districtId, fileOf(w))
    model.set(w.asOf, date)
  }
  return model
}

async function expectConsistent(
  store: SnapshotStore,
  model: Map<string, Map<string, DistrictFile>>,
  dataDir?: string,
) {
  expect((await store.listSnapshots()).map((s) => s.asOf)).toEqual([...model.keys()].sort())
  for (const [asOf, files] of model) {
    expect(await store.readMetadata(asOf)).toMatchObject({ asOf, status: 'complete' })
    const manifest = await store.readManifest(asOf)
    expect(Object.keys(manifest?.districts ?? {}).sort(compareDistrictIds)).toEqual(
      [...files.keys()].sort(compareDistrictIds),
    )
    for (const [id, file] of files) {
      const entry = manifest!.districts[id]!
      expect(entry.detail).toBe(file.detail)
      expect(await store.readDistrict(asOf, id)).toEqual(file)
      expect(await store.hasValidDistrict(asOf, id, file.detail)).toBe(true)
      if (dataDir) {
        const bytes = await fsp.readFile(path.join(dataDir, 'snapshots', asOf, entry.file))
        expect(bytes.length).toBe(entry.sizeBytes)
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256)
      }
    }
  }
  if (dataDir) expect(await verify({ dataDir })).toMatchObject({ ok: true, problems: [] })
}

test.prop([plan], { numRuns: CONSISTENCY_RUNS })(
  'Feature: unified-backfill-service, Property 4: Snapshot Storage Consistency',
  async ({ groups, batched }) => {
    const model = modelOf(groups)
    const memory = createMemorySnapshotStore({ now: () => FIXED_NOW })
    for (const g of groups) await runGroup(memory, g, batched)
    await expectConsistent(memory, model)

    const { dataDir, cleanup } = await makeTempRoot()
    try {
      const files = fileStore(dataDir)
      for (const g of groups) await runGroup(files, g, batched)
      await expectConsistent(files, model, dataDir)
    } finally {
      await cleanup()
    }
  },
  PROPERTY_TIMEOUT_MS,
)

const scope = fc.uniqueArray(fc.constantFrom(...IDS), { minLength: 1, maxLength: IDS.length })
const scopePlan = fc.record({
  asOf: fc.constantFrom(...DATES),
  scopeA: scope,
  scopeB: fc.option(scope, { nil: null }),
  detail: fc.constantFrom<DetailLevel>('summary', 'full'),
  perDistrict: fc.boolean(),
})

async function writeScope(
  store: SnapshotStore,
  asOf: string,
  ids: string[],
  detail: DetailLevel,
  perDistrict: boolean,
) {
  const files = ids.map((id) => districtFile(id, asOf, { detail }))
  if (perDistrict) await Promise.all(files.map((f) => store.writeDistrict(f)))
  else await store.writeDistricts(asOf, files, metaFor(asOf))
}

test.prop([scopePlan], { numRuns: SCOPE_RUNS })(
  'Feature: unified-backfill-service, Property 5: Scope-Based Snapshot Content',
  async ({ asOf, scopeA, scopeB, detail, perDistrict }) => {
    const expected = [...new Set([...scopeA, ...(scopeB ?? [])])].sort(compareDistrictIds)
    const { dataDir, cleanup } = await makeTempRoot()
    try {
      const stores = [createMemorySnapshotStore({ now: () => FIXED_NOW }), fileStore(dataDir)]
      for (const store of stores) {
        // Two scopes (two jobs) writing the same date at once.
        await Promise.all([
          writeScope(store, asOf, scopeA, detail, perDistrict),
          scopeB ? writeScope(store, asOf, scopeB, detail, !perDistrict) : null,
        ])
        expect(await store.listDistricts(asOf)).toEqual(expected)
        const coverage = await store.coverage({ from: asOf, to: asOf, districtIds: IDS })
        const ok = Object.entries(coverage.dates[0]!.districts)
          .filter(([, c]) => c.status === 'ok')
          .map(([id]) => id)
        expect(ok.sort(compareDistrictIds)).toEqual(expected)
      }
      expect((await verify({ dataDir })).ok).toBe(true)
    } finally {
      await cleanup()
    }
  },
  PROPERTY_TIMEOUT_MS,
)
