import { useQuery } from '@tanstack/react-query'
import { describeApiError } from '../api/api-error.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { refreshStatusOptions } from '../api/queries.ts'
import { useRefreshNow } from './hooks.ts'
import { RefreshResultCard } from './RefreshResultCard.tsx'
import { latestRefresh } from './refresh-view.ts'

/** "Collect latest now" and the outcome of the newest refresh, clicked or scheduled. */
export function RefreshPanel() {
  const api = useApi()
  const status = useQuery(refreshStatusOptions(api))
  const refresh = useRefreshNow()
  const running = refresh.isPending || status.data?.state === 'running'
  const shown = latestRefresh(refresh.data, status.data?.last)

  return (
    <section className="card refresh" aria-labelledby="refresh-title" aria-busy={running}>
      <h2 id="refresh-title">Latest data</h2>
      <p className="muted refresh__intro">
        Collects the newest published as-of at full detail for the configured districts (all
        districts in its summary when none is configured).
      </p>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={running}
          onClick={() => refresh.mutate()}
        >
          {running ? 'Collecting…' : 'Collect latest now'}
        </button>
        {running && (
          <span className="busy" role="status">
            <span className="busy__dot" aria-hidden="true" /> Collecting; this can take a minute…
          </span>
        )}
      </div>
      {refresh.error && (
        <p className="banner banner--error" role="alert">
          {describeApiError(refresh.error)}
        </p>
      )}
      {status.error && !status.data && (
        <p className="banner banner--error">{describeApiError(status.error)}</p>
      )}
      {shown ? (
        <RefreshResultCard result={shown} />
      ) : (
        status.data && (
          <p className="muted refresh__none">No refresh has run since the server started.</p>
        )
      )}
    </section>
  )
}
