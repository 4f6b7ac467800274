/**
 * Coverage of a program year for ~130 districts must come from manifests and metadata only.
 * The data dir is built directly (365 dates × 130 manifest entries, no district files at all),
 * and every file read is recorded.
 */
import { createHash } from 'node:crypto'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eachDate } from '../../shared/iso-date.ts'
import { createFileSnapshotStore } from './file-snapshot-store.ts'
import { nodeStorageFs } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'
import { FIXED_NOW, makeTempRoot } from './test-helpers.ts'

const DATES = eachDate('2025-07-01', '2026-06-30')
const IDS = Array.from({ length: 130 }, (_, i) => String(i + 1).padStart(2, '0'))

async function buildSnapshot(dataDir: string, asOf: string, index: number) {
  const dir = path.join(dataDir, 'snapshots', asOf)
  await fsp.mkdir(dir, { recursive: true })
  const failedDistricts =
    index % 7 === 0 ? [{ districtId: '130', code: 'HTTP_500', message: 'x' }] : []
  const metadata = {
    schemaVersion: 1,
    asOf,
    dataMonth: asOf.slice(0, 7),
    programYear: '2025-2026',
    closingPeriod: false,
    status: failedDistricts.length ? 'partial' : 'complete',
    requestedDates: [asOf],
    failedDistricts,
    createdAt: FIXED_NOW.toISOString(),
    updatedAt: FIXED_NOW.toISOString(),
    restatements: [],
  }
  const metadataText = JSON.stringify(metadata)
  const present = failedDistricts.length ? IDS.slice(0, -1) : IDS
  const districts = Object.fromEntries(
    present.map((id, i) => [
      id,
      {
        districtId: id,
        file: `district_${id}.json`,
        detail: i % 2 ? 'full' : 'summary',
        sizeBytes: 100,
        sha256: 'e'.repeat(64),
        jobId: null,
        writtenAt: 'w',
      },
    ]),
  )
  const manifest = {
    schemaVersion: 1,
    asOf,
    districts,
    allDistricts: null,
    metadataSha256: createHash('sha256').update(metadataText).digest('hex'),
  }
  await fsp.writeFile(path.join(dir, 'metadata.json'), metadataText)
  await fsp.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest))
}

describe('coverage at program-year scale', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({ dataDir, cleanup } = await makeTempRoot())
    await Promise.all(DATES.map((d, i) => buildSnapshot(dataDir, d, i)))
  })
  afterAll(() => cleanup())

  it('covers 365 dates × 130 districts reading only manifests and metadata', async () => {
    const reads: string[] = []
    const fs: StorageFs = {
      ...nodeStorageFs,
      readFile: (p) => (reads.push(path.basename(p)), nodeStorageFs.readFile(p)),
    }
    const store = createFileSnapshotStore({ dataDir, toolVersion: 'bench', fs })
    const report = await store.coverage({ from: '2025-07-01', to: '2026-06-30' })
    expect(report.dates).toHaveLength(365)
    expect(report.districtIds).toHaveLength(130)
    const cells = report.dates.flatMap((d) => Object.values(d.districts))
    expect(cells).toHaveLength(365 * 130)
    expect(cells.filter((c) => c.status === 'failed')).toHaveLength(
      DATES.filter((_, i) => i % 7 === 0).length,
    )
    expect(report.dates[1]?.districts['02']).toEqual({ detail: 'full', status: 'ok' })
    expect(new Set(reads)).toEqual(new Set(['manifest.json', 'metadata.json']))
  })
})
