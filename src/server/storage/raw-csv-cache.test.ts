import fsp from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RawCsvCache, RawCsvMetaInput } from './ports.ts'
import { createMemoryRawCsvCache, createRawCsvCache } from './raw-csv-cache.ts'
import type { RawCsvProblem } from './raw-csv-cache.ts'
import { runRawCsvCacheContract } from './raw-csv-cache.contract.ts'
import { createFailingFs } from './faulty-fs.ts'
import { nodeStorageFs } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'
import { makeTempRoot } from './test-helpers.ts'
import { verify } from './verify.ts'

const META: RawCsvMetaInput = {
  url: 'https://dashboards.toastmasters.org/export.aspx?type=CSV&report=clubperformance~61~2/28/2026~2/20/2026~2025-2026',
  fetchedAt: '2026-02-21T09:00:00.000Z',
  status: 200,
  footer: { month: 'Feb', dataMonth: '2026-02', asOf: '2026-02-20' },
  requestedAsOf: '2026-02-20',
}
// BOM, CRLF, quoted cells, non-ASCII, no final newline: all must survive byte for byte.
const BODY =
  '\uFEFF"District","Club Name"\r\n"61","Les Orateurs Montréal"\r\n"61","Toast ✓"\r\nMonth of Feb, As of 02/20/2026'

describe('raw CSV cache (file)', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ dataDir, cleanup } = await makeTempRoot())
  })
  afterEach(() => cleanup())

  it('stores the body byte-exact beside its request metadata', async () => {
    const cache = createRawCsvCache({ dataDir })
    const meta = await cache.put({
      asOf: '2026-02-20',
      report: 'clubperformance',
      districtId: '61',
      body: BODY,
      meta: META,
    })
    const onDisk = await fsp.readFile(
      path.join(dataDir, 'raw-csv/2026-02-20/clubperformance_61.csv'),
    )
    expect(onDisk.equals(Buffer.from(BODY, 'utf8'))).toBe(true)
    expect(meta).toMatchObject({
      ...META,
      sizeBytes: onDisk.length,
      asOf: '2026-02-20',
      report: 'clubperformance',
      districtId: '61',
    })
    const metaFile = JSON.parse(
      await fsp.readFile(
        path.join(dataDir, 'raw-csv/2026-02-20/clubperformance_61.meta.json'),
        'utf8',
      ),
    )
    expect(metaFile).toEqual(meta)
    expect(await cache.get('2026-02-20', 'clubperformance', '61')).toEqual({ body: BODY, meta })
  })

  it('treats a body that no longer matches its sha256 as a miss and reports it', async () => {
    const problems: RawCsvProblem[] = []
    const cache = createRawCsvCache({ dataDir, onCorrupt: (p) => problems.push(p) })
    await cache.put({
      asOf: '2026-02-20',
      report: 'districtsummary',
      districtId: null,
      body: BODY,
      meta: META,
    })
    await fsp.writeFile(
      path.join(dataDir, 'raw-csv/2026-02-20/districtsummary.csv'),
      BODY.replace('61', '62'),
    )
    expect(await cache.get('2026-02-20', 'districtsummary', null)).toBeNull()
    expect(problems).toMatchObject([
      {
        code: 'RAW_SHA_MISMATCH',
        path: path.join(dataDir, 'raw-csv/2026-02-20/districtsummary.csv'),
      },
    ])
    expect(await cache.stats()).toMatchObject({ hits: 0, misses: 1, corrupt: 1 })
  })

  it('makes body and meta durable with one fsync each and one of the directory, body in place first', async () => {
    const ops: string[] = []
    const name = (p: string) => path.basename(p).replace(/\.[0-9a-f]{12}\.tmp$/, '.tmp')
    const recording: StorageFs = {
      ...nodeStorageFs,
      fsync: (p) => (ops.push(`fsync ${name(p)}`), nodeStorageFs.fsync(p)),
      rename: (from, to) => (ops.push(`rename ${name(to)}`), nodeStorageFs.rename(from, to)),
    }
    const cache = createRawCsvCache({ dataDir, fs: recording })
    await cache.put({
      asOf: '2026-02-20',
      report: 'clubperformance',
      districtId: '61',
      body: BODY,
      meta: META,
    })
    expect(ops).toEqual([
      'fsync .clubperformance_61.csv.tmp',
      'fsync .clubperformance_61.meta.json.tmp',
      'rename clubperformance_61.csv',
      'rename clubperformance_61.meta.json',
      'fsync 2026-02-20',
    ])
    expect((await cache.get('2026-02-20', 'clubperformance', '61'))?.body).toBe(BODY)
    // A failed rename leaves no temp file behind and no meta for a body not in place.
    const failing = createRawCsvCache({
      dataDir,
      fs: createFailingFs(nodeStorageFs, 'rename', 'EIO'),
    })
    await expect(
      failing.put({
        asOf: '2026-02-21',
        report: 'clubperformance',
        districtId: '61',
        body: BODY,
        meta: META,
      }),
    ).rejects.toMatchObject({ code: 'STORAGE_IO' })
    expect(await fsp.readdir(path.join(dataDir, 'raw-csv/2026-02-21'))).toEqual([])
  })

  it('rejects a body that is not a string', async () => {
    const cache = createRawCsvCache({ dataDir })
    await expect(
      cache.put({
        asOf: '2026-02-20',
        report: 'districtsummary',
        districtId: null,
        body: Buffer.from('x') as unknown as string,
        meta: META,
      }),
    ).rejects.toMatchObject({ code: 'STORAGE_VALIDATION' })
  })
})

describe('raw CSV cache (file): meta index', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ dataDir, cleanup } = await makeTempRoot())
  })
  afterEach(() => cleanup())

  const file = (name: string) => path.join(dataDir, 'raw-csv/2026-02-20', name)
  /** A file system that records the base name of every file read. */
  const recordingReads = (base: StorageFs = nodeStorageFs) => {
    const reads: string[] = []
    const fs: StorageFs = {
      ...base,
      readFile: (p) => (reads.push(path.basename(p)), base.readFile(p)),
    }
    return { fs, reads }
  }
  const put = (cache: RawCsvCache, districtId: string, body = BODY, meta = META) =>
    cache.put({ asOf: '2026-02-20', report: 'clubperformance', districtId, body, meta })

  it('answers has and get without reading a meta again once it was put or read', async () => {
    const { fs, reads } = recordingReads()
    const cache = createRawCsvCache({ dataDir, fs })
    for (const id of ['61', '62', '63']) await put(cache, id)
    reads.length = 0
    for (const id of ['61', '62', '63'])
      expect(await cache.has('2026-02-20', 'clubperformance', id, '2026-02')).toBe(true)
    expect(reads).toEqual([])
    expect((await cache.get('2026-02-20', 'clubperformance', '61'))?.body).toBe(BODY)
    expect(reads).toEqual(['clubperformance_61.csv'])
    // A new process: each meta is read once, then answered from the index.
    const next = recordingReads()
    const fresh = createRawCsvCache({ dataDir, fs: next.fs })
    for (let i = 0; i < 2; i++)
      for (const id of ['61', '62'])
        expect(await fresh.has('2026-02-20', 'clubperformance', id)).toBe(true)
    expect(next.reads).toEqual(['clubperformance_61.meta.json', 'clubperformance_62.meta.json'])
  })

  it('never answers from the index for a meta or body changed or removed since, by any process', async () => {
    const ours = createRawCsvCache({ dataDir })
    const other = createRawCsvCache({ dataDir })
    await put(ours, '61')
    expect(await ours.has('2026-02-20', 'clubperformance', '61')).toBe(true)
    // Another process restates the body: ours serves the new body with the new meta.
    const restated = `${BODY}\r\n"61","Third Club"`
    const theirs = await put(other, '61', restated, {
      ...META,
      fetchedAt: '2026-02-22T09:00:00.000Z',
    })
    expect(await ours.get('2026-02-20', 'clubperformance', '61')).toEqual({
      body: restated,
      meta: theirs,
    })
    // A meta rewritten in place (not renamed) to another size.
    await fsp.writeFile(
      file('clubperformance_61.meta.json'),
      JSON.stringify({ ...theirs, sizeBytes: theirs.sizeBytes + 1, url: 'x' }),
    )
    expect(await ours.has('2026-02-20', 'clubperformance', '61')).toBe(false)
    await put(ours, '61')
    await fsp.rm(file('clubperformance_61.meta.json'))
    expect(await ours.has('2026-02-20', 'clubperformance', '61')).toBe(false)
    expect(await ours.get('2026-02-20', 'clubperformance', '61')).toBeNull()
    await put(ours, '61')
    await fsp.rm(file('clubperformance_61.csv'))
    expect(await ours.has('2026-02-20', 'clubperformance', '61')).toBe(false)
    expect(await ours.get('2026-02-20', 'clubperformance', '61')).toBeNull()
  })

  it('still treats a body that does not match its indexed meta as a miss', async () => {
    const problems: RawCsvProblem[] = []
    const cache = createRawCsvCache({ dataDir, onCorrupt: (p) => problems.push(p) })
    await put(cache, '61')
    expect((await cache.get('2026-02-20', 'clubperformance', '61'))?.body).toBe(BODY)
    await fsp.writeFile(file('clubperformance_61.csv'), BODY.replace('61', '62'))
    expect(await cache.get('2026-02-20', 'clubperformance', '61')).toBeNull()
    expect(problems).toMatchObject([{ code: 'RAW_SHA_MISMATCH' }])
  })

  it('hands out copies: changing a returned meta does not change the next answer', async () => {
    const cache = createRawCsvCache({ dataDir })
    const stored = await put(cache, '61')
    stored.url = 'changed'
    const got = (await cache.get('2026-02-20', 'clubperformance', '61'))!.meta
    expect(got.url).toBe(META.url)
    got.footer!.dataMonth = '1999-01'
    expect(await cache.has('2026-02-20', 'clubperformance', '61', '2026-02')).toBe(true)
  })

  it('reads the meta every time through a file system that gives no change stamp', async () => {
    const stampless: StorageFs = {
      ...nodeStorageFs,
      stat: async (p) => ({ ...(await nodeStorageFs.stat(p)), changeStamp: undefined }),
    }
    const { fs, reads } = recordingReads(stampless)
    const cache = createRawCsvCache({ dataDir, fs })
    await put(cache, '61')
    reads.length = 0
    for (let i = 0; i < 2; i++)
      expect(await cache.has('2026-02-20', 'clubperformance', '61')).toBe(true)
    expect(reads).toEqual(['clubperformance_61.meta.json', 'clubperformance_61.meta.json'])
  })
})

describe('raw CSV cache (file): one as-of, two data months', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ dataDir, cleanup } = await makeTempRoot())
  })
  afterEach(() => cleanup())

  const AS_OF = '2026-03-05'
  const metaOf = (dataMonth: string): RawCsvMetaInput => ({
    ...META,
    footer: { month: dataMonth.slice(5), dataMonth, asOf: AS_OF },
    requestedAsOf: AS_OF,
  })
  const put = (dataMonth: string, body: string, dir = dataDir) =>
    createRawCsvCache({ dataDir: dir }).put({
      asOf: AS_OF,
      report: 'clubperformance',
      districtId: '61',
      body,
      meta: metaOf(dataMonth),
    })

  it('keeps the first month at raw-csv/<asOf>/ and the other at raw-csv/<asOf>_<YYYY-MM>/', async () => {
    await put('2026-02', 'feb')
    await put('2026-03', 'mar')
    const read = (rel: string) => fsp.readFile(path.join(dataDir, 'raw-csv', rel), 'utf8')
    expect(await read(`${AS_OF}/clubperformance_61.csv`)).toBe('feb')
    expect(await read(`${AS_OF}_2026-03/clubperformance_61.csv`)).toBe('mar')
    expect(JSON.parse(await read(`${AS_OF}_2026-03/clubperformance_61.meta.json`))).toMatchObject({
      footer: { dataMonth: '2026-03' },
    })
    // A second put of the first month stays in its directory.
    await put('2026-02', 'feb again')
    expect(await read(`${AS_OF}/clubperformance_61.csv`)).toBe('feb again')
    expect(await fsp.readdir(path.join(dataDir, 'raw-csv'))).toEqual([AS_OF, `${AS_OF}_2026-03`])
  })

  it('reads a DATA_DIR written before the month key, whichever month it holds', async () => {
    // The earlier layout: one body per key in raw-csv/<asOf>/, here the later month's.
    const dir = path.join(dataDir, 'raw-csv', AS_OF)
    await fsp.mkdir(dir, { recursive: true })
    const stored = await put('2026-03', 'mar')
    const cache = createRawCsvCache({ dataDir })
    expect(await cache.get(AS_OF, 'clubperformance', '61', '2026-03')).toEqual({
      body: 'mar',
      meta: stored,
    })
    expect((await cache.get(AS_OF, 'clubperformance', '61'))?.body).toBe('mar')
    expect(await cache.get(AS_OF, 'clubperformance', '61', '2026-02')).toBeNull()
    // The closing month fetched afterwards goes beside it, not over it.
    await put('2026-02', 'feb')
    expect((await cache.get(AS_OF, 'clubperformance', '61', '2026-02'))?.body).toBe('feb')
    expect((await cache.get(AS_OF, 'clubperformance', '61'))?.body).toBe('mar')
    expect(await fsp.readFile(path.join(dir, 'clubperformance_61.csv'), 'utf8')).toBe('mar')
  })

  it('never serves a body from the other-month directory whose footer names another month', async () => {
    await put('2026-02', 'feb')
    await put('2026-03', 'mar')
    // A meta of the wrong month in raw-csv/<asOf>_2026-03/ (hand-edited or misplaced).
    const metaFile = path.join(
      dataDir,
      'raw-csv',
      `${AS_OF}_2026-03`,
      'clubperformance_61.meta.json',
    )
    const meta = JSON.parse(await fsp.readFile(metaFile, 'utf8'))
    meta.footer.dataMonth = '2026-02'
    await fsp.writeFile(metaFile, JSON.stringify(meta))
    const cache = createRawCsvCache({ dataDir })
    expect(await cache.get(AS_OF, 'clubperformance', '61', '2026-03')).toBeNull()
    expect(await cache.has(AS_OF, 'clubperformance', '61', '2026-03')).toBe(false)
    expect((await cache.get(AS_OF, 'clubperformance', '61', '2026-02'))?.body).toBe('feb')
    const report = await verify({ dataDir })
    expect(report.problems.map((p) => `${p.code} ${p.path}`)).toEqual([
      `RAW_META_INVALID raw-csv/${AS_OF}_2026-03/clubperformance_61.meta.json`,
    ])
  })
})

describe('raw CSV cache (memory)', () => {
  it('behaves like the file cache for put, get, has, list and stats', async () => {
    const cache = createMemoryRawCsvCache()
    const meta = await cache.put({
      asOf: '2026-02-20',
      report: 'clubperformance',
      districtId: '61',
      body: BODY,
      meta: META,
    })
    expect(await cache.get('2026-02-20', 'clubperformance', '61')).toEqual({ body: BODY, meta })
    expect(await cache.get('2026-02-20', 'clubperformance', '62')).toBeNull()
    expect(await cache.has('2026-02-20', 'clubperformance', '61')).toBe(true)
    expect(await cache.list('2026-02-21')).toEqual([])
    expect(await cache.stats()).toEqual({
      hits: 1,
      misses: 1,
      corrupt: 0,
      hitRate: 0.5,
      entryCount: 1,
      sizeBytes: Buffer.byteLength(BODY),
    })
  })
})

runRawCsvCacheContract('file', async () => {
  const { dataDir, cleanup } = await makeTempRoot()
  return {
    cache: createRawCsvCache({ dataDir }),
    reopen: () => createRawCsvCache({ dataDir }),
    cleanup,
  }
})
