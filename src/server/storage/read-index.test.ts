/**
 * The coverage index and the series index (docs/performance.md#coverage-index,
 * docs/performance.md#series-index) on disk: what a read touches, what a write or a crash
 * leaves, and what verify says about it.
 */
import fsp from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DistrictSummaryStats } from '../../shared/district-statistics.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import { createFileSnapshotStore } from './file-snapshot-store.ts'
import { createMemorySnapshotStore } from './memory-snapshot-store.ts'
import { pointOfFile } from './series-index.ts'
import type { SummaryStatsOf } from './series-index.ts'
import { nodeStorageFs } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'
import { FIXED_NOW, allDistrictsFile, districtFile, makeTempRoot, metaFor } from './test-helpers.ts'
import { verify } from './verify.ts'

/** Stands in for normalize's row reader: the paid clubs of each row. */
const paidClubsOf: SummaryStatsOf = (file) =>
  new Map(
    file.rows.map((r) => [
      r['DISTRICT']!,
      { clubs: { paid: Number(r['Paid Clubs']) } } as unknown as DistrictSummaryStats,
    ]),
  )

const DATES: IsoDate[] = ['2026-02-20', '2026-02-21', '2026-02-22']
const summaryOf = (paid: number) => ({ summary: { clubs: { paid, active: paid - 1 } } })

let dataDir: string
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ dataDir, cleanup } = await makeTempRoot())
})
afterEach(() => cleanup())

/** Records the base name of every file read (and lets a test fail the index writes). */
function recordingFs(failIndexWrites = false) {
  const reads: string[] = []
  const fs: StorageFs = {
    ...nodeStorageFs,
    readFile: (p) => (reads.push(path.basename(p)), nodeStorageFs.readFile(p)),
    writeFile: (p, data) =>
      failIndexWrites && p.includes(`${path.sep}index${path.sep}`)
        ? Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' }))
        : nodeStorageFs.writeFile(p, data),
  }
  return { reads, fs }
}

const open = (fs?: StorageFs) =>
  createFileSnapshotStore({
    dataDir,
    toolVersion: 'test',
    now: () => FIXED_NOW,
    fs,
    summaryStatsOf: paidClubsOf,
  })

async function seed() {
  const store = open()
  for (const [i, asOf] of DATES.entries()) {
    await store.writeDistricts(
      asOf,
      [
        districtFile('61', asOf, { statistics: summaryOf(10 + i) }),
        districtFile('F', asOf, { statistics: summaryOf(20 + i) }),
      ],
      metaFor(asOf),
    )
    await store.writeAllDistricts(
      allDistrictsFile(asOf, {
        rows: [
          { REGION: '01', DISTRICT: '61', 'Paid Clubs': String(10 + i) },
          { REGION: '02', DISTRICT: '07', 'Paid Clubs': String(70 + i) },
        ],
      }),
    )
  }
  return store
}

const range = { from: DATES[0]!, to: DATES.at(-1)! }
const indexFile = (asOf: IsoDate) => path.join(dataDir, 'index', 'series', `${asOf}.json`)

describe('series index', () => {
  it('serves a fresh store the figures of every file without reading a district file', async () => {
    await seed()
    const { reads, fs } = recordingFs()
    const records = await open(fs).seriesIndex(range)
    expect(records.map((r) => r.asOf)).toEqual(DATES)
    expect(records[1]?.districts['61']?.point).toEqual(
      pointOfFile(districtFile('61', DATES[1]!, { statistics: summaryOf(11) })),
    )
    expect(records[1]?.districts['61']?.point.paidClubs).toBe(11)
    expect(records[2]?.allDistricts?.rows?.['07']?.paidClubs).toBe(72)
    expect(records[0]?.dataMonth).toBe('2026-02')
    expect(reads.filter((n) => n.startsWith('district_') || n === 'all-districts.json')).toEqual([])
  })

  it('derives a missing, torn or stale record again from the files, and stores it', async () => {
    await seed()
    const good = await open().seriesIndex(range)
    await fsp.rm(indexFile(DATES[0]!))
    const text = await fsp.readFile(indexFile(DATES[1]!), 'utf8')
    await fsp.writeFile(indexFile(DATES[1]!), text.slice(0, text.length / 2))
    const stale = JSON.parse(await fsp.readFile(indexFile(DATES[2]!), 'utf8'))
    stale.districts['61'].sha256 = 'e'.repeat(64)
    stale.districts['61'].point.paidClubs = 999
    await fsp.writeFile(indexFile(DATES[2]!), JSON.stringify(stale))

    const first = recordingFs()
    expect(await open(first.fs).seriesIndex(range)).toEqual(good)
    expect(first.reads).toContain('district_61.json')
    const second = recordingFs()
    expect(await open(second.fs).seriesIndex(range)).toEqual(good)
    expect(second.reads.filter((n) => n.startsWith('district_'))).toEqual([])
  })

  it('a write whose record never landed (manifest committed) is detected and derived again', async () => {
    await seed()
    const failing = recordingFs(true)
    await open(failing.fs).writeDistrict(
      districtFile('61', DATES[1]!, { statistics: summaryOf(555) }),
    )
    const records = await open().seriesIndex(range)
    expect(records[1]?.districts['61']?.point.paidClubs).toBe(555)
    expect(records[1]?.districts['F']?.point.paidClubs).toBe(21)
    // Not yet derived is no finding: the store derives it on read (and just did).
    expect((await verify({ dataDir })).problems).toEqual([])
  })

  it('verify reports a record that says something else than the file it names, and repair fixes it', async () => {
    await seed()
    await open().seriesIndex(range)
    const wrong = JSON.parse(await fsp.readFile(indexFile(DATES[0]!), 'utf8'))
    wrong.districts['F'].point.paidClubs = 999
    await fsp.writeFile(indexFile(DATES[0]!), JSON.stringify(wrong))
    const report = await verify({ dataDir })
    expect(report.problems).toEqual([
      {
        path: `index/series/${DATES[0]}.json`,
        code: 'INDEX_STALE',
        message: 'disagrees with the files it names: district_F.json',
      },
    ])
    const repaired = await verify({ dataDir, repair: true })
    expect(repaired.ok).toBe(true)
    const [record] = await open().seriesIndex({ from: DATES[0]!, to: DATES[0]! })
    expect(record?.districts['F']?.point.paidClubs).toBe(20)
  })

  it('keeps the record of a date across writes that change nothing it holds', async () => {
    const store = await seed()
    const before = await fsp.readFile(indexFile(DATES[0]!), 'utf8')
    await store.recordFailures(DATES[0]!, [{ districtId: '07', code: 'HTTP_500', message: 'x' }])
    expect(await fsp.readFile(indexFile(DATES[0]!), 'utf8')).toBe(before)
  })

  it('in memory: the same records, and no rows without a row reader', async () => {
    const withRows = createMemorySnapshotStore({ summaryStatsOf: paidClubsOf })
    const without = createMemorySnapshotStore()
    for (const store of [withRows, without]) {
      await store.writeDistrict(districtFile('61', DATES[0]!, { statistics: summaryOf(3) }))
      await store.writeAllDistricts(allDistrictsFile(DATES[0]!))
    }
    const [a] = await withRows.seriesIndex({ from: DATES[0]!, to: DATES[0]! })
    const [b] = await without.seriesIndex({ from: DATES[0]!, to: DATES[0]! })
    expect(a?.districts['61']?.point.paidClubs).toBe(3)
    expect(a?.allDistricts?.rows?.['61']?.paidClubs).toBe(80)
    expect(b?.allDistricts?.rows).toBeNull()
    expect({ ...b, allDistricts: null }).toEqual({ ...a, allDistricts: null })
  })
})

describe('coverage index', () => {
  it('50 concurrent pollers cost one load per changed date and share one answer', async () => {
    const store = await seed()
    const { reads, fs } = recordingFs()
    const polled = open(fs)
    const manifests = () => reads.filter((n) => n === 'manifest.json').length
    const poll = () => Promise.all(Array.from({ length: 50 }, () => polled.coverage(range)))

    const first = await poll()
    expect(manifests()).toBe(DATES.length)
    expect(new Set(first).size).toBe(1)
    reads.length = 0
    const again = await poll()
    expect(manifests()).toBe(0)
    expect(again[0]).toBe(first[0])

    // A write by another store of this data dir: only its date is loaded again.
    await store.recordFailures(DATES[1]!, [{ districtId: '07', code: 'HTTP_500', message: 'x' }])
    reads.length = 0
    const after = await poll()
    expect(manifests()).toBe(1)
    expect(new Set(after).size).toBe(1)
    expect(after[0]?.dates[1]?.districts['07']).toEqual({ detail: null, status: 'failed' })
    expect(after[0]?.dates[1]?.snapshot).toBe('partial')
    expect(first[0]?.dates[1]?.districts['07']).toBeUndefined()
  })

  it('answers what a fresh scan of the manifests answers, for each range and district list', async () => {
    const store = await seed()
    await store.recordFailures(DATES[2]!, [{ districtId: 'F', code: 'HTTP_500', message: 'x' }])
    const warm = open()
    for (const q of [
      range,
      { from: DATES[1]!, to: '2026-02-25' },
      { ...range, districtIds: ['07', '61', 'Z'] },
    ]) {
      await warm.coverage(q)
      expect(await warm.coverage(q)).toEqual(await open().coverage(q))
      expect(await warm.listSnapshots(q)).toEqual(await open().listSnapshots(q))
    }
  })
})
