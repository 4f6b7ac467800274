import { createHash } from 'node:crypto'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDistrictConfigStore } from './district-config.ts'
import { createFileSnapshotStore } from './file-snapshot-store.ts'
import type { SnapshotStore } from './ports.ts'
import { createRawCsvCache } from './raw-csv-cache.ts'
import {
  FIXED_NOW,
  allDistrictsFile,
  districtFile,
  statisticsFor,
  listTree,
  makeTempRoot,
} from './test-helpers.ts'
import type { StorageFs } from './storage-fs.ts'
import { nodeStorageFs } from './storage-fs.ts'
import { INTERRUPTED_WRITE_CODES, verify } from './verify.ts'

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex')
const STAMP = FIXED_NOW.toISOString().replace(/:/g, '-')

describe('verify', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  let store: SnapshotStore
  const snap = (...p: string[]) => path.join(dataDir, 'snapshots', ...p)
  /**
   * verify; and, before a check without repair, the start-up sweep's scope on the same data dir,
   * which must find exactly the interrupted-write findings of the whole check.
   */
  const run = async (repair = false) => {
    if (!repair) {
      const whole = await verify({ dataDir, now: () => FIXED_NOW })
      const sweep = await verify({
        dataDir,
        now: () => FIXED_NOW,
        scope: { kind: 'interrupted-writes' },
      })
      expect(sweep.problems, 'the sweep scope').toEqual(
        whole.problems.filter((p) => INTERRUPTED_WRITE_CODES.includes(p.code)),
      )
    }
    return verify({ dataDir, repair, now: () => FIXED_NOW })
  }

  beforeEach(async () => {
    ;({ dataDir, cleanup } = await makeTempRoot())
    store = createFileSnapshotStore({ dataDir, toolVersion: 'test', now: () => FIXED_NOW })
    await store.writeDistrict(districtFile('61', '2026-02-20', { detail: 'full' }))
    await store.writeDistrict(districtFile('F', '2026-02-20'))
    await store.writeAllDistricts(allDistrictsFile('2026-02-20'))
    await store.writeDistrict(districtFile('61', '2026-02-21'))
    await store.setCurrent('2026-02-21')
    await createDistrictConfigStore({ dataDir }).replace(['61', 'F'])
    await createRawCsvCache({ dataDir }).put({
      asOf: '2026-02-20',
      report: 'districtsummary',
      districtId: null,
      body: 'REGION,DISTRICT\r\n"01","61"\r\nMonth of Feb, As of 02/20/2026',
      meta: {
        url: 'https://x/export',
        fetchedAt: FIXED_NOW.toISOString(),
        status: 200,
        footer: null,
        requestedAsOf: '2026-02-20',
      },
    })
  })
  afterEach(() => cleanup())

  async function rewriteManifestEntry(asOf: string, id: string, text: string) {
    const file = snap(asOf, 'manifest.json')
    const manifest = JSON.parse(await fsp.readFile(file, 'utf8'))
    manifest.districts[id].sha256 = sha(text)
    manifest.districts[id].sizeBytes = Buffer.byteLength(text)
    await fsp.writeFile(file, JSON.stringify(manifest))
  }

  it('passes on data written through the stores and counts what it checked', async () => {
    const report = await run()
    expect(report).toEqual({
      ok: true,
      checked: { snapshots: 2, files: 4, rawBodies: 1 },
      problems: [],
      quarantinedTo: null,
    })
  })

  it('finds an altered district file and repair quarantines it and marks the district missing', async () => {
    const file = snap('2026-02-20', 'district_61.json')
    const tampered = (await fsp.readFile(file, 'utf8')).replace(/"paid": ?42/, '"paid":43')
    await fsp.writeFile(file, tampered)
    expect((await run()).problems).toEqual([
      {
        path: 'snapshots/2026-02-20/district_61.json',
        code: 'SHA_MISMATCH',
        message: expect.any(String),
      },
    ])
    const repaired = await run(true)
    expect(repaired).toMatchObject({ ok: true, quarantinedTo: `quarantine/${STAMP}` })
    expect(repaired.problems[0]?.repaired).toBe(true)
    expect(
      await fsp.readFile(
        path.join(dataDir, 'quarantine', STAMP, 'snapshots/2026-02-20/district_61.json'),
        'utf8',
      ),
    ).toBe(tampered)
    expect(await store.listDistricts('2026-02-20')).toEqual(['F'])
    expect(await store.hasValidDistrict('2026-02-20', '61', 'summary')).toBe(false)
    expect((await store.readMetadata('2026-02-20'))?.failedDistricts).toMatchObject([
      { districtId: '61', code: 'QUARANTINED' },
    ])
    expect((await run()).ok).toBe(true)
  })

  it('finds a truncated file by its size', async () => {
    const file = snap('2026-02-21', 'district_61.json')
    const text = await fsp.readFile(file, 'utf8')
    await fsp.writeFile(file, text.slice(0, 40))
    expect((await run()).problems.map((p) => p.code)).toEqual(['SIZE_MISMATCH'])
    expect((await run(true)).ok).toBe(true)
  })

  it('finds orphan files, leftovers of interrupted writes and unexpected files', async () => {
    await fsp.writeFile(snap('2026-02-20', 'district_9.json'), '{}')
    await fsp.mkdir(snap('.tmp-2026-02-22-abc123'))
    await fsp.writeFile(snap('.tmp-2026-02-22-abc123', 'district_61.json'), '{"half":')
    await fsp.writeFile(snap('2026-02-21', '.manifest.json.1a2b.tmp'), '{')
    await fsp.writeFile(snap('2026-02-21', 'notes.txt'), 'hello')
    await fsp.writeFile(path.join(dataDir, '.current.json.ff00.tmp'), '')
    const codes = (await run()).problems.map((p) => `${p.code} ${p.path}`).sort()
    expect(codes).toEqual([
      'ORPHAN_FILE snapshots/2026-02-20/district_9.json',
      'TEMP_LEFTOVER .current.json.ff00.tmp',
      'TEMP_LEFTOVER snapshots/.tmp-2026-02-22-abc123',
      'TEMP_LEFTOVER snapshots/2026-02-21/.manifest.json.1a2b.tmp',
      'UNEXPECTED_FILE snapshots/2026-02-21/notes.txt',
    ])
    expect((await run(true)).ok).toBe(true)
    expect(await listTree(path.join(dataDir, 'quarantine', STAMP))).toContain(
      'snapshots/.tmp-2026-02-22-abc123/district_61.json',
    )
  })

  it('drops a manifest entry whose file is missing', async () => {
    await fsp.rename(snap('2026-02-21', 'district_61.json'), path.join(dataDir, 'elsewhere.json'))
    expect((await run()).problems.map((p) => p.code)).toEqual(['MISSING_FILE'])
    expect((await run(true)).ok).toBe(true)
    expect(await store.listDistricts('2026-02-21')).toEqual([])
    expect((await store.readMetadata('2026-02-21'))?.status).toBe('partial')
  })

  it('quarantines an unreadable snapshot and moves current.json to the newest complete one', async () => {
    await fsp.writeFile(snap('2026-02-21', 'metadata.json'), '{not json')
    const codes = (await run()).problems.map((p) => p.code).sort()
    expect(codes).toEqual(['CURRENT_DANGLING', 'SNAPSHOT_UNREADABLE'])
    expect((await run(true)).ok).toBe(true)
    expect((await store.getCurrent())?.asOf).toBe('2026-02-20')
    expect(await listTree(path.join(dataDir, 'quarantine', STAMP))).toContain(
      'snapshots/2026-02-21/metadata.json',
    )
  })

  it('rejects a district file of an unknown schema version even when its sha256 matches', async () => {
    const file = snap('2026-02-21', 'district_61.json')
    const text = (await fsp.readFile(file, 'utf8')).replace(
      /"schemaVersion": ?2/,
      '"schemaVersion":3',
    )
    await fsp.writeFile(file, text)
    await rewriteManifestEntry('2026-02-21', '61', text)
    expect((await run()).problems.map((p) => p.code)).toEqual(['UNSUPPORTED_SCHEMA'])
  })

  it('finds a district file that disagrees with its snapshot metadata', async () => {
    const file = snap('2026-02-21', 'district_61.json')
    const text = (await fsp.readFile(file, 'utf8')).replace(
      /"dataMonth": ?"2026-02"/,
      '"dataMonth":"2026-01"',
    )
    await fsp.writeFile(file, text)
    await rewriteManifestEntry('2026-02-21', '61', text)
    expect((await run()).problems.map((p) => p.code)).toEqual(['CONTENT_MISMATCH'])
  })

  it('finds a raw CSV body that no longer matches its metadata and quarantines both', async () => {
    const body = path.join(dataDir, 'raw-csv/2026-02-20/districtsummary.csv')
    await fsp.appendFile(body, '\n')
    expect((await run()).problems.map((p) => `${p.code} ${p.path}`)).toEqual([
      'RAW_SHA_MISMATCH raw-csv/2026-02-20/districtsummary.csv',
    ])
    expect((await run(true)).ok).toBe(true)
    expect(await createRawCsvCache({ dataDir }).has('2026-02-20', 'districtsummary', null)).toBe(
      false,
    )
  })

  it('repairs an unreadable current.json and an invalid config file', async () => {
    await fsp.writeFile(path.join(dataDir, 'current.json'), '[]')
    await fsp.writeFile(
      path.join(dataDir, 'config/districts.json'),
      '{"schemaVersion":1,"districts":["../x"]}',
    )
    expect((await run()).problems.map((p) => p.code).sort()).toEqual([
      'CONFIG_INVALID',
      'CURRENT_INVALID',
    ])
    expect((await run(true)).ok).toBe(true)
    expect((await store.getCurrent())?.asOf).toBe('2026-02-21')
  })

  it('rolls a committed pending file forward', async () => {
    const target = snap('2026-02-21', 'district_61.json')
    const newer = districtFile('61', '2026-02-21', {
      statistics: statisticsFor('summary', { v: 2 }),
    })
    const text = `${JSON.stringify(newer, null, 2)}\n`
    await fsp.writeFile(snap('2026-02-21', '.pending-district_61.json'), text)
    await rewriteManifestEntry('2026-02-21', '61', text)
    expect((await run()).problems.map((p) => p.code)).toEqual(['PENDING_COMMITTED'])
    expect(await store.readDistrict('2026-02-21', '61')).toEqual(newer)
    expect((await run(true)).ok).toBe(true)
    expect(await fsp.readFile(target, 'utf8')).toBe(text)
  })

  it('finds a file whose detail disagrees with its statistics or sources, even with a matching sha', async () => {
    const stored = districtFile('61', '2026-02-20', { detail: 'full' })
    // What a rebuild without the summary body used to write: full, no summary row, no summary source.
    const stripped = {
      ...stored,
      provenance: {
        ...stored.provenance,
        sources: stored.provenance.sources.filter((s) => s.report !== 'districtsummary'),
      },
      statistics: { ...statisticsFor('full'), summary: null },
    }
    const text = `${JSON.stringify(stripped, null, 2)}\n`
    await fsp.writeFile(snap('2026-02-20', 'district_61.json'), text)
    await rewriteManifestEntry('2026-02-20', '61', text)
    const summaryOnly = { ...districtFile('61', '2026-02-21'), statistics: { summary: null } }
    const summaryText = `${JSON.stringify(summaryOnly, null, 2)}\n`
    await fsp.writeFile(snap('2026-02-21', 'district_61.json'), summaryText)
    await rewriteManifestEntry('2026-02-21', '61', summaryText)

    const report = await run()
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual([
      {
        path: 'snapshots/2026-02-20/district_61.json',
        code: 'DETAIL_MISMATCH',
        message: 'detail full but no districtsummary source; no statistics.summary',
      },
      {
        path: 'snapshots/2026-02-21/district_61.json',
        code: 'DETAIL_MISMATCH',
        message: 'detail summary but no statistics.summary',
      },
    ])
    expect((await run(true)).ok).toBe(true)
    expect(await store.listDistricts('2026-02-20')).toEqual(['F'])
    expect((await store.readMetadata('2026-02-20'))?.failedDistricts).toMatchObject([
      { districtId: '61', code: 'QUARANTINED' },
    ])
  })

  it('never deletes: every file before repair is still live or in quarantine', async () => {
    await fsp.writeFile(snap('2026-02-20', 'district_61.json'), 'garbage')
    await fsp.writeFile(snap('2026-02-21', 'metadata.json'), '{')
    await fsp.writeFile(snap('2026-02-20', 'district_7.json'), '{}')
    const before = (await listTree(dataDir)).filter((p) => !p.endsWith('/'))
    await run(true)
    const after = new Set(await listTree(dataDir))
    for (const p of before)
      expect(after.has(p) || after.has(`quarantine/${STAMP}/${p}`), p).toBe(true)
  })

  it('the start-up sweep scope reads, of the snapshots, only the manifest and metadata of one holding a temp or staged file', async () => {
    await fsp.writeFile(snap('2026-02-21', '.manifest.json.1a2b.tmp'), '{')
    const read: string[] = []
    const recording: StorageFs = {
      ...nodeStorageFs,
      readFile: (p) => (read.push(path.relative(dataDir, p)), nodeStorageFs.readFile(p)),
    }
    const report = await verify({
      dataDir,
      repair: true,
      repairCodes: INTERRUPTED_WRITE_CODES,
      scope: { kind: 'interrupted-writes' },
      fs: recording,
    })
    expect(report.problems.map((p) => `${p.code} ${p.path} ${p.repaired}`)).toEqual([
      'TEMP_LEFTOVER snapshots/2026-02-21/.manifest.json.1a2b.tmp true',
    ])
    const notRaw = read.filter((p) => !p.startsWith('raw-csv/'))
    expect(new Set(notRaw)).toEqual(
      new Set(['snapshots/2026-02-21/manifest.json', 'snapshots/2026-02-21/metadata.json']),
    )
  })
})
