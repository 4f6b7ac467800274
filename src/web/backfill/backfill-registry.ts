/**
 * The list of backfills the page is watching (what BackfillContext provides), as a pure reducer plus
 * sessionStorage persistence, so a reload keeps showing the jobs it started.
 */
import type { BackfillResponse, JobStatus } from '../../shared/backfill-api.ts'

export interface BackfillInfo {
  backfillId: string
  type: 'global' | 'district'
  districtId?: string
  targetDistricts?: string[]
  collectionType?: string
  status?: JobStatus
  /** The job's date range, so the coverage view can open on it once the job ends. */
  startDate?: string
  endDate?: string
}

export type RegistryAction =
  | { type: 'add'; info: BackfillInfo }
  | { type: 'update'; backfillId: string; updates: Partial<BackfillInfo> }
  | { type: 'remove'; backfillId: string }

/** Newest first; adding a known id refreshes it in place instead of duplicating it. */
export function registryReducer(state: BackfillInfo[], action: RegistryAction): BackfillInfo[] {
  switch (action.type) {
    case 'add': {
      const known = state.some((b) => b.backfillId === action.info.backfillId)
      return known
        ? state.map((b) => (b.backfillId === action.info.backfillId ? { ...b, ...action.info } : b))
        : [action.info, ...state]
    }
    case 'update': {
      const target = state.find((b) => b.backfillId === action.backfillId)
      if (!target) return state
      const changed = Object.entries(action.updates).some(
        ([k, v]) => target[k as keyof BackfillInfo] !== v,
      )
      if (!changed) return state
      return state.map((b) =>
        b.backfillId === action.backfillId
          ? { ...b, ...action.updates, backfillId: b.backfillId }
          : b,
      )
    }
    case 'remove':
      return state.filter((b) => b.backfillId !== action.backfillId)
  }
}

export function toBackfillInfo(job: BackfillResponse): BackfillInfo {
  const info: BackfillInfo = {
    backfillId: job.backfillId,
    type: job.type,
    targetDistricts: job.scope.targetDistricts,
    collectionType: job.collectionStrategy.type,
    status: job.status,
    startDate: job.request.startDate,
    endDate: job.request.endDate,
  }
  if (job.districtId) info.districtId = job.districtId
  return info
}

/** True when the job is about `districtId` (its own district job, or a target of a global one). */
export function concernsDistrict(info: BackfillInfo, districtId: string): boolean {
  return info.districtId === districtId || (info.targetDistricts ?? []).includes(districtId)
}

const KEY = 'tm-backfill.active-backfills'
const MAX_KEPT = 50

function isInfo(v: unknown): v is BackfillInfo {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return typeof o['backfillId'] === 'string' && (o['type'] === 'global' || o['type'] === 'district')
}

export function loadRegistry(
  storage: Storage | undefined = globalThis.sessionStorage,
): BackfillInfo[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(KEY) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter(isInfo).slice(0, MAX_KEPT) : []
  } catch {
    return []
  }
}

export function saveRegistry(
  state: readonly BackfillInfo[],
  storage: Storage | undefined = globalThis.sessionStorage,
): void {
  storage?.setItem(KEY, JSON.stringify(state.slice(0, MAX_KEPT)))
}
