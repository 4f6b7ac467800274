/**
 * Chooses how a job collects its data (docs/architecture.md#scope-and-strategy; Property 3 of
 * docs/properties.md).
 * Pure: it only weighs the scope's size against the upstream cost of each strategy.
 */
import type { CollectionStrategy, CollectionType } from '../../shared/backfill-api.ts'

/** `auto` collects full detail per district up to this many districts in scope. */
export const AUTO_PER_DISTRICT_MAX = 5
/** Reports fetched per district and date on top of the summary: district, division, club. */
export const REPORTS_PER_DISTRICT = 3
/**
 * An open scope's size is unknown until each summary is read; the estimate assumes roughly
 * the number of districts the dashboard lists (about 130 before the 2026 realignment, 94 after: docs/upstream.md#lessons-of-2026).
 */
export const OPEN_SCOPE_ASSUMED_DISTRICTS = 130

export interface SelectStrategyInput {
  collectionType: CollectionType
  /** Districts in scope; ignored for an open scope. */
  scopeSize: number
  openScope: boolean
  /** Copied into the strategy when given, so the job view shows what it covers. */
  targetDistricts?: string[]
}

type StrategyType = CollectionStrategy['type']

function chooseType(input: SelectStrategyInput): { type: StrategyType; why: string } {
  const { collectionType, scopeSize, openScope } = input
  if (collectionType !== 'auto')
    return { type: collectionType, why: `${collectionType} was requested` }
  if (openScope) {
    return {
      type: 'system-wide',
      why: "auto: no district is configured or targeted, so the scope is every district in each date's summary",
    }
  }
  return scopeSize <= AUTO_PER_DISTRICT_MAX
    ? {
        type: 'per-district',
        why: `auto: ${scopeSize} district(s) in scope (at most ${AUTO_PER_DISTRICT_MAX}), so full detail is affordable`,
      }
    : {
        type: 'system-wide',
        why: `auto: ${scopeSize} districts in scope (more than ${AUTO_PER_DISTRICT_MAX}), so one summary per date covers them all`,
      }
}

/** Upstream requests per district-date for a scope of `n` districts. */
export function requestsPerDistrictDate(type: StrategyType, n: number): number {
  return type === 'system-wide' ? 1 / n : (1 + REPORTS_PER_DISTRICT * n) / n
}

function costSentence(type: StrategyType, n: number, openScope: boolean): string {
  const perDate = type === 'system-wide' ? 1 : 1 + REPORTS_PER_DISTRICT * n
  const perCell = requestsPerDistrictDate(type, n).toFixed(3)
  const assumed = openScope ? `assuming about ${n} districts, ` : ''
  return type === 'system-wide'
    ? `${assumed}1 all-districts summary request per date covers ${n} district(s) (${perCell} per district-date) with summary-level files`
    : `${assumed}1 summary + ${REPORTS_PER_DISTRICT} reports x ${n} district(s) = ${perDate} requests per date (${perCell} per district-date) give full files`
}

/**
 * `system-wide`: one summary per date, summary detail. `per-district`: the summary plus three
 * reports per district and date, full detail. `auto` picks per-district only for a targeted
 * scope of at most AUTO_PER_DISTRICT_MAX districts.
 */
export function selectCollectionStrategy(input: SelectStrategyInput): CollectionStrategy {
  if (!input.openScope && !(Number.isInteger(input.scopeSize) && input.scopeSize >= 1)) {
    throw new RangeError(`scopeSize must be a whole number >= 1, got ${input.scopeSize}`)
  }
  const n = input.openScope ? OPEN_SCOPE_ASSUMED_DISTRICTS : input.scopeSize
  const { type, why } = chooseType(input)
  const strategy: CollectionStrategy = {
    type,
    detail: type === 'system-wide' ? 'summary' : 'full',
    refreshMethod: {
      name:
        type === 'system-wide'
          ? 'getAllDistricts'
          : !input.openScope && n === 1
            ? 'getDistrictPerformance'
            : 'getMultipleDistricts',
    },
    rationale: `${why}; ${costSentence(type, n, input.openScope)}`,
    estimatedEfficiency: requestsPerDistrictDate(type, n),
  }
  if (input.targetDistricts !== undefined) strategy.targetDistricts = [...input.targetDistricts]
  return strategy
}
