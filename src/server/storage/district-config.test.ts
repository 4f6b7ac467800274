import fsp from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runDistrictConfigContract } from './district-config.contract.ts'
import { createDistrictConfigStore } from './district-config.ts'
import { makeTempRoot } from './test-helpers.ts'

/** What only the file store has; the rules every store shares are in the contract below. */
describe('district config store (file)', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ dataDir, cleanup } = await makeTempRoot())
  })
  afterEach(() => cleanup())

  it('persists a normalised, de-duplicated, sorted list in config/districts.json', async () => {
    await createDistrictConfigStore({ dataDir }).replace(['f', '61', ' 02 ', '101', '9', '61'])
    expect(await createDistrictConfigStore({ dataDir }).get()).toEqual([
      '02',
      '9',
      '61',
      '101',
      'F',
    ])
    const file = JSON.parse(await fsp.readFile(path.join(dataDir, 'config/districts.json'), 'utf8'))
    expect(file.districts).toEqual(['02', '9', '61', '101', 'F'])
  })

  it('reports a corrupt config file instead of treating it as empty', async () => {
    await fsp.mkdir(path.join(dataDir, 'config'))
    await fsp.writeFile(path.join(dataDir, 'config/districts.json'), '{"districts": 5}')
    await expect(createDistrictConfigStore({ dataDir }).get()).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
    })
  })
})

runDistrictConfigContract('file', async () => {
  const { dataDir, cleanup } = await makeTempRoot()
  return {
    config: createDistrictConfigStore({ dataDir }),
    reopen: () => createDistrictConfigStore({ dataDir }),
    concurrentStores: false,
    cleanup,
  }
})
