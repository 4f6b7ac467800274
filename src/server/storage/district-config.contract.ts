/**
 * One behaviour suite for every DistrictConfigStore implementation (file, PostgreSQL). Each
 * implementation's test file calls `runDistrictConfigContract` with a factory.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { DistrictConfigStore } from './ports.ts'

export interface DistrictConfigSubject {
  config: DistrictConfigStore
  /** A second store over the same storage (a restart, or another process). */
  reopen: () => DistrictConfigStore
  /**
   * Whether two stores may change the same storage at once. The file store relies on one
   * writer per DATA_DIR; the PostgreSQL store serialises writers in the database.
   */
  concurrentStores: boolean
  cleanup: () => Promise<void>
}

export function runDistrictConfigContract(
  name: string,
  create: () => Promise<DistrictConfigSubject>,
): void {
  describe(`DistrictConfigStore contract: ${name}`, () => {
    let subject: DistrictConfigSubject | null = null
    const open = async () => (subject = await create())
    afterEach(async () => {
      await subject?.cleanup()
      subject = null
    })

    it('starts with none configured', async () => {
      expect(await (await open()).config.get()).toEqual([])
    })

    it('keeps a normalised, de-duplicated, sorted list across a reopen', async () => {
      const { config, reopen } = await open()
      await config.replace(['f', '61', ' 02 ', '101', '9', '61'])
      expect(await reopen().get()).toEqual(['02', '9', '61', '101', 'F'])
    })

    it('adds and removes ids', async () => {
      const { config } = await open()
      await config.replace(['61'])
      expect(await config.add(['u', '61', '21'])).toEqual(['21', '61', 'U'])
      expect(await config.remove(['61', '99'])).toEqual(['21', 'U'])
      expect(await config.replace([])).toEqual([])
    })

    it('keeps concurrent additions', async () => {
      const { config, reopen, concurrentStores } = await open()
      // With concurrent stores, half the additions come from a second store.
      const other = concurrentStores ? reopen() : config
      await Promise.all(
        ['1', '2', '3', '4', '5', '6'].map((id, i) => (i % 2 ? other : config).add([id])),
      )
      expect(await config.get()).toEqual(['1', '2', '3', '4', '5', '6'])
    })

    it('rejects an invalid id with a validation error naming it, and changes nothing', async () => {
      const { config } = await open()
      await config.replace(['61'])
      const error = await config.add(['21', 'D-61']).catch((e: unknown) => e)
      expect(error).toMatchObject({
        code: 'STORAGE_VALIDATION',
        field: 'districtIds[1]',
        value: 'D-61',
      })
      expect((error as Error).message).toContain('"D-61"')
      expect(await config.get()).toEqual(['61'])
    })
  })
}
