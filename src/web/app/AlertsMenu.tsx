import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { describeApiError } from '../api/api-error.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { alertsOptions } from '../api/queries.ts'
import { useBackfillContext } from '../backfill/BackfillContext.tsx'
import { navigate } from './navigation.tsx'
import { alertJobId, isResolved, loadLastSeen, pendingAlerts, saveLastSeen } from './status-view.ts'

/**
 * The header's alert badge (how many need attention since the list was last opened; "last
 * seen" is kept in localStorage) and the list it opens: time, severity, message, the job.
 */
export function AlertsMenu({ storage = globalThis.localStorage }: { storage?: Storage }) {
  const api = useApi()
  const alerts = useQuery({ ...alertsOptions(api), retry: false })
  const { addBackfill } = useBackfillContext()
  const [lastSeen, setLastSeen] = useState(() => loadLastSeen(storage))
  const [open, setOpen] = useState(false)
  const all = alerts.data?.alerts ?? []
  const pending = pendingAlerts(all, lastSeen)
  const toggle = () => {
    const newest = all[0]?.at
    if (!open && newest) {
      saveLastSeen(storage, newest)
      setLastSeen(newest)
    }
    setOpen(!open)
  }
  return (
    <div className="alerts">
      <button
        type="button"
        className="alerts__button"
        aria-expanded={open}
        aria-controls="alerts-list"
        aria-label={`Alerts: ${pending.length} new`}
        onClick={toggle}
      >
        Alerts
        {pending.length > 0 && (
          <span className="alerts__badge" data-testid="alerts-badge">
            {pending.length}
          </span>
        )}
      </button>
      {open && (
        <section id="alerts-list" className="alerts__panel" aria-label="Alerts">
          {alerts.error && <p className="banner banner--error">{describeApiError(alerts.error)}</p>}
          {all.length === 0 && !alerts.error && <p className="muted">No alerts.</p>}
          <ul>
            {all.map((a) => {
              const jobId = alertJobId(a)
              return (
                <li key={a.id} data-kind={a.kind} className={`alert alert--${a.severity}`}>
                  <time dateTime={a.at}>{new Date(a.at).toLocaleString()}</time>{' '}
                  <span className={`severity severity--${a.severity}`}>{a.severity}</span>{' '}
                  {a.message}
                  {isResolved(a, all) && <span className="muted"> (resolved)</span>}
                  {jobId && (
                    <>
                      {' '}
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => {
                          addBackfill({ backfillId: jobId, type: 'global' })
                          navigate({ page: 'backfill' })
                          setOpen(false)
                        }}
                      >
                        Show job {jobId}
                      </button>
                    </>
                  )}
                </li>
              )
            })}
          </ul>
        </section>
      )}
    </div>
  )
}
