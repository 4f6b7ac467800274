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
