/**
 * One behaviour suite for every SnapshotStore implementation (docs/architecture.md#ports). Each implementation's
 * test file calls `runSnapshotStoreContract` with a factory.
 */
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { SnapshotStore } from './ports.ts'
import { serializeDistrictFile } from './schema.ts'
import { allDistrictsFile, districtFile, metaFor, source, sourcesFor } from './test-helpers.ts'

export interface ContractSubject {
  store: SnapshotStore
  cleanup: () => Promise<void>
  /**
   * Rewrites the stored bytes of a district file of the as-of's first month with `edit`, leaving
   * its manifest entry as it was (a file damaged where it is stored).
   */
  tamperDistrict: (
    asOf: IsoDate,
    districtId: string,
    edit: (text: string) => string,
  ) => Promise<void>
}

/** Same size, other bytes: only the sha256 tells (the note of test-helpers' files holds the '@'). */
const sameSizeEdit = (text: string) => text.replace('@', '#')

export function runSnapshotStoreContract(
  name: string,
  create: () => Promise<ContractSubject>,
): void {
  describe(`SnapshotStore contract: ${name}`, () => {
    let subject: ContractSubject | null = null
    const open = async () => {
      subject = await create()
      return subject.store
    }
    afterEach(async () => {
      await subject?.cleanup()
      subject = null
    })

    describe('writes', () => {
      it('reads back exactly the district file that was written', async () => {
        const store = await open()
        const file = districtFile('61', '2026-02-20', {
          statistics: { nested: { a: [1, 'x', null] } },
        })
        await store.writeDistrict(file)
        expect(await store.readDistrict('2026-02-20', '61')).toEqual(file)
      })

      it('creates metadata from the write meta on the first write of a date', async () => {
        const store = await open()
        const asOf = '2026-03-02'
        await store.writeDistricts(
          asOf,
          [districtFile('F', asOf, { dataMonth: '2026-02', closingPeriod: true })],
          {
            ...metaFor(asOf),
            dataMonth: '2026-02',
            closingPeriod: true,
            requestedDate: '2026-03-03',
          },
        )
        const metadata = await store.readMetadata(asOf)
        expect(metadata).toMatchObject({
          asOf,
          dataMonth: '2026-02',
          programYear: '2025-2026',
          closingPeriod: true,
          status: 'complete',
          requestedDates: ['2026-03-03'],
          failedDistricts: [],
        })
      })

      it('records detail, byte size, sha256 and job id of each file in the manifest', async () => {
        const store = await open()
        const file = districtFile('02', '2026-02-20', { detail: 'full' })
        await store.writeDistricts('2026-02-20', [file], metaFor('2026-02-20', { jobId: 'job-77' }))
        // The text every store writes for a district file (version 2, docs/decisions/district-file-encoding.md).
        const text = serializeDistrictFile(file)
        const entry = (await store.readManifest('2026-02-20'))?.districts['02']
        expect(entry).toMatchObject({
          districtId: '02',
          file: 'district_02.json',
          detail: 'full',
          jobId: 'job-77',
          sizeBytes: Buffer.byteLength(text),
          sha256: createHash('sha256').update(text).digest('hex'),
        })
      })

      it('keeps the districts of separate writes to the same date', async () => {
        const store = await open()
        await store.writeDistrict(districtFile('61', '2026-02-20'))
        await store.writeDistricts(
          '2026-02-20',
          [districtFile('F', '2026-02-20'), districtFile('9', '2026-02-20')],
          metaFor('2026-02-20'),
        )
        expect(await store.listDistricts('2026-02-20')).toEqual(['9', '61', 'F'])
      })

      it('keeps every district when several jobs write the same new date concurrently', async () => {
        const store = await open()
        const ids = ['1', '2', '3', '10', '21', '61', '101', 'F', 'U', '02']
        await Promise.all(
          ids.map((id) =>
            store.writeDistrict(districtFile(id, '2026-02-21'), { requestedDate: '2026-02-21' }),
          ),
        )
        expect(await store.listDistricts('2026-02-21')).toEqual([
          '1',
          '02',
          '2',
          '3',
          '10',
          '21',
          '61',
          '101',
          'F',
          'U',
        ])
        expect((await store.readMetadata('2026-02-21'))?.requestedDates).toEqual(['2026-02-21'])
      })

      it('overwrites a district and records a restated source body', async () => {
        const store = await open()
        await store.writeDistrict(districtFile('61', '2026-06-30'))
        const restated = districtFile('61', '2026-06-30', {
          detail: 'full',
          provenance: {
            sources: [source({ sha256: 'b'.repeat(64) })],
            jobId: 'job-2',
            toolVersion: 't',
            writtenAt: 'x',
          },
        })
        await store.writeDistrict(restated)
        expect(await store.readDistrict('2026-06-30', '61')).toEqual(restated)
        const metadata = await store.readMetadata('2026-06-30')
        expect(metadata?.restatements).toMatchObject([
          { report: 'districtsummary', previousSha256: 'a'.repeat(64), sha256: 'b'.repeat(64) },
        ])
      })

      it('counts validation warnings per file and per snapshot', async () => {
        const store = await open()
        await store.writeDistrict(
          districtFile('61', '2026-03-03', { warnings: ['Net Growth 4 != 5 - 0', 'x'] }),
        )
        await store.writeDistrict(districtFile('21', '2026-03-03'))
        expect((await store.readManifest('2026-03-03'))?.districts['61']?.warningCount).toBe(2)
        expect((await store.listSnapshots())[0]).toMatchObject({
          asOf: '2026-03-03',
          warningCount: 2,
        })
      })

      it('never replaces a stored full file with a summary-level one', async () => {
        const store = await open()
        const full = districtFile('61', '2026-06-30', { detail: 'full' })
        await store.writeDistrict(full)
        const [entry] = await store.writeDistricts(
          '2026-06-30',
          [districtFile('61', '2026-06-30', { detail: 'summary' })],
          metaFor('2026-06-30'),
        )
        expect(entry?.detail).toBe('full')
        expect(await store.readDistrict('2026-06-30', '61')).toEqual(full)
        const upgraded = districtFile('21', '2026-06-30', { detail: 'full' })
        await store.writeDistrict(districtFile('21', '2026-06-30', { detail: 'summary' }))
        await store.writeDistrict(upgraded)
        expect((await store.readDistrict('2026-06-30', '21'))?.detail).toBe('full')
      })

      it('refuses a file of a month an as-of cannot carry beside its stored one', async () => {
        const store = await open()
        await store.writeDistrict(districtFile('61', '2026-07-27'))
        // An as-of carries its own month and the month before it, nothing else.
        const other = districtFile('F', '2026-07-27', { dataMonth: '2026-05', closingPeriod: true })
        await expect(store.writeDistrict(other)).rejects.toMatchObject({
          code: 'STORAGE_VALIDATION',
          field: 'meta.dataMonth',
        })
        // Same month, another program year: the metadata would lie about half the files.
        const py = districtFile('F', '2026-07-27', { programYear: '2025-2026' })
        await expect(store.writeDistrict(py)).rejects.toMatchObject({
          code: 'STORAGE_VALIDATION',
        })
        expect(await store.listDistricts('2026-07-27')).toEqual(['61'])
        expect(await store.dataMonthsAt('2026-07-27')).toEqual(['2026-07'])
      })

      it('refuses a batch file whose as-of is not the batch as-of', async () => {
        const store = await open()
        const write = store.writeDistricts(
          '2026-02-20',
          [districtFile('61', '2026-02-19')],
          metaFor('2026-02-20'),
        )
        await expect(write).rejects.toMatchObject({
          code: 'STORAGE_VALIDATION',
          field: 'files[0].asOf',
        })
        expect(await store.readMetadata('2026-02-20')).toBeNull()
      })

      it('refuses a file with an unknown schema version or a lower-case id', async () => {
        const store = await open()
        await expect(
          store.writeDistrict(districtFile('61', '2026-02-20', { schemaVersion: 2 })),
        ).rejects.toMatchObject({ code: 'STORAGE_VALIDATION' })
        await expect(store.writeDistrict(districtFile('f', '2026-02-20'))).rejects.toMatchObject({
          code: 'STORAGE_VALIDATION',
        })
      })

      it('stores the all-districts file and lists it in the manifest', async () => {
        const store = await open()
        const file = allDistrictsFile('2026-02-20')
        await store.writeAllDistricts(file, { requestedDate: '2026-02-20' })
        expect(await store.readAllDistricts('2026-02-20')).toEqual(file)
        expect((await store.readManifest('2026-02-20'))?.allDistricts).not.toBeNull()
        expect(await store.readAllDistricts('2026-02-21')).toBeNull()
      })
    })

    describe('the district set of a date', () => {
      it("records the summary's districts and reports the others as not a district in coverage", async () => {
        const store = await open()
        await store.writeAllDistricts(allDistrictsFile('2026-02-20'), {
          requestedDate: '2026-02-20',
        })
        await store.writeDistrict(districtFile('61', '2026-02-20'))
        expect((await store.readManifest('2026-02-20'))?.allDistricts?.districtIds).toEqual([
          '61',
          'F',
        ])
        const report = await store.coverage({
          from: '2026-02-20',
          to: '2026-02-21',
          districtIds: ['61', 'F', '201'],
        })
        expect(
          report.dates.map((d) => [d.districts['61'], d.districts['F'], d.districts['201']]),
        ).toEqual([
          [
            { detail: 'summary', status: 'ok' },
            { detail: null, status: 'missing' },
            { detail: null, status: 'not-a-district' },
          ],
          [
            { detail: null, status: 'missing' },
            { detail: null, status: 'missing' },
            { detail: null, status: 'missing' },
          ],
        ])
      })
    })

    describe('failures', () => {
      it('marks the snapshot partial, and a later successful write clears the failure', async () => {
        const store = await open()
        await store.writeDistrict(districtFile('61', '2026-02-20'))
        const partial = await store.recordFailures('2026-02-20', [
          { districtId: 'f', code: 'UPSTREAM_TIMEOUT', message: 'timed out' },
        ])
        expect(partial.status).toBe('partial')
        expect(partial.failedDistricts).toEqual([
          { districtId: 'F', code: 'UPSTREAM_TIMEOUT', message: 'timed out' },
        ])
        await store.writeDistrict(districtFile('F', '2026-02-20'))
        expect(await store.readMetadata('2026-02-20')).toMatchObject({
          status: 'complete',
          failedDistricts: [],
        })
      })

      it('is never complete without a district file, and waits for announced districts', async () => {
        const store = await open()
        await store.writeAllDistricts(allDistrictsFile('2026-02-20'), {
          notStoredYet: [{ districtId: '61', code: 'NOT_COLLECTED', message: 'not stored yet' }],
        })
        expect(await store.readMetadata('2026-02-20')).toMatchObject({
          status: 'partial',
          failedDistricts: [{ districtId: '61', code: 'NOT_COLLECTED' }],
        })
        await store.writeAllDistricts(allDistrictsFile('2026-02-21'))
        expect((await store.readMetadata('2026-02-21'))?.status).toBe('partial')
        expect(await store.setCurrent('2026-02-21')).toMatchObject({ moved: false })
        await store.writeDistrict(districtFile('61', '2026-02-20'))
        expect(await store.readMetadata('2026-02-20')).toMatchObject({
          status: 'complete',
          failedDistricts: [],
        })
        expect((await store.listSnapshots()).map((s) => [s.asOf, s.status])).toEqual([
          ['2026-02-20', 'complete'],
          ['2026-02-21', 'partial'],
        ])
      })

      it('forgets the failures of districts cleared as not belonging to the date', async () => {
        const store = await open()
        expect(await store.clearFailures('2026-02-20', ['61'])).toBeNull()
        await store.writeDistrict(districtFile('61', '2026-02-20'))
        await store.recordFailures('2026-02-20', [
          { districtId: 'F', code: 'UPSTREAM_WRONG_MONTH', message: 'x' },
        ])
        const cleared = await store.clearFailures('2026-02-20', ['F'])
        expect(cleared).toMatchObject({ status: 'complete', failedDistricts: [] })
        await expect(store.clearFailures('2026-02-20', ['../x'])).rejects.toMatchObject({
          code: 'STORAGE_VALIDATION',
        })
      })

      it('needs meta to record failures for a date without a snapshot', async () => {
        const store = await open()
        const failure = { districtId: '61', code: 'HTTP_500', message: 'boom' }
        await expect(store.recordFailures('2026-02-20', [failure])).rejects.toMatchObject({
          code: 'STORAGE_NOT_FOUND',
        })
        const metadata = await store.recordFailures('2026-02-20', [failure], metaFor('2026-02-20'))
        expect(metadata.status).toBe('partial')
        expect(await store.listDistricts('2026-02-20')).toEqual([])
      })
    })

    describe('current pointer', () => {
      it('only moves forward, and only onto complete snapshots, unless forced', async () => {
        const store = await open()
        expect(await store.getCurrent()).toBeNull()
        for (const d of ['2026-02-18', '2026-02-20'])
          await store.writeDistrict(districtFile('61', d))
        await store.recordFailures('2026-02-20', [{ districtId: 'F', code: 'X', message: 'x' }])
        expect(await store.setCurrent('2026-02-20')).toEqual({
          current: null,
          moved: false,
          reason: 'partial',
        })
        expect(await store.setCurrent('2026-02-18')).toEqual({ current: '2026-02-18', moved: true })
        await store.writeDistrict(districtFile('61', '2026-02-19'))
        expect(await store.setCurrent('2026-02-19')).toMatchObject({
          current: '2026-02-19',
          moved: true,
        })
        expect(await store.setCurrent('2026-02-18')).toEqual({
          current: '2026-02-19',
          moved: false,
          reason: 'not-newer',
        })
        expect(await store.setCurrent('2026-02-18', { force: true })).toMatchObject({ moved: true })
        expect((await store.getCurrent())?.asOf).toBe('2026-02-18')
      })

      it('refuses to point at a snapshot that does not exist', async () => {
        const store = await open()
        await expect(store.setCurrent('2026-02-20')).rejects.toMatchObject({
          code: 'STORAGE_NOT_FOUND',
        })
      })
    })

    describe('one as-of, two data months (docs/architecture.md#one-as-of-two-data-months)', () => {
      // The 2026-07-26 rollover: June's figures in the morning, July's later that day.
      const asOf = '2026-07-26'
      const june = { dataMonth: '2026-06', programYear: '2025-2026', closingPeriod: true }
      const july = { dataMonth: '2026-07', programYear: '2026-2027', closingPeriod: false }
      const juneFile = (id: string, extra = {}) => districtFile(id, asOf, { ...june, ...extra })
      const julyFile = (id: string, extra = {}) => districtFile(id, asOf, { ...july, ...extra })
      const summaryOf = (m: typeof june) =>
        allDistrictsFile(asOf, {
          dataMonth: m.dataMonth,
          programYear: m.programYear,
          source: source({
            sha256: m.dataMonth === '2026-06' ? 'a'.repeat(64) : 'b'.repeat(64),
            footer: { month: 'x', dataMonth: m.dataMonth, asOf },
          }),
        })

      it('stores both months beside each other; neither overwrites the other', async () => {
        const store = await open()
        const j6 = juneFile('61', { statistics: { month: 'june' } })
        const j7 = julyFile('61', { statistics: { month: 'july' } })
        await store.writeDistrict(j6)
        await store.writeAllDistricts(summaryOf(june))
        await store.writeDistricts(asOf, [j7, julyFile('F')], { ...metaFor(asOf), ...july })
        await store.writeAllDistricts(summaryOf(july))
        expect(await store.dataMonthsAt(asOf)).toEqual(['2026-06', '2026-07'])
        expect(await store.readDistrict(asOf, '61', '2026-06')).toEqual(j6)
        expect(await store.readDistrict(asOf, '61', '2026-07')).toEqual(j7)
        expect(await store.listDistricts(asOf, '2026-06')).toEqual(['61'])
        expect(await store.listDistricts(asOf, '2026-07')).toEqual(['61', 'F'])
        expect((await store.readAllDistricts(asOf, '2026-06'))?.dataMonth).toBe('2026-06')
        expect((await store.readAllDistricts(asOf, '2026-07'))?.dataMonth).toBe('2026-07')
        expect((await store.readMetadata(asOf, '2026-06'))?.restatements).toEqual([])
        expect((await store.readMetadata(asOf, '2026-07'))?.restatements).toEqual([])
      })

      it('reads the later month by default, whichever was stored first', async () => {
        for (const order of [
          [june, july],
          [july, june],
        ]) {
          const store = await open()
          for (const m of order)
            await store.writeDistrict(districtFile('61', asOf, { ...m, statistics: m.dataMonth }))
          expect((await store.readDistrict(asOf, '61'))?.dataMonth).toBe('2026-07')
          expect((await store.readMetadata(asOf))?.dataMonth).toBe('2026-07')
          expect((await store.readManifest(asOf))?.districts['61']).toBeDefined()
          const listed = await store.listSnapshots()
          expect(listed.map((s) => [s.asOf, s.dataMonth, s.isDefault])).toEqual([
            [asOf, '2026-06', false],
            [asOf, '2026-07', true],
          ])
          const series = []
          for await (const f of store.streamDistrictSeries('61', '2026-07-25', '2026-07-27'))
            series.push(f.dataMonth)
          expect(series).toEqual(['2026-07'])
          const cov = await store.coverage({ from: asOf, to: asOf })
          expect(cov.dates[0]).toMatchObject({
            asOf,
            snapshot: 'complete',
            dataMonths: ['2026-06', '2026-07'],
            districts: { '61': { detail: 'summary', status: 'ok' } },
          })
          await subject?.cleanup()
          subject = null
        }
      })

      it('answers null for a month the as-of does not hold, and refuses a malformed month', async () => {
        const store = await open()
        await store.writeDistrict(juneFile('61'))
        expect(await store.readDistrict(asOf, '61', '2026-07')).toBeNull()
        expect(await store.readMetadata(asOf, '2026-07')).toBeNull()
        expect(await store.readManifest(asOf, '2026-05')).toBeNull()
        expect((await store.readDistrict(asOf, '61'))?.dataMonth).toBe('2026-06')
        expect(await store.hasValidDistrict(asOf, '61', 'summary', '2026-07')).toBe(false)
        expect(await store.hasValidDistrict(asOf, '61', 'summary', '2026-06')).toBe(true)
        expect(await store.validDistricts(asOf, ['61'], 'summary', '2026-07')).toEqual(new Set())
        expect(await store.validDistricts(asOf, ['61'], 'summary', '2026-06')).toEqual(
          new Set(['61']),
        )
        await expect(store.readDistrict(asOf, '61', '2026-13')).rejects.toMatchObject({
          code: 'STORAGE_VALIDATION',
          field: 'dataMonth',
        })
      })

      it('a re-fetch of the same (as-of, month) is a restatement of that month only', async () => {
        const store = await open()
        await store.writeDistrict(juneFile('61'))
        await store.writeDistrict(julyFile('61'))
        const restated = julyFile('61', {
          provenance: {
            ...julyFile('61').provenance,
            sources: sourcesFor('summary', '61', { sha256: 'c'.repeat(64) }),
          },
        })
        await store.writeDistrict(restated)
        expect((await store.readMetadata(asOf, '2026-07'))?.restatements).toHaveLength(1)
        expect((await store.readMetadata(asOf, '2026-06'))?.restatements).toEqual([])
      })

      it('keeps failures per month, and clears them in the month named', async () => {
        const store = await open()
        await store.writeDistrict(juneFile('61'))
        const fail = [{ districtId: 'F', code: 'X', message: 'x' }]
        await store.recordFailures(asOf, fail, { ...metaFor(asOf), ...july })
        expect((await store.readMetadata(asOf, '2026-06'))?.status).toBe('complete')
        expect((await store.readMetadata(asOf, '2026-07'))?.failedDistricts).toHaveLength(1)
        await store.clearFailures(asOf, ['F'], '2026-06')
        expect((await store.readMetadata(asOf, '2026-07'))?.failedDistricts).toHaveLength(1)
        await store.clearFailures(asOf, ['F'], '2026-07')
        expect((await store.readMetadata(asOf, '2026-07'))?.failedDistricts).toEqual([])
      })

      it('moves current to the later month of the same as-of, never back to the earlier', async () => {
        const store = await open()
        await store.writeDistrict(juneFile('61'))
        expect(await store.setCurrent(asOf)).toMatchObject({ moved: true })
        expect(await store.getCurrent()).toMatchObject({ asOf, dataMonth: '2026-06' })
        expect(await store.setCurrent(asOf)).toMatchObject({ moved: false, reason: 'not-newer' })
        await store.writeDistrict(julyFile('61'))
        expect(await store.setCurrent(asOf, { dataMonth: '2026-07' })).toMatchObject({
          moved: true,
        })
        expect(await store.getCurrent()).toMatchObject({ asOf, dataMonth: '2026-07' })
        expect(await store.setCurrent(asOf, { dataMonth: '2026-06' })).toMatchObject({
          moved: false,
          reason: 'not-newer',
        })
        await expect(store.setCurrent(asOf, { dataMonth: '2026-05' })).rejects.toMatchObject({
          code: 'STORAGE_NOT_FOUND',
        })
      })
    })

    describe('reads', () => {
      it('lists snapshots sorted, filtered by range, with summary counts', async () => {
        const store = await open()
        for (const d of ['2026-02-22', '2026-02-20', '2026-02-21'])
          await store.writeDistrict(districtFile('61', d, { detail: 'full' }))
        await store.writeDistrict(districtFile('F', '2026-02-21'))
        await store.writeAllDistricts(allDistrictsFile('2026-02-21'))
        const all = await store.listSnapshots()
        expect(all.map((s) => s.asOf)).toEqual(['2026-02-20', '2026-02-21', '2026-02-22'])
        const ranged = await store.listSnapshots({ from: '2026-02-21', to: '2026-02-21' })
        expect(ranged).toMatchObject([
          {
            asOf: '2026-02-21',
            districtCount: 2,
            fullDetailCount: 1,
            hasAllDistricts: true,
            status: 'complete',
          },
        ])
      })

      it('streams one district oldest first within the range, skipping dates without it', async () => {
        const store = await open()
        for (const d of ['2026-02-18', '2026-02-19', '2026-02-21', '2026-02-25'])
          await store.writeDistrict(districtFile('61', d))
        await store.writeDistrict(districtFile('F', '2026-02-20'))
        const seen: string[] = []
        for await (const file of store.streamDistrictSeries('61', '2026-02-19', '2026-02-24'))
          seen.push(`${file.districtId}@${file.asOf}`)
        expect(seen).toEqual(['61@2026-02-19', '61@2026-02-21'])
      })

      it('reports coverage per date and district from manifests and metadata', async () => {
        const store = await open()
        await store.writeDistrict(districtFile('61', '2026-02-20', { detail: 'full' }))
        await store.writeDistrict(districtFile('F', '2026-02-20'))
        await store.recordFailures(
          '2026-02-21',
          [{ districtId: 'F', code: 'X', message: 'x' }],
          metaFor('2026-02-21'),
        )
        const report = await store.coverage({ from: '2026-02-20', to: '2026-02-22' })
        expect(report.districtIds).toEqual(['61', 'F'])
        expect(report.dates).toEqual([
          {
            asOf: '2026-02-20',
            snapshot: 'complete',
            dataMonths: ['2026-02'],
            districts: {
              '61': { detail: 'full', status: 'ok' },
              F: { detail: 'summary', status: 'ok' },
            },
          },
          {
            asOf: '2026-02-21',
            snapshot: 'partial',
            dataMonths: ['2026-02'],
            districts: {
              '61': { detail: null, status: 'missing' },
              F: { detail: null, status: 'failed' },
            },
          },
          {
            asOf: '2026-02-22',
            snapshot: null,
            dataMonths: [],
            districts: {
              '61': { detail: null, status: 'missing' },
              F: { detail: null, status: 'missing' },
            },
          },
        ])
        const only = await store.coverage({
          from: '2026-02-20',
          to: '2026-02-20',
          districtIds: ['f', '7'],
        })
        expect(only.dates[0]?.districts).toEqual({
          '7': { detail: null, status: 'missing' },
          F: { detail: 'summary', status: 'ok' },
        })
      })

      it('says a full file satisfies summary and full, and a summary file only summary', async () => {
        const store = await open()
        await store.writeDistrict(districtFile('61', '2026-02-20', { detail: 'full' }))
        await store.writeDistrict(districtFile('F', '2026-02-20', { detail: 'summary' }))
        expect(await store.hasValidDistrict('2026-02-20', '61', 'summary')).toBe(true)
        expect(await store.hasValidDistrict('2026-02-20', '61', 'full')).toBe(true)
        expect(await store.hasValidDistrict('2026-02-20', 'F', 'summary')).toBe(true)
        expect(await store.hasValidDistrict('2026-02-20', 'F', 'full')).toBe(false)
        expect(await store.hasValidDistrict('2026-02-20', '9', 'summary')).toBe(false)
        expect(await store.hasValidDistrict('2026-02-21', '61', 'summary')).toBe(false)
      })

      it('answers every district of a date as hasValidDistrict answers each', async () => {
        const store = await open()
        await store.writeDistrict(districtFile('61', '2026-02-20', { detail: 'full' }))
        await store.writeDistrict(districtFile('F', '2026-02-20', { detail: 'summary' }))
        await store.writeDistrict(districtFile('02', '2026-02-20', { detail: 'summary' }))
        const ids = ['61', 'F', '02', '9']
        for (const detail of ['summary', 'full'] as const) {
          const valid = await store.validDistricts('2026-02-20', ids, detail)
          for (const id of ids)
            expect(valid.has(id), `${id} ${detail}`).toBe(
              await store.hasValidDistrict('2026-02-20', id, detail),
            )
        }
        expect(await store.validDistricts('2026-02-20', ids, 'full')).toEqual(new Set(['61']))
        expect(await store.validDistricts('2026-02-20', [' f ', '61'], 'summary')).toEqual(
          new Set(['F', '61']),
        )
        expect(await store.validDistricts('2026-02-20', [], 'summary')).toEqual(new Set())
        expect(await store.validDistricts('2026-02-21', ids, 'summary')).toEqual(new Set())
      })

      it('does not count a district file altered where it is stored, and still the others', async () => {
        const store = await open()
        await store.writeDistricts(
          '2026-02-20',
          ['61', 'F'].map((id) => districtFile(id, '2026-02-20', { detail: 'full' })),
          metaFor('2026-02-20'),
        )
        await subject!.tamperDistrict('2026-02-20', '61', sameSizeEdit)
        expect(await store.validDistricts('2026-02-20', ['61', 'F'], 'summary')).toEqual(
          new Set(['F']),
        )
        expect(await store.hasValidDistrict('2026-02-20', '61', 'summary')).toBe(false)
        await expect(store.readDistrict('2026-02-20', '61')).rejects.toMatchObject({
          code: 'STORAGE_CORRUPT',
        })
      })

      it('finds the as-of a requested date was answered with', async () => {
        const store = await open()
        await store.writeDistricts(
          '2026-02-20',
          [districtFile('61', '2026-02-20')],
          metaFor('2026-02-20', { requestedDate: '2026-02-23' }),
        )
        await store.writeDistricts(
          '2026-02-24',
          [districtFile('61', '2026-02-24')],
          metaFor('2026-02-24'),
        )
        expect(await store.findByRequestedDate('2026-02-23')).toBe('2026-02-20')
        expect(await store.findByRequestedDate('2026-02-24')).toBe('2026-02-24')
        expect(await store.findByRequestedDate('2026-02-20')).toBeNull()
      })

      it('returns null or empty for dates and districts that were never written', async () => {
        const store = await open()
        expect(await store.readMetadata('2026-02-20')).toBeNull()
        expect(await store.readManifest('2026-02-20')).toBeNull()
        expect(await store.readDistrict('2026-02-20', '61')).toBeNull()
        expect(await store.listDistricts('2026-02-20')).toEqual([])
        expect(await store.listSnapshots()).toEqual([])
      })

      it('normalises district ids on read', async () => {
        const store = await open()
        await store.writeDistrict(districtFile('F', '2026-02-20'))
        expect((await store.readDistrict('2026-02-20', ' f '))?.districtId).toBe('F')
      })
    })

    describe('validation', () => {
      it('rejects malformed dates and ids with a validation error naming the value', async () => {
        const store = await open()
        await expect(store.readDistrict('2026-02-30', '61')).rejects.toMatchObject({
          code: 'STORAGE_VALIDATION',
          value: '2026-02-30',
        })
        await expect(store.readDistrict('2026-02-20', '61-A')).rejects.toThrow(/"61-A"/)
        await expect(
          store.coverage({ from: '2026-02-21', to: '2026-02-20' }),
        ).rejects.toMatchObject({ code: 'STORAGE_VALIDATION', field: 'to' })
        expect(() => store.streamDistrictSeries('../x', '2026-02-20', '2026-02-21')).toThrow(
          /districtId/,
        )
        await expect(
          store.hasValidDistrict('2026-02-20', '61', 'detailed' as 'full'),
        ).rejects.toMatchObject({ code: 'STORAGE_VALIDATION' })
        await expect(
          store.validDistricts('2026-02-20', ['61'], 'detailed' as 'full'),
        ).rejects.toMatchObject({ code: 'STORAGE_VALIDATION' })
        await expect(
          store.validDistricts('2026-02-20', ['61', '../x'], 'summary'),
        ).rejects.toMatchObject({ code: 'STORAGE_VALIDATION', value: '../x' })
      })
    })
  })
}
