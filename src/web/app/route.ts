/** The page's two views, addressed by the query string so links and reloads work. */
import { normalizeDistrictId } from '../../shared/district-id.ts'

export type Route = { page: 'backfill' } | { page: 'district'; districtId: string }

export function parseRoute(search: string): Route {
  const raw = new URLSearchParams(search).get('district')
  const districtId = raw === null ? null : normalizeDistrictId(raw)
  return districtId ? { page: 'district', districtId } : { page: 'backfill' }
}

export function hrefFor(route: Route): string {
  return route.page === 'district' ? `?district=${encodeURIComponent(route.districtId)}` : './'
}
