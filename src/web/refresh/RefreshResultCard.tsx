import type { RefreshResultView } from '../api/types.ts'
import { describeRefreshFailure, REFRESH_HEADLINE, refreshTone } from './refresh-view.ts'

/** One refresh's outcome: headline, the server's message, and which districts failed. */
export function RefreshResultCard({ result }: { result: RefreshResultView }) {
  const { failed, unavailable } = result.districts
  return (
    <div
      className={`refresh__result refresh__result--${refreshTone(result.status)}`}
      data-testid="refresh-result"
      data-status={result.status}
      aria-live="polite"
    >
      <h3 className="refresh__label">Last refresh</h3>
      <p className="refresh__headline">
        <strong>{REFRESH_HEADLINE[result.status]}</strong>
        {result.asOf && <> · as-of {result.asOf}</>}
      </p>
      <p className="refresh__message" data-testid="refresh-message">
        {result.message}
      </p>
      {failed.length > 0 && (
        <>
          <h3 className="refresh__label">Failed districts ({failed.length})</h3>
          <ul className="refresh__failures">
            {failed.map((f) => (
              <li key={f.districtId} className="error-text">
                {describeRefreshFailure(f)}
              </li>
            ))}
          </ul>
        </>
      )}
      {unavailable.length > 0 && (
        <p className="refresh__unavailable">Not published: {unavailable.join(', ')}</p>
      )}
      <p className="muted refresh__time">Finished {new Date(result.finishedAt).toLocaleString()}</p>
    </div>
  )
}
