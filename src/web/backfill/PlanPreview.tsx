import type { DryRunPlan } from '../api/types.ts'
import { describePlanRequests } from './plan-view.ts'

/** What a dry run says the backfill would do: cells, requests and why that strategy. */
export function PlanPreview({ plan }: { plan: DryRunPlan }) {
  const { counts, collectionStrategy: strategy, scope } = plan
  const failedBefore = plan.cells.filter((c) => c.why === 'recorded-failure')
  const failedSkipped = failedBefore.filter((c) => c.action === 'skip').length
  return (
    <section className="plan" aria-label="Backfill plan" data-testid="plan-preview">
      <h3>Plan (nothing started)</h3>
      <dl className="stats">
        <div>
          <dt>Cells to fetch</dt>
          <dd data-count="fetch">{counts.fetch}</dd>
        </div>
        <div>
          <dt>Already stored (skip)</dt>
          <dd data-count="skip">{counts.skip}</dd>
        </div>
        <div>
          <dt>Failed before (skipped / fetched again)</dt>
          <dd data-count="recorded-failure">
            {failedSkipped} / {failedBefore.length - failedSkipped}
          </dd>
        </div>
        <div>
          <dt>Not published (unavailable)</dt>
          <dd data-count="unavailable">{counts.unavailable}</dd>
        </div>
        <div>
          <dt>Not a district on that date</dt>
          <dd data-count="not-a-district">{counts.notADistrict}</dd>
        </div>
        <div>
          <dt>Total cells</dt>
          <dd data-count="total">{counts.total}</dd>
        </div>
        <div>
          <dt>Dates</dt>
          <dd>{plan.dates}</dd>
        </div>
        <div>
          <dt>Upstream requests</dt>
          <dd data-count="requests">{describePlanRequests(plan.requests)}</dd>
        </div>
      </dl>
      {plan.chosenDates && (
        <p data-testid="chosen-dates">
          Dates ({plan.request.cadence ?? 'dates list'}): {plan.chosenDates.join(', ')}
        </p>
      )}
      <p>
        <strong>Strategy: {strategy.type}</strong> ({strategy.detail} files,{' '}
        {strategy.estimatedEfficiency.toFixed(2)} requests per district-date).{' '}
        <span className="rationale">{strategy.rationale}</span>
      </p>
      {plan.openDates.length > 0 && (
        <p className="muted">
          No district is configured: each date covers whichever districts its summary lists.
        </p>
      )}
      {scope.excluded.length > 0 && (
        <div className="banner banner--warn">
          <p>Excluded from the scope:</p>
          <ul>
            {scope.excluded.map((e) => (
              <li key={e.districtId}>
                {e.districtId}: {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  )
}
