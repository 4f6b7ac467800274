/**
 * One behaviour suite for every RawCsvCache implementation (file, memory, PostgreSQL). Each
 * implementation's test file calls `runRawCsvCacheContract` with a factory.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { RawCsvCache, RawCsvMetaInput } from './ports.ts'

export interface RawCsvCacheSubject {
  cache: RawCsvCache
  /** A second cache over the same storage (a restart, or another process). */
  reopen: () => RawCsvCache
  cleanup: () => Promise<void>
}

export const RAW_META: RawCsvMetaInput = {
  url: 'https://dashboards.toastmasters.org/export.aspx?type=CSV&report=clubperformance~61~2/28/2026~2/20/2026~2025-2026',
  fetchedAt: '2026-02-21T09:00:00.000Z',
  status: 200,
  footer: { month: 'Feb', dataMonth: '2026-02', asOf: '2026-02-20' },
  requestedAsOf: '2026-02-20',
}
// BOM, CRLF, quoted cells, non-ASCII, no final newline: all must survive byte for byte.
export const RAW_BODY =
  '\uFEFF"District","Club Name"\r\n"61","Les Orateurs Montréal"\r\n"61","Toast ✓"\r\nMonth of Feb, As of 02/20/2026'

export function runRawCsvCacheContract(
  name: string,
  create: () => Promise<RawCsvCacheSubject>,
): void {
  describe(`RawCsvCache contract: ${name}`, () => {
    let subject: RawCsvCacheSubject | null = null
    const open = async () => (subject = await create())
    afterEach(async () => {
      await subject?.cleanup()
      subject = null
    })
    const put = (
      cache: RawCsvCache,
      asOf: string,
      report: string,
      id: string | null,
      body: string,
    ) =>
      cache.put({ asOf, report: report as 'districtsummary', districtId: id, body, meta: RAW_META })

    it('returns the body byte-exact with its provenance, also after a reopen', async () => {
      const { cache, reopen } = await open()
      const meta = await put(cache, '2026-02-20', 'clubperformance', '61', RAW_BODY)
      expect(meta).toMatchObject({
        ...RAW_META,
        schemaVersion: 1,
        asOf: '2026-02-20',
        report: 'clubperformance',
        districtId: '61',
        sizeBytes: Buffer.byteLength(RAW_BODY),
      })
      expect(meta.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(await cache.get('2026-02-20', 'clubperformance', '61')).toEqual({
        body: RAW_BODY,
        meta,
      })
      expect(await reopen().get('2026-02-20', 'clubperformance', '61')).toEqual({
        body: RAW_BODY,
        meta,
      })
    })

    it('keys by as-of, report and district, with no district for the summary', async () => {
      const { cache } = await open()
      await put(cache, '2026-02-20', 'districtsummary', null, 'a')
      await put(cache, '2026-02-20', 'clubperformance', 'f', 'b')
      await put(cache, '2026-02-20', 'clubperformance', '10', 'b10')
      await put(cache, '2026-02-21', 'clubperformance', 'F', 'c')
      expect((await cache.get('2026-02-20', 'districtsummary', null))?.body).toBe('a')
      expect((await cache.get('2026-02-20', 'clubperformance', 'F'))?.body).toBe('b')
      expect(await cache.get('2026-02-20', 'divisionperformance', 'F')).toBeNull()
      expect(await cache.has('2026-02-21', 'clubperformance', 'F')).toBe(true)
      expect(await cache.has('2026-02-22', 'clubperformance', 'F')).toBe(false)
      expect((await cache.list('2026-02-20')).map((m) => `${m.report}:${m.districtId}`)).toEqual([
        'clubperformance:10',
        'clubperformance:F',
        'districtsummary:null',
      ])
      expect((await cache.list()).map((m) => m.asOf)).toEqual([
        '2026-02-20',
        '2026-02-20',
        '2026-02-20',
        '2026-02-21',
      ])
    })

    it('replaces a body put again under the same key, counting the entry once', async () => {
      const { cache, reopen } = await open()
      await put(cache, '2026-02-20', 'districtsummary', null, 'abc')
      await put(cache, '2026-02-20', 'clubperformance', '61', 'é')
      await put(cache, '2026-02-20', 'districtsummary', null, 'abcdef')
      await put(cache, '2026-02-21', 'districtsummary', null, 'x')
      expect((await cache.get('2026-02-20', 'districtsummary', null))?.body).toBe('abcdef')
      await cache.get('2026-02-20', 'clubperformance', '61')
      await cache.get('2026-02-22', 'districtsummary', null)
      expect(await cache.stats()).toEqual({
        hits: 2,
        misses: 1,
        corrupt: 0,
        hitRate: 2 / 3,
        entryCount: 3,
        sizeBytes: 9,
      })
      expect(await reopen().stats()).toMatchObject({ hits: 0, entryCount: 3, sizeBytes: 9 })
    })

    it('keeps both data months of one as-of, each read back by its month', async () => {
      const { cache, reopen } = await open()
      // An intraday rollover (docs/architecture.md#one-as-of-two-data-months): the morning
      // answers the closing month, the evening the new one, under the same as-of.
      const asOf = '2026-03-01'
      const monthMeta = (dataMonth: string, fetchedAt: string): RawCsvMetaInput => ({
        ...RAW_META,
        fetchedAt,
        footer: { month: dataMonth.slice(5), dataMonth, asOf },
        requestedAsOf: asOf,
      })
      const putMonth = (dataMonth: string, body: string, fetchedAt: string) =>
        cache.put({
          asOf,
          report: 'clubperformance',
          districtId: '61',
          body,
          meta: monthMeta(dataMonth, fetchedAt),
        })
      const feb = await putMonth('2026-02', 'closing Feb', '2026-03-01T08:00:00.000Z')
      const mar = await putMonth('2026-03', 'March ✓', '2026-03-01T20:00:00.000Z')
      expect(feb.sha256).not.toBe(mar.sha256)
      for (const c of [cache, reopen()]) {
        expect(await c.get(asOf, 'clubperformance', '61', '2026-02')).toEqual({
          body: 'closing Feb',
          meta: feb,
        })
        expect(await c.get(asOf, 'clubperformance', '61', '2026-03')).toEqual({
          body: 'March ✓',
          meta: mar,
        })
        // Without a month: the later one, as a snapshot read of the as-of answers.
        expect((await c.get(asOf, 'clubperformance', '61'))?.body).toBe('March ✓')
        expect(await c.has(asOf, 'clubperformance', '61', '2026-02')).toBe(true)
        expect(await c.has(asOf, 'clubperformance', '61', '2026-03')).toBe(true)
        expect(await c.has(asOf, 'divisionperformance', '61', '2026-03')).toBe(false)
        expect(await c.get(asOf, 'clubperformance', '61', null)).toBeNull()
        expect((await c.list(asOf)).map((m) => m.footer?.dataMonth)).toEqual(['2026-02', '2026-03'])
        expect(await c.stats()).toMatchObject({
          entryCount: 2,
          sizeBytes: feb.sizeBytes + mar.sizeBytes,
        })
      }
      // A month put again replaces only that month's body.
      await putMonth('2026-02', 'closing Feb, restated', '2026-03-01T21:00:00.000Z')
      expect((await cache.get(asOf, 'clubperformance', '61', '2026-02'))?.body).toBe(
        'closing Feb, restated',
      )
      expect((await cache.get(asOf, 'clubperformance', '61', '2026-03'))?.body).toBe('March ✓')
      expect(await reopen().stats()).toMatchObject({ entryCount: 2 })
      await expect(cache.get(asOf, 'clubperformance', '61', '2026-13')).rejects.toMatchObject({
        code: 'STORAGE_VALIDATION',
        field: 'dataMonth',
      })
    })

    it('rejects bad keys and bodies with a validation error naming the field', async () => {
      const { cache } = await open()
      await expect(put(cache, '2026-02-30', 'districtsummary', null, 'x')).rejects.toMatchObject({
        code: 'STORAGE_VALIDATION',
        value: '2026-02-30',
      })
      await expect(put(cache, '2026-02-20', 'nope', null, 'x')).rejects.toMatchObject({
        code: 'STORAGE_VALIDATION',
      })
      await expect(cache.get('2026-02-20', 'clubperformance', '../61')).rejects.toMatchObject({
        code: 'STORAGE_VALIDATION',
      })
      await expect(
        cache.put({
          asOf: '2026-02-20',
          report: 'districtsummary',
          districtId: null,
          body: Buffer.from('x') as unknown as string,
          meta: RAW_META,
        }),
      ).rejects.toMatchObject({ code: 'STORAGE_VALIDATION', field: 'body' })
      expect(await cache.list()).toEqual([])
    })
  })
}
