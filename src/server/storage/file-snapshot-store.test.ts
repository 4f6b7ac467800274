import { createHash } from 'node:crypto'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFailingFs } from './faulty-fs.ts'
import { createFileSnapshotStore } from './file-snapshot-store.ts'
import type { SnapshotStore } from './ports.ts'
import { runSnapshotStoreContract } from './snapshot-store.contract.ts'
import { upgradeDistrictFile } from './schema.ts'
import { nodeStorageFs } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'
import { FIXED_NOW, districtFile, listTree, makeTempRoot, metaFor } from './test-helpers.ts'

runSnapshotStoreContract('file store', async () => {
  const { dataDir, cleanup } = await makeTempRoot()
  return {
    store: createFileSnapshotStore({ dataDir, toolVersion: 'test', now: () => FIXED_NOW }),
    cleanup,
    async tamperDistrict(asOf, id, edit) {
      const file = path.join(dataDir, 'snapshots', asOf, `district_${id}.json`)
      await fsp.writeFile(file, edit(await fsp.readFile(file, 'utf8')))
    },
  }
})

describe('file snapshot store on disk', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  const open = (fs: StorageFs = nodeStorageFs): SnapshotStore =>
    createFileSnapshotStore({ dataDir, toolVersion: '1.2.3', now: () => FIXED_NOW, fs })
  const districtPath = (asOf: string, id: string) =>
    path.join(dataDir, 'snapshots', asOf, `district_${id}.json`)

  beforeEach(async () => {
    ;({ dataDir, cleanup } = await makeTempRoot())
  })
  afterEach(() => cleanup())

  it('writes the SPEC layout and leaves no temp files behind', async () => {
    const store = open()
    await store.writeDistricts(
      '2026-02-20',
      [districtFile('61', '2026-02-20')],
      metaFor('2026-02-20'),
    )
    await store.writeDistrict(districtFile('F', '2026-02-20'))
    await store.setCurrent('2026-02-20')
    expect(await listTree(dataDir)).toEqual([
      'current.json',
      // The series index: derived, rebuildable (docs/performance.md#series-index).
      'index/',
      'index/series/',
      'index/series/2026-02-20.json',
      'snapshots/',
      'snapshots/2026-02-20/',
      'snapshots/2026-02-20/district_61.json',
      'snapshots/2026-02-20/district_F.json',
      'snapshots/2026-02-20/manifest.json',
      'snapshots/2026-02-20/metadata.json',
    ])
    const metadata = JSON.parse(
      await fsp.readFile(path.join(dataDir, 'snapshots/2026-02-20/metadata.json'), 'utf8'),
    )
    expect(metadata.toolVersion).toBe('1.2.3')
  })

  it('keeps the first data month of an as-of where it was and puts the other beside it', async () => {
    const store = open()
    const june = { dataMonth: '2026-06', programYear: '2025-2026', closingPeriod: true }
    await store.writeDistrict(districtFile('61', '2026-07-26', june))
    const before = await fsp.readFile(path.join(dataDir, 'snapshots/2026-07-26/manifest.json'))
    await store.writeDistrict(districtFile('61', '2026-07-26'))
    expect(await listTree(path.join(dataDir, 'snapshots'))).toEqual([
      '2026-07-26/',
      '2026-07-26/district_61.json',
      '2026-07-26/manifest.json',
      '2026-07-26/metadata.json',
      '2026-07-26_2026-07/',
      '2026-07-26_2026-07/district_61.json',
      '2026-07-26_2026-07/manifest.json',
      '2026-07-26_2026-07/metadata.json',
    ])
    // The first month's directory is untouched: a build that knows one month per as-of reads it.
    expect(await fsp.readFile(path.join(dataDir, 'snapshots/2026-07-26/manifest.json'))).toEqual(
      before,
    )
    const other = JSON.parse(
      await fsp.readFile(path.join(dataDir, 'snapshots/2026-07-26_2026-07/metadata.json'), 'utf8'),
    )
    expect(other).toMatchObject({ asOf: '2026-07-26', dataMonth: '2026-07' })
  })

  it('stores the district file as the JSON the manifest hashes', async () => {
    const store = open()
    const file = districtFile('61', '2026-02-20')
    await store.writeDistrict(file)
    const bytes = await fsp.readFile(districtPath('2026-02-20', '61'))
    const stored = JSON.parse(bytes.toString('utf8'))
    expect(stored.schemaVersion).toBe(2)
    expect(upgradeDistrictFile(stored)).toEqual(file)
    const entry = (await store.readManifest('2026-02-20'))?.districts['61']
    expect(entry?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
  })

  it('stores district files compact (one line, version 2), and still reads and verifies version-1 files, pretty or compact', async () => {
    const store = open()
    const clubs = Array.from({ length: 20 }, (_, i) => ({ clubNumber: String(i), members: i }))
    const file = districtFile('61', '2026-02-20', { detail: 'full', statistics: { clubs } })
    await store.writeDistrict(file)
    const text = await fsp.readFile(districtPath('2026-02-20', '61'), 'utf8')
    expect(text.startsWith('{"schemaVersion":2,')).toBe(true)
    expect(text.indexOf('\n')).toBe(text.length - 1)
    expect(text.split('"clubNumber"').length - 1).toBe(1)
    expect(await store.readDistrict('2026-02-20', '61')).toEqual(file)
    const manifestPath = path.join(dataDir, 'snapshots/2026-02-20/manifest.json')
    // Files written by earlier builds: pretty-printed, then compact, both version 1, with the
    // manifest's sha256 of their bytes.
    for (const old of [`${JSON.stringify(file, null, 2)}\n`, `${JSON.stringify(file)}\n`]) {
      await fsp.writeFile(districtPath('2026-02-20', '61'), old)
      const manifest = JSON.parse(await fsp.readFile(manifestPath, 'utf8'))
      Object.assign(manifest.districts['61'], {
        sha256: createHash('sha256').update(old).digest('hex'),
        sizeBytes: Buffer.byteLength(old),
      })
      await fsp.writeFile(manifestPath, JSON.stringify(manifest))
      expect(await store.readDistrict('2026-02-20', '61')).toEqual(file)
      expect(await store.hasValidDistrict('2026-02-20', '61', 'full')).toBe(true)
    }
  })

  it('skip check trusts bytes that match the manifest (size + sha256) without validating them again', async () => {
    const store = open()
    await store.writeDistrict(districtFile('61', '2026-02-20'))
    const manifestPath = path.join(dataDir, 'snapshots/2026-02-20/manifest.json')
    const manifest = JSON.parse(await fsp.readFile(manifestPath, 'utf8'))
    // Bytes the manifest commits to but that no writer would produce, at either version this
    // build reads (1: written by an earlier build): the skip check answers from size + sha256
    // (the integrity the manifest promises); a read validates.
    for (const version of [1, 2]) {
      const forged = `{"schemaVersion":${version},"districtId":"61"}\n`
      await fsp.writeFile(districtPath('2026-02-20', '61'), forged)
      Object.assign(manifest.districts['61'], {
        sha256: createHash('sha256').update(forged).digest('hex'),
        sizeBytes: Buffer.byteLength(forged),
      })
      await fsp.writeFile(manifestPath, JSON.stringify(manifest))
      expect(await store.hasValidDistrict('2026-02-20', '61', 'summary')).toBe(true)
      await expect(store.readDistrict('2026-02-20', '61')).rejects.toMatchObject({
        code: 'STORAGE_CORRUPT',
      })
    }
    // A size that disagrees with the manifest is not intact.
    manifest.districts['61'].sizeBytes += 1
    await fsp.writeFile(manifestPath, JSON.stringify(manifest))
    expect(await store.hasValidDistrict('2026-02-20', '61', 'summary')).toBe(false)
  })

  it('an update fsyncs each new file once and the directory a constant number of times, manifest last', async () => {
    const ops: string[] = []
    const recording: StorageFs = {
      ...nodeStorageFs,
      fsync: (p) => (ops.push(`fsync ${path.basename(p)}`), nodeStorageFs.fsync(p)),
      rename: (from, to) => (
        ops.push(`rename ${path.basename(from)} ${path.basename(to)}`),
        nodeStorageFs.rename(from, to)
      ),
    }
    await open().writeDistrict(districtFile('01', '2026-02-20'))
    const ids = ['61', 'F', '02', '03', '04']
    await open(recording).writeDistricts(
      '2026-02-20',
      ids.map((id) => districtFile(id, '2026-02-20')),
      metaFor('2026-02-20'),
    )
    const fsyncs = ops.filter((o) => o.startsWith('fsync '))
    const dirSyncs = fsyncs.filter((o) => o === 'fsync 2026-02-20')
    // 5 districts + metadata + manifest, then the directory before the commit, after it, after the moves.
    expect(fsyncs.length - dirSyncs.length).toBe(ids.length + 2)
    expect(dirSyncs.length).toBe(3)
    // Every staged copy and the directory holding their names are durable before the commit.
    const commit = ops.findIndex((o) => o.startsWith('rename ') && o.endsWith(' manifest.json'))
    for (const id of ids) {
      const staged = ops.findIndex(
        (o) => o.startsWith('rename ') && o.endsWith(` .pending-district_${id}.json`),
      )
      expect(staged).toBeGreaterThanOrEqual(0)
      expect(staged).toBeLessThan(commit)
    }
    expect(ops.slice(0, commit).lastIndexOf('fsync 2026-02-20')).toBeGreaterThan(
      ops.findLastIndex((o, i) => i < commit && o.includes('.pending-')),
    )
    expect(ops.at(-1)).toBe('fsync 2026-02-20')
  })

  it('does not count a district file altered on disk as valid, and refuses to read it', async () => {
    const store = open()
    await store.writeDistrict(districtFile('61', '2026-02-20', { detail: 'full' }))
    const p = districtPath('2026-02-20', '61')
    await fsp.writeFile(p, (await fsp.readFile(p, 'utf8')).replace(/"paid": ?42/, '"paid":24'))
    expect(await store.hasValidDistrict('2026-02-20', '61', 'summary')).toBe(false)
    await expect(store.readDistrict('2026-02-20', '61')).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
    })
  })

  it('does not count a file of a future schema version as valid, even with a matching sha256', async () => {
    const store = open()
    await store.writeDistrict(districtFile('61', '2026-02-20'))
    const text = (await fsp.readFile(districtPath('2026-02-20', '61'), 'utf8')).replace(
      /"schemaVersion": ?2/,
      '"schemaVersion":9',
    )
    await fsp.writeFile(districtPath('2026-02-20', '61'), text)
    const manifestPath = path.join(dataDir, 'snapshots/2026-02-20/manifest.json')
    const manifest = JSON.parse(await fsp.readFile(manifestPath, 'utf8'))
    Object.assign(manifest.districts['61'], {
      sha256: createHash('sha256').update(text).digest('hex'),
      sizeBytes: Buffer.byteLength(text),
    })
    await fsp.writeFile(manifestPath, JSON.stringify(manifest))
    expect(await store.hasValidDistrict('2026-02-20', '61', 'summary')).toBe(false)
    await expect(store.readDistrict('2026-02-20', '61')).rejects.toMatchObject({
      code: 'STORAGE_UNSUPPORTED_SCHEMA',
      schemaVersion: 9,
    })
  })

  it('skips an unreadable snapshot in listings and coverage instead of failing them', async () => {
    const store = open()
    await store.writeDistrict(districtFile('61', '2026-02-20'))
    await store.writeDistrict(districtFile('61', '2026-02-21'))
    await fsp.writeFile(path.join(dataDir, 'snapshots/2026-02-21/manifest.json'), '{')
    expect((await store.listSnapshots()).map((s) => s.asOf)).toEqual(['2026-02-20'])
    expect(
      (await store.coverage({ from: '2026-02-20', to: '2026-02-21' })).dates[1]?.snapshot,
    ).toBeNull()
    await expect(store.readMetadata('2026-02-21')).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
    })
  })

  describe('disk errors', () => {
    const cases: [keyof StorageFs, string][] = [
      ['writeFile', 'ENOSPC'],
      ['rename', 'EROFS'],
      ['mkdir', 'EACCES'],
      ['fsync', 'EIO'],
    ]
    for (const [op, errno] of cases) {
      it(`surfaces ${errno} from ${op} as STORAGE_IO and keeps the previous state`, async () => {
        await open().writeDistrict(districtFile('61', '2026-02-20'))
        const before = await listTree(dataDir)
        const failing = open(createFailingFs(nodeStorageFs, op, errno))
        // Updating an existing snapshot creates no directory, so mkdir only matters for a new one.
        if (op !== 'mkdir') {
          await expect(
            failing.writeDistrict(districtFile('F', '2026-02-20')),
          ).rejects.toMatchObject({ code: 'STORAGE_IO', errno })
        }
        await expect(failing.writeDistrict(districtFile('61', '2026-02-21'))).rejects.toMatchObject(
          { code: 'STORAGE_IO', errno },
        )
        expect(await listTree(dataDir)).toEqual(before)
        expect(await open().listDistricts('2026-02-20')).toEqual(['61'])
      })
    }

    it('names the path and errno when the snapshots directory is not a directory', async () => {
      await fsp.writeFile(path.join(dataDir, 'snapshots'), 'not a dir')
      const error = await open()
        .writeDistrict(districtFile('61', '2026-02-20'))
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'STORAGE_IO' })
      expect((error as { errno: string }).errno).toMatch(/^(EEXIST|ENOTDIR)$/)
      expect((error as Error).message).toContain(path.join(dataDir, 'snapshots'))
    })
  })

  it('finishes an update a crash left committed but unmoved when the next write comes', async () => {
    const store = open()
    await store.writeDistrict(districtFile('61', '2026-02-20'))
    const newer = districtFile('61', '2026-02-20', { statistics: { v: 2 } })
    const text = `${JSON.stringify(newer, null, 2)}\n`
    const dir = path.join(dataDir, 'snapshots/2026-02-20')
    await fsp.writeFile(path.join(dir, '.pending-district_61.json'), text)
    const manifest = JSON.parse(await fsp.readFile(path.join(dir, 'manifest.json'), 'utf8'))
    Object.assign(manifest.districts['61'], {
      sha256: createHash('sha256').update(text).digest('hex'),
      sizeBytes: Buffer.byteLength(text),
    })
    await fsp.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest))
    await fsp.writeFile(path.join(dir, '.pending-district_F.json'), '{"never":"committed"}')
    await store.writeDistrict(districtFile('9', '2026-02-20'))
    expect(await store.readDistrict('2026-02-20', '61')).toEqual(newer)
    expect((await fsp.readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([])
  })
})
