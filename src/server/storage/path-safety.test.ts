/**
 * District ids, dates and report names reach file names, so every public method that takes one
 * must refuse traversal attempts before touching the disk, and nothing may appear outside the
 * data dir.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDistrictConfigStore } from './district-config.ts'
import { createFileSnapshotStore } from './file-snapshot-store.ts'
import { resolveInside } from './paths.ts'
import { createRawCsvCache } from './raw-csv-cache.ts'
import {
  FIXED_NOW,
  allDistrictsFile,
  districtFile,
  listTree,
  makeTempRoot,
  metaFor,
} from './test-helpers.ts'

const HOSTILE = [
  '../x',
  '..',
  '/etc/passwd',
  '..%2Fx',
  '%2F..%2F..%2Fx',
  'a\0b',
  '..\\x',
  '2026-02-20/../../x',
  '',
  'C:\\x',
  ' ../ ',
  './61',
]
const META = { url: 'u', fetchedAt: 't', status: 200, footer: null, requestedAsOf: null }

describe('path safety', () => {
  let root: string
  let dataDir: string
  let cleanup: () => Promise<void>
  let rootBefore: string[]

  beforeAll(async () => {
    ;({ root, dataDir, cleanup } = await makeTempRoot())
    const store = createFileSnapshotStore({ dataDir, toolVersion: 't', now: () => FIXED_NOW })
    await store.writeDistrict(districtFile('61', '2026-02-20'))
    rootBefore = await listTree(root)
  })
  afterAll(() => cleanup())

  function operations(bad: string): [string, () => unknown][] {
    const store = createFileSnapshotStore({ dataDir, toolVersion: 't', now: () => FIXED_NOW })
    const cache = createRawCsvCache({ dataDir })
    const config = createDistrictConfigStore({ dataDir })
    const d = '2026-02-20'
    return [
      ['writeDistrict id', () => store.writeDistrict(districtFile(bad, d))],
      ['writeDistrict asOf', () => store.writeDistrict(districtFile('61', bad))],
      ['writeDistricts asOf', () => store.writeDistricts(bad, [], metaFor(d))],
      [
        'writeDistricts requestedDate',
        () => store.writeDistricts(d, [], metaFor(d, { requestedDate: bad })),
      ],
      ['writeAllDistricts asOf', () => store.writeAllDistricts(allDistrictsFile(bad))],
      ['recordFailures asOf', () => store.recordFailures(bad, [], metaFor(d))],
      [
        'recordFailures id',
        () => store.recordFailures(d, [{ districtId: bad, code: 'X', message: 'x' }]),
      ],
      ['setCurrent', () => store.setCurrent(bad)],
      ['readMetadata', () => store.readMetadata(bad)],
      ['readManifest', () => store.readManifest(bad)],
      ['readDistrict asOf', () => store.readDistrict(bad, '61')],
      ['readDistrict id', () => store.readDistrict(d, bad)],
      ['readAllDistricts', () => store.readAllDistricts(bad)],
      ['listDistricts', () => store.listDistricts(bad)],
      ['listSnapshots', () => store.listSnapshots({ from: bad })],
      ['streamDistrictSeries id', () => store.streamDistrictSeries(bad, d, d)],
      ['streamDistrictSeries date', () => store.streamDistrictSeries('61', d, bad)],
      ['coverage date', () => store.coverage({ from: bad, to: d })],
      ['coverage id', () => store.coverage({ from: d, to: d, districtIds: [bad] })],
      ['hasValidDistrict asOf', () => store.hasValidDistrict(bad, '61', 'summary')],
      ['hasValidDistrict id', () => store.hasValidDistrict(d, bad, 'summary')],
      ['findByRequestedDate', () => store.findByRequestedDate(bad)],
      [
        'raw put asOf',
        () =>
          cache.put({
            asOf: bad,
            report: 'districtsummary',
            districtId: null,
            body: 'x',
            meta: META,
          }),
      ],
      [
        'raw put id',
        () =>
          cache.put({ asOf: d, report: 'clubperformance', districtId: bad, body: 'x', meta: META }),
      ],
      [
        'raw put report',
        () =>
          cache.put({
            asOf: d,
            report: bad as 'clubperformance',
            districtId: '61',
            body: 'x',
            meta: META,
          }),
      ],
      ['raw get', () => cache.get(bad, 'districtsummary', null)],
      ['raw get id', () => cache.get(d, 'clubperformance', bad)],
      ['raw has', () => cache.has(d, 'clubperformance', bad)],
      ['raw list', () => cache.list(bad)],
      ['config replace', () => config.replace([bad])],
      ['config add', () => config.add(['61', bad])],
      ['config remove', () => config.remove([bad])],
    ]
  }

  for (const bad of HOSTILE) {
    it(`refuses ${JSON.stringify(bad)} in every method and writes nothing outside the data dir`, async () => {
      for (const [name, call] of operations(bad)) {
        const outcome = await Promise.resolve()
          .then(call)
          .then(
            () => 'accepted',
            (e: unknown) => (e as { code?: string }).code,
          )
        expect(outcome, name).toBe('STORAGE_VALIDATION')
      }
      const now = await listTree(root)
      expect(now.filter((p) => !p.startsWith('data/'))).toEqual(
        rootBefore.filter((p) => !p.startsWith('data/')),
      )
      expect(now).toEqual(rootBefore)
    })
  }

  describe('resolveInside', () => {
    it('joins plain names under the root', () => {
      expect(resolveInside('/srv/data', 'snapshots', '2026-02-20')).toBe(
        path.resolve('/srv/data/snapshots/2026-02-20'),
      )
    })

    it.each(['..', '.', '', '../x', '/etc', 'a/b', 'a\\b', '..\\x', 'a\0b'])(
      'refuses the segment %j',
      (segment) => {
        expect(() => resolveInside('/srv/data', 'snapshots', segment)).toThrow(/path segment/)
      },
    )

    it('keeps names that merely contain dots or percent signs inside the root', () => {
      for (const name of ['..%2Fx', '%2e%2e', '...', '.tmp-x']) {
        expect(path.dirname(resolveInside('/srv/data', name))).toBe(path.resolve('/srv/data'))
      }
    })
  })
})
