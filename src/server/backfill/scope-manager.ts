/**
 * Which districts a job covers (docs/architecture.md#scope-and-strategy). Pure: the configured
 * districts are passed in by the caller, who loaded them from storage.
 */
import type {
  BackfillScope,
  ResolvedBackfillRequest,
  ScopeExclusion,
} from '../../shared/backfill-api.ts'
import { compareDistrictIds, normalizeDistrictId } from '../../shared/district-id.ts'
import type { DistrictId } from '../../shared/district-id.ts'
import { ErrorCode } from '../../shared/error-codes.ts'

/**
 * The wire scope plus one domain flag. `openScope` is true when no district is configured and
 * none is targeted: each date's districts are whoever appears in that date's all-districts
 * summary, so `targetDistricts` is `[]` and the plan cannot list cells up front. The wire
 * scope stays unchanged: a client reads an open scope as `scopeType: 'system-wide'` with empty
 * `targetDistricts` and `configuredDistricts`.
 */
export interface ResolvedScope extends BackfillScope {
  openScope: boolean
}

export type JobKind = 'global' | 'district'

export interface ResolveScopeInput {
  request: Pick<ResolvedBackfillRequest, 'targetDistricts'>
  configuredDistricts: readonly string[]
  kind: JobKind
  /**
   * Required for `kind: 'district'`; that district is the whole scope and
   * `request.targetDistricts` is ignored (the district route owns the scope).
   */
  districtId?: string
}

export type ResolveScopeResult =
  | { ok: true; scope: ResolvedScope }
  | { ok: false; code: 'SCOPE_EMPTY'; message: string; scope: ResolvedScope }

function sortedUnique(ids: Iterable<DistrictId>): DistrictId[] {
  return [...new Set(ids)].sort(compareDistrictIds)
}

function normalizeConfigured(ids: readonly string[]): DistrictId[] {
  return sortedUnique(ids.flatMap((id) => normalizeDistrictId(id) ?? []))
}

function listIds(ids: readonly string[], max = 10): string {
  const shown = ids.slice(0, max).join(', ')
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown || 'none'
}

/** Keeps the targets the configuration allows; reports each one it drops, with why. */
function filterTargets(
  targets: readonly string[],
  configured: readonly DistrictId[],
): { kept: DistrictId[]; excluded: ScopeExclusion[] } {
  const kept: DistrictId[] = []
  const excluded: ScopeExclusion[] = []
  const seen = new Set<string>()
  for (const raw of targets) {
    const id = normalizeDistrictId(raw)
    if (seen.has(id ?? raw)) continue
    seen.add(id ?? raw)
    if (id === null) {
      excluded.push({
        districtId: raw,
        reason: 'malformed',
        message: `district id ${JSON.stringify(raw)} must be 1-4 letters or digits (e.g. 02, 61, F)`,
      })
    } else if (configured.length > 0 && !configured.includes(id)) {
      excluded.push({
        districtId: id,
        reason: 'not-configured',
        message: `district ${id} is not one of the configured districts`,
      })
    } else {
      kept.push(id)
    }
  }
  return { kept: kept.sort(compareDistrictIds), excluded }
}

function emptyScopeMessage(excluded: readonly ScopeExclusion[], configured: readonly string[]) {
  return (
    `no target district is left to backfill: excluded ${listIds(excluded.map((e) => e.districtId))} ` +
    `(configured: ${listIds(configured)})`
  )
}

function targetsOf(input: ResolveScopeInput): readonly string[] | null {
  if (input.kind === 'global') return input.request.targetDistricts
  if (input.districtId === undefined) {
    throw new TypeError('resolveScope: a district job needs its districtId')
  }
  return [input.districtId]
}

/**
 * Resolves a job's scope. No targets means every configured district, or the open scope when
 * none is configured. Targets outside a non-empty configuration are excluded with the reason
 * 'not-configured' (malformed ones with 'malformed'); when nothing remains the result is not
 * ok and the API answers 400.
 */
export function resolveScope(input: ResolveScopeInput): ResolveScopeResult {
  const configuredDistricts = normalizeConfigured(input.configuredDistricts)
  const targets = targetsOf(input)
  if (targets === null) {
    const openScope = configuredDistricts.length === 0
    const scope: ResolvedScope = {
      targetDistricts: configuredDistricts,
      configuredDistricts,
      scopeType: 'system-wide',
      validationPassed: true,
      excluded: [],
      openScope,
    }
    return { ok: true, scope }
  }
  const { kept, excluded } = filterTargets(targets, configuredDistricts)
  const scope: ResolvedScope = {
    targetDistricts: kept,
    configuredDistricts,
    scopeType: input.kind === 'district' ? 'single-district' : 'targeted',
    validationPassed: kept.length > 0,
    excluded,
    openScope: false,
  }
  if (kept.length > 0) return { ok: true, scope }
  return {
    ok: false,
    code: ErrorCode.SCOPE_EMPTY,
    message: emptyScopeMessage(excluded, configuredDistricts),
    scope,
  }
}

/** True when the scope lets the job touch `districtId` (the open scope allows every id). */
export function isDistrictInScope(scope: ResolvedScope, districtId: DistrictId): boolean {
  return scope.openScope || scope.targetDistricts.includes(districtId)
}

/** The wire shape, without domain-only fields. */
export function toWireScope(scope: ResolvedScope): BackfillScope {
  return {
    targetDistricts: scope.targetDistricts,
    configuredDistricts: scope.configuredDistricts,
    scopeType: scope.scopeType,
    validationPassed: scope.validationPassed,
    excluded: scope.excluded,
  }
}
