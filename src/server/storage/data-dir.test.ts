/**
 * prepareDataDir's sweep of interrupted writes: raw CSV pairs are read only in the date
 * directories changed since the last finished sweep began (less a margin for a file server's
 * clock), so a start does not read the whole raw archive again.
 */
import fsp from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSilentLogger } from '../logger.ts'
import { SWEEP_CLOCK_MARGIN_MS, SWEEP_STAMP_FILE, prepareDataDir } from './data-dir.ts'
import { createRawCsvCache } from './raw-csv-cache.ts'
import type { StorageFs } from './storage-fs.ts'
import { nodeStorageFs } from './storage-fs.ts'
import { FIXED_NOW, makeTempRoot } from './test-helpers.ts'
import { verify } from './verify.ts'

const BODY = 'REGION,DISTRICT\r\n"01","61"\r\nMonth of Feb, As of 02/20/2026'
const META = {
  url: 'https://x/export',
  fetchedAt: FIXED_NOW.toISOString(),
  status: 200,
  footer: null,
  requestedAsOf: '2026-02-20',
}

let dataDir: string
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ dataDir, cleanup } = await makeTempRoot())
})
afterEach(() => cleanup())

const put = (asOf: string) =>
  createRawCsvCache({ dataDir }).put({
    asOf,
    report: 'districtsummary',
    districtId: null,
    body: BODY,
    meta: { ...META, requestedAsOf: asOf },
  })
const bodyPath = (asOf: string) => path.join(dataDir, 'raw-csv', asOf, 'districtsummary.csv')

/** What an interrupted pair write leaves when the body's rename landed and the meta's did not. */
const replaceBodyBehindItsMeta = (asOf: string) =>
  fsp.writeFile(bodyPath(asOf), BODY.replace('61', '62'))

/** prepareDataDir through an fs that records which raw bodies it read. */
async function sweep(now: number) {
  const read: string[] = []
  const fs: StorageFs = {
    ...nodeStorageFs,
    readFile: (p) => {
      if (p.endsWith('.csv')) read.push(path.relative(dataDir, p))
      return nodeStorageFs.readFile(p)
    },
  }
  const { swept } = await prepareDataDir({
    dataDir,
    logger: createSilentLogger(),
    fs,
    now: () => now,
  })
  return { swept, read }
}

describe('prepareDataDir: the start-up sweep of raw CSV pairs', () => {
  it('reads every pair when no sweep finished before, and records when it began', async () => {
    await put('2026-02-20')
    await replaceBodyBehindItsMeta('2026-02-20')
    const at = Date.now()
    const { swept, read } = await sweep(at)
    expect(read).toEqual(['raw-csv/2026-02-20/districtsummary.csv'])
    expect(swept).toEqual(['raw-csv/2026-02-20/districtsummary.csv'])
    const stamp = JSON.parse(await fsp.readFile(path.join(dataDir, SWEEP_STAMP_FILE), 'utf8'))
    expect(stamp).toEqual({ startedAt: new Date(at).toISOString() })
    expect((await verify({ dataDir })).ok).toBe(true)
  })

  it('lists, without reading, the directories unchanged since the last sweep began (less the margin)', async () => {
    await put('2026-02-20')
    await put('2026-02-21')
    // The first sweep "began" well after these directories were last changed.
    const later = Date.now() + SWEEP_CLOCK_MARGIN_MS + 60_000
    expect((await sweep(later)).read).toHaveLength(2)
    const again = await sweep(later + 1000)
    expect(again.read).toEqual([])
    expect(again.swept).toEqual([])
  })

  it('reads a directory again once a write moved its mtime, and sweeps what an interrupted write left there', async () => {
    await put('2026-02-20')
    await put('2026-02-21')
    const later = Date.now() + SWEEP_CLOCK_MARGIN_MS + 60_000
    await sweep(later)
    // A write that renames into 2026-02-21 after that sweep began (its clock: `later` + 1 s).
    await fsp.rm(path.join(dataDir, 'raw-csv', '2026-02-21'), { recursive: true })
    await put('2026-02-21')
    await replaceBodyBehindItsMeta('2026-02-21')
    const future = new Date(later + 2000)
    await fsp.utimes(path.join(dataDir, 'raw-csv', '2026-02-21'), future, future)
    const next = await sweep(later + 3000)
    expect(next.read).toEqual(['raw-csv/2026-02-21/districtsummary.csv'])
    expect(next.swept).toEqual(['raw-csv/2026-02-21/districtsummary.csv'])
  })

  it('reads a directory holding a temp file, whatever its mtime', async () => {
    await put('2026-02-20')
    const later = Date.now() + SWEEP_CLOCK_MARGIN_MS + 60_000
    await sweep(later)
    await replaceBodyBehindItsMeta('2026-02-20')
    const tmp = path.join(dataDir, 'raw-csv', '2026-02-20', '.districtsummary.meta.json.ab12.tmp')
    await fsp.writeFile(tmp, '{')
    const past = new Date(later - 10 * SWEEP_CLOCK_MARGIN_MS)
    await fsp.utimes(path.join(dataDir, 'raw-csv', '2026-02-20'), past, past)
    const next = await sweep(later + 1000)
    expect(next.read).toEqual(['raw-csv/2026-02-20/districtsummary.csv'])
    expect([...next.swept].sort()).toEqual([
      'raw-csv/2026-02-20/.districtsummary.meta.json.ab12.tmp',
      'raw-csv/2026-02-20/districtsummary.csv',
    ])
  })

  it('reads everything when the stamp is unreadable, and writes it anew', async () => {
    await put('2026-02-20')
    await fsp.writeFile(path.join(dataDir, SWEEP_STAMP_FILE), 'not json')
    const at = Date.now() + SWEEP_CLOCK_MARGIN_MS + 60_000
    expect((await sweep(at)).read).toEqual(['raw-csv/2026-02-20/districtsummary.csv'])
    const stamp = JSON.parse(await fsp.readFile(path.join(dataDir, SWEEP_STAMP_FILE), 'utf8'))
    expect(stamp.startedAt).toBe(new Date(at).toISOString())
  })
})
