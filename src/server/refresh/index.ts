/**
 * The RefreshService: collects the newest published as-of (or one asked-for date) for the
 * configured districts through the collection in `../collect`. Import from here.
 */
export { createRefreshService } from './refresh-service.ts'
export type { RefreshService, RefreshServiceDeps } from './refresh-service.ts'
