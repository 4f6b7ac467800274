import { describe, expect, it } from 'vitest'
import { hrefFor, parseRoute } from './route.ts'

describe('parseRoute', () => {
  it('opens the district page for a valid ?district= and the backfill page otherwise', () => {
    expect(parseRoute('?district=61')).toEqual({ page: 'district', districtId: '61' })
    expect(parseRoute('?district=f')).toEqual({ page: 'district', districtId: 'F' })
    expect(parseRoute('?district=../x')).toEqual({ page: 'backfill' })
    expect(parseRoute('')).toEqual({ page: 'backfill' })
  })

  it('round-trips through hrefFor', () => {
    const route = { page: 'district', districtId: '02' } as const
    expect(parseRoute(hrefFor(route))).toEqual(route)
  })
})
