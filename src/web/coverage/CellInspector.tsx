import { useQuery } from '@tanstack/react-query'
import { describeApiError } from '../api/api-error.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { districtFileOptions, snapshotOptions } from '../api/queries.ts'
import type { CoverageCell } from '../api/types.ts'
import { formatBytes } from '../backfill/view-helpers.ts'
import { coverageCellKind, summarizeDistrictFile } from './coverage-view.ts'

/** Details of one coverage cell: the stored district file, or why there is none. */
export function CellInspector({
  date,
  districtId,
  cell,
  onClose,
}: {
  date: string
  districtId: string
  cell: CoverageCell | undefined
  onClose: () => void
}) {
  const kind = coverageCellKind(cell)
  return (
    <aside className="inspector" aria-labelledby="inspector-title" data-testid="cell-inspector">
      <div className="section-head">
        <h3 id="inspector-title">
          District {districtId} · {date}
        </h3>
        <button type="button" className="link-button" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </div>
      {kind === 'full' || kind === 'summary' ? (
        <StoredFile date={date} districtId={districtId} />
      ) : kind === 'failed' ? (
        <FailedCell date={date} districtId={districtId} />
      ) : (
        <p className="muted">Nothing is stored for this district on this date.</p>
      )}
    </aside>
  )
}

function StoredFile({ date, districtId }: { date: string; districtId: string }) {
  const api = useApi()
  const file = useQuery(districtFileOptions(api, date, districtId))
  if (file.error) return <p className="banner banner--error">{describeApiError(file.error)}</p>
  if (!file.data) return <p className="muted">Loading…</p>
  const s = summarizeDistrictFile(file.data)
  return (
    <>
      <dl className="facts">
        <dt>As of</dt>
        <dd data-fact="asOf">{s.asOf}</dd>
        <dt>Detail</dt>
        <dd data-fact="detail">{s.detail}</dd>
        <dt>Data month</dt>
        <dd data-fact="dataMonth">
          {s.dataMonth} ({s.programYear})
        </dd>
        <dt>Closing period</dt>
        <dd data-fact="closingPeriod">{s.closingPeriod ? 'yes' : 'no'}</dd>
        <dt>Clubs</dt>
        <dd data-fact="clubs">{s.clubs}</dd>
        <dt>Membership</dt>
        <dd data-fact="membership">{s.membership}</dd>
        <dt>Payments</dt>
        <dd data-fact="payments">{s.payments}</dd>
        <dt>Warnings</dt>
        <dd data-fact="warnings">{s.warnings}</dd>
        <dt>Written by job</dt>
        <dd>{s.jobId ?? '—'}</dd>
      </dl>
      <h4>Sources ({s.sources.length})</h4>
      <ul className="sources">
        {s.sources.map((src) => (
          <li key={src.url}>
            <strong>{src.report}</strong> · HTTP {src.httpStatus} · {formatBytes(src.sizeBytes)} ·{' '}
            {src.rowCount} rows{src.fromCache ? ' · from cache' : ''}
            <br />
            <a href={src.url} className="url" target="_blank" rel="noreferrer">
              {src.url}
            </a>
          </li>
        ))}
      </ul>
    </>
  )
}

function FailedCell({ date, districtId }: { date: string; districtId: string }) {
  const api = useApi()
  const snapshot = useQuery(snapshotOptions(api, date))
  const failure = snapshot.data?.metadata.failedDistricts.find((f) => f.districtId === districtId)
  if (snapshot.error)
    return <p className="banner banner--error">{describeApiError(snapshot.error)}</p>
  if (snapshot.isPending) return <p className="muted">Loading the recorded error…</p>
  return (
    <p className="banner banner--error">
      Collection failed{failure ? `: ${failure.code}: ${failure.message}` : '.'}
    </p>
  )
}
