import type { DryRunPlan } from '../api/types.ts'

/** "14 (2 summary + 12 per district)", "≈ 2 + per-district requests…" when not exact. */
export function describePlanRequests(r: DryRunPlan['requests']): string {
  const parts = `${r.summary} summary + ${r.perDistrict} per district`
  return r.exact
    ? `${r.total} (${parts})`
    : `at least ${r.total} (${parts}; more once summaries list the districts)`
}
