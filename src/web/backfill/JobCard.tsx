import { useState } from 'react'
import type { BackfillResponse } from '../../shared/backfill-api.ts'
import { ApiError, describeApiError } from '../api/api-error.ts'
import { useBackfillContext } from './BackfillContext.tsx'
import type { BackfillInfo } from './backfill-registry.ts'
import { DistrictProgressTable } from './DistrictProgressTable.tsx'
import {
  useCancelBackfill,
  useCancelDistrictBackfill,
  useRetryBackfill,
  useWatchedJob,
} from './hooks.ts'
import { JobEventLog } from './JobEventLog.tsx'
import { PerformancePanel } from './PerformancePanel.tsx'
import { ProgressBar } from './ProgressBar.tsx'
import {
  canCancel,
  canRetryFailed,
  retryLabel,
  describeRange,
  describeScope,
  formatEta,
  isTerminal,
  jobErrors,
  statusLabel,
  unreachableSentence,
} from './view-helpers.ts'

/** One watched job: live progress while it runs, its outcome once it ends. */
export function JobCard({ info }: { info: BackfillInfo }) {
  const { removeBackfill } = useBackfillContext()
  const query = useWatchedJob(info)
  const job = query.data
  const titleId = `job-${info.backfillId}-title`
  const gone = query.error instanceof ApiError && query.error.status === 404
  return (
    <article
      className={`card job job--${job?.status ?? 'loading'}`}
      aria-labelledby={titleId}
      data-job-id={info.backfillId}
      data-status={job?.status ?? ''}
    >
      <header className="job__header">
        <h3 id={titleId}>
          {/* The job's own view once loaded: a card opened from an alert or the history knows only the id. */}
          {(job?.type ?? info.type) === 'district'
            ? `District ${job?.districtId ?? info.districtId} backfill`
            : 'Backfill'}{' '}
          <code>{info.backfillId}</code>
        </h3>
        {job && <span className={`badge badge--${job.status}`}>{statusLabel(job.status)}</span>}
      </header>
      {query.error && (
        <p className="banner banner--error" role="alert">
          {gone ? 'The server no longer knows this job.' : describeApiError(query.error)}
        </p>
      )}
      {!job && !query.error && <p className="muted">Loading…</p>}
      {job && <JobBody job={job} />}
      {(gone || (job && isTerminal(job.status))) && (
        <button
          type="button"
          className="link-button"
          onClick={() => removeBackfill(info.backfillId)}
        >
          Dismiss
        </button>
      )}
    </article>
  )
}

function JobBody({ job }: { job: BackfillResponse }) {
  const p = job.progress
  const unreachable = unreachableSentence(job)
  return (
    <>
      <p className="job__meta">
        {describeRange(job)} · {describeScope(job)} · {job.collectionStrategy.type} (
        {job.collectionStrategy.detail})
      </p>
      {job.retryOf && (
        <p className="job__retry-of" data-testid="retry-of">
          Retries the unfinished cells of <code>{job.retryOf}</code>
        </p>
      )}
      <ProgressBar progress={p} label={`Progress of ${job.backfillId}`} />
      <p className="job__counts" data-testid="job-counts">
        <span>completed {p.completed}</span> · <span>skipped {p.skipped}</span> ·{' '}
        <span>unavailable {p.unavailable}</span> ·{' '}
        {p.notADistrict > 0 && (
          <>
            <span>not a district on that date {p.notADistrict}</span> ·{' '}
          </>
        )}
        <span>failed {p.failed}</span> of <span>{p.total}</span> cells
      </p>
      {!isTerminal(job.status) && (
        <p className="job__live">
          Current date: <strong>{p.current || '—'}</strong> · ETA: {formatEta(p.etaSeconds)}
          {p.cellsPerMinute !== null && ` · ${Math.round(p.cellsPerMinute)} cells/min`}
        </p>
      )}
      {job.pausedReason && (
        <p className="banner banner--warn" role="status">
          Paused: {job.pausedReason}
          {job.pausedUntil && ` (until ${new Date(job.pausedUntil).toLocaleTimeString()})`}
        </p>
      )}
      {unreachable && (
        <p className="banner banner--error" data-testid="unreachable">
          {unreachable}
        </p>
      )}
      {job.error && <p className="banner banner--error">{job.error}</p>}
      {!job.error &&
        (job.warnings ?? []).map((w) => (
          <p key={w} className="banner banner--warn" data-testid="job-warning">
            {w}
          </p>
        ))}
      {isTerminal(job.status) && <JobOutcome job={job} />}
      {isTerminal(job.status) && <JobErrorList job={job} />}
      <JobActions job={job} />
      <details className="job__details" open={p.failed > 0 && isTerminal(job.status)}>
        <summary>Districts ({Object.keys(p.districtProgress).length})</summary>
        <DistrictProgressTable progress={p} jobStatus={job.status} />
      </details>
      {!isTerminal(job.status) && (
        <details className="job__details">
          <summary>Performance</summary>
          <PerformancePanel status={job.performanceStatus} />
        </details>
      )}
      <JobEventLog backfillId={job.backfillId} />
    </>
  )
}

function JobOutcome({ job }: { job: BackfillResponse }) {
  const summary = job.errorSummary
  return (
    <p className="job__outcome" role="status">
      Ended <strong>{statusLabel(job.status)}</strong>
      {job.completedAt && ` at ${new Date(job.completedAt).toLocaleTimeString()}`}
      {job.snapshotIds.length > 0 && ` · ${job.snapshotIds.length} snapshot date(s) written`}
      {summary &&
        summary.totalErrors > 0 &&
        ` · ${summary.totalErrors} error(s)${summary.affectedDistricts.length > 0 ? ` in ${summary.affectedDistricts.join(', ')}` : ''}`}
    </p>
  )
}

/** The finished job's errors with their codes and messages. */
function JobErrorList({ job }: { job: BackfillResponse }) {
  const lines = jobErrors(job)
  if (lines.length === 0) return null
  return (
    <ul className="job__errors" aria-label="Errors" data-testid="job-errors">
      {lines.map((l) => (
        <li key={`${l.districtId}|${l.date ?? ''}|${l.code}`}>
          District {l.districtId}
          {l.date && ` on ${l.date}`}: <code>{l.code}</code> {l.message}
        </li>
      ))}
    </ul>
  )
}

function JobActions({ job }: { job: BackfillResponse }) {
  const cancelGlobal = useCancelBackfill()
  const cancelDistrict = useCancelDistrictBackfill(job.districtId ?? '')
  const cancel = job.type === 'district' && job.districtId ? cancelDistrict : cancelGlobal
  const retry = useRetryBackfill()
  const [confirming, setConfirming] = useState(false)
  const failure = cancel.error ?? retry.error
  return (
    <div className="actions">
      {canCancel(job) && !confirming && (
        <button
          type="button"
          className="danger"
          disabled={cancel.isPending}
          onClick={() => setConfirming(true)}
        >
          {cancel.isPending ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
      {canCancel(job) && confirming && (
        <div role="group" aria-label="Confirm cancel" className="confirm">
          <span>Cancel this backfill? Cells already stored stay stored.</span>{' '}
          <button
            type="button"
            className="danger"
            onClick={() => {
              setConfirming(false)
              cancel.mutate(job.backfillId)
            }}
          >
            Yes, cancel
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Keep running
          </button>
        </div>
      )}
      {canRetryFailed(job) && (
        <button
          type="button"
          disabled={retry.isPending}
          onClick={() => retry.mutate(job.backfillId)}
        >
          {retryLabel(job)}
        </button>
      )}
      {failure && (
        <p className="banner banner--error" role="alert">
          {describeApiError(failure)}
        </p>
      )}
    </div>
  )
}
