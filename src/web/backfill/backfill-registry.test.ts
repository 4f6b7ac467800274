import { describe, expect, it } from 'vitest'
import { makeJob, memoryStorage } from '../test-support.ts'
import {
  concernsDistrict,
  loadRegistry,
  registryReducer,
  saveRegistry,
  toBackfillInfo,
  type BackfillInfo,
} from './backfill-registry.ts'

const a: BackfillInfo = { backfillId: 'a', type: 'global', status: 'processing' }
const b: BackfillInfo = { backfillId: 'b', type: 'district', districtId: '61' }

describe('registryReducer', () => {
  it('keeps several backfills, newest first, and does not duplicate a known id', () => {
    let s = registryReducer([], { type: 'add', info: a })
    s = registryReducer(s, { type: 'add', info: b })
    expect(s.map((x) => x.backfillId)).toEqual(['b', 'a'])
    s = registryReducer(s, { type: 'add', info: { ...a, status: 'complete' } })
    expect(s).toHaveLength(2)
    expect(s[1]?.status).toBe('complete')
  })

  it('updates one entry and returns the same state when nothing changes', () => {
    const s = [a, b]
    const next = registryReducer(s, {
      type: 'update',
      backfillId: 'a',
      updates: { status: 'cancelled' },
    })
    expect(next[0]?.status).toBe('cancelled')
    expect(next[1]).toBe(b)
    expect(
      registryReducer(next, { type: 'update', backfillId: 'a', updates: { status: 'cancelled' } }),
    ).toBe(next)
    expect(
      registryReducer(next, { type: 'update', backfillId: 'zz', updates: { status: 'error' } }),
    ).toBe(next)
  })

  it('removes by id', () => {
    expect(registryReducer([a, b], { type: 'remove', backfillId: 'a' })).toEqual([b])
  })
})

describe('toBackfillInfo', () => {
  it('keeps the route a district job was started on', () => {
    const info = toBackfillInfo(
      makeJob({ backfillId: 'x', type: 'district', districtId: '61', status: 'queued' }),
    )
    expect(info).toMatchObject({
      backfillId: 'x',
      type: 'district',
      districtId: '61',
      status: 'queued',
    })
    expect(concernsDistrict(info, '61')).toBe(true)
    expect(concernsDistrict(toBackfillInfo(makeJob()), '02')).toBe(true)
    expect(concernsDistrict(toBackfillInfo(makeJob()), '99')).toBe(false)
  })
})

describe('persistence', () => {
  it('round-trips through storage and ignores entries that are not backfills', () => {
    const storage = memoryStorage()
    saveRegistry([a, b], storage)
    expect(loadRegistry(storage)).toEqual([a, b])
    storage.setItem('tm-backfill.active-backfills', JSON.stringify([a, { nope: 1 }, 'x']))
    expect(loadRegistry(storage)).toEqual([a])
    storage.setItem('tm-backfill.active-backfills', '{not json')
    expect(loadRegistry(storage)).toEqual([])
  })
})
