import fsp from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runDistrictConfigContract } from './district-config.contract.ts'
import { createDistrictConfigStore } from './district-config.ts'
import { StorageValidationError } from './errors.ts'
import { makeTempRoot } from './test-helpers.ts'

describe('district config store', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ dataDir, cleanup } = await makeTempRoot())
  })
  afterEach(() => cleanup())

  it('starts with none configured', async () => {
    expect(await createDistrictConfigStore({ dataDir }).get()).toEqual([])
  })

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

  it('adds and removes ids', async () => {
    const config = createDistrictConfigStore({ dataDir })
    await config.replace(['61'])
    expect(await config.add(['u', '61', '21'])).toEqual(['21', '61', 'U'])
    expect(await config.remove(['61', '99'])).toEqual(['21', 'U'])
    expect(await config.replace([])).toEqual([])
  })

  it('keeps concurrent additions', async () => {
    const config = createDistrictConfigStore({ dataDir })
    await Promise.all(['1', '2', '3', '4', '5'].map((id) => config.add([id])))
    expect(await config.get()).toEqual(['1', '2', '3', '4', '5'])
  })

  it('rejects an invalid id with a validation error naming it, and changes nothing', async () => {
    const config = createDistrictConfigStore({ dataDir })
    await config.replace(['61'])
    const error = await config.add(['21', 'D-61']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StorageValidationError)
    expect(error).toMatchObject({
      code: 'STORAGE_VALIDATION',
      field: 'districtIds[1]',
      value: 'D-61',
    })
    expect((error as Error).message).toContain('"D-61"')
    expect(await config.get()).toEqual(['61'])
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
