import { describe, expect, it } from 'vitest'
import { StorageCorruptError, StorageUnsupportedSchemaError } from './errors.ts'
import {
  serializeAllDistrictsFile,
  serializeDistrictFile,
  upgradeAllDistricts,
  upgradeDistrictFile,
  upgradeManifest,
} from './schema.ts'
import { allDistrictsFile, districtFile } from './test-helpers.ts'

describe('upgradeDistrictFile', () => {
  it('accepts a version 1 file and keeps unknown fields and opaque statistics', () => {
    const file = {
      ...districtFile('61', '2026-02-20', { statistics: [1, { a: 'b' }] }),
      extra: 'kept',
    }
    expect(upgradeDistrictFile(JSON.parse(JSON.stringify(file)))).toEqual(file)
  })

  it('rejects a future schema version with an error that says to upgrade', () => {
    const file = { ...districtFile('61', '2026-02-20'), schemaVersion: 3 }
    expect(() => upgradeDistrictFile(file)).toThrow(StorageUnsupportedSchemaError)
    expect(() => upgradeDistrictFile(file)).toThrow(/schemaVersion 3.*reads 1, 2\..*Upgrade/)
  })

  it('reads a version-2 file (table encoding) back as the version-1 record it was written from', () => {
    const statistics = {
      clubs: Array.from({ length: 3 }, (_, i) => ({ clubNumber: String(i), awards: { l1: i } })),
    }
    const file = { ...districtFile('61', '2026-02-20', { statistics }), extra: 'kept' }
    const text = serializeDistrictFile(file)
    expect(text.startsWith('{"schemaVersion":2,"districtId":"61",')).toBe(true)
    expect(text).not.toContain('"clubNumber":"1"')
    expect(upgradeDistrictFile(JSON.parse(text))).toEqual(file)
    const damaged = JSON.parse(text)
    damaged.statistics.clubs.r[2] = [1]
    expect(() => upgradeDistrictFile(damaged)).toThrow(StorageCorruptError)
    const { statistics: _s, ...noStats } = JSON.parse(text)
    expect(() => upgradeDistrictFile(noStats)).toThrow(/statistics/)
    // The record a writer hands in is version 1; 2 names the encoding on disk only.
    expect(() => serializeDistrictFile({ ...file, schemaVersion: 2 })).not.toThrow()
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

describe('upgradeAllDistricts', () => {
  it('reads a version-2 file (rows as one table) and a version-1 file as the same record', () => {
    const file = allDistrictsFile('2026-02-20')
    const text = serializeAllDistrictsFile(file)
    expect(text.startsWith('{"schemaVersion":2,')).toBe(true)
    expect(text.split('"Paid Clubs"').length - 1).toBe(2) // the header, and the rows' keys once
    expect(upgradeAllDistricts(JSON.parse(text))).toEqual(file)
    expect(upgradeAllDistricts(JSON.parse(JSON.stringify(file)))).toEqual(file)
    const { rows: _r, ...noRows } = JSON.parse(text)
    expect(() => upgradeAllDistricts(noRows)).toThrow(/rows/)
    expect(() => upgradeAllDistricts({ ...JSON.parse(text), schemaVersion: 3 })).toThrow(
      StorageUnsupportedSchemaError,
    )
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
