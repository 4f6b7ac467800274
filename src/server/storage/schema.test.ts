import { describe, expect, it } from 'vitest'
import { StorageCorruptError, StorageUnsupportedSchemaError } from './errors.ts'
import { upgradeDistrictFile, upgradeManifest } from './schema.ts'
import { districtFile } from './test-helpers.ts'

describe('upgradeDistrictFile', () => {
  it('accepts a version 1 file and keeps unknown fields and opaque statistics', () => {
    const file = {
      ...districtFile('61', '2026-02-20', { statistics: [1, { a: 'b' }] }),
      extra: 'kept',
    }
    expect(upgradeDistrictFile(JSON.parse(JSON.stringify(file)))).toEqual(file)
  })

  it('rejects a future schema version with an error that says to upgrade', () => {
    const file = { ...districtFile('61', '2026-02-20'), schemaVersion: 2 }
    expect(() => upgradeDistrictFile(file)).toThrow(StorageUnsupportedSchemaError)
    expect(() => upgradeDistrictFile(file)).toThrow(/schemaVersion 2.*reads 1.*Upgrade/)
  })

  it('rejects a missing version and a wrong shape as corrupt, naming the field', () => {
    const { schemaVersion: _v, ...noVersion } = districtFile('61', '2026-02-20')
    expect(() => upgradeDistrictFile(noVersion)).toThrow(StorageUnsupportedSchemaError)
    expect(() =>
      upgradeDistrictFile({ ...districtFile('61', '2026-02-20'), detail: 'half' }),
    ).toThrow(/detail/)
    expect(() =>
      upgradeDistrictFile({ ...districtFile('61', '2026-02-20'), asOf: '2026-02-30' }),
    ).toThrow(StorageCorruptError)
    const { statistics: _s, ...noStats } = districtFile('61', '2026-02-20')
    expect(() => upgradeDistrictFile(noStats)).toThrow(/statistics/)
    expect(() => upgradeDistrictFile([])).toThrow(StorageCorruptError)
  })
})

describe('upgradeManifest', () => {
  it('rejects an entry filed under another district id', () => {
    const entry = {
      districtId: 'F',
      file: 'district_F.json',
      detail: 'summary',
      sizeBytes: 1,
      sha256: 'a'.repeat(64),
      jobId: null,
      writtenAt: 'x',
    }
    const manifest = {
      schemaVersion: 1,
      asOf: '2026-02-20',
      districts: { '61': entry },
      allDistricts: null,
    }
    expect(() => upgradeManifest(manifest)).toThrow(/entry 61 names district F/)
  })
})
