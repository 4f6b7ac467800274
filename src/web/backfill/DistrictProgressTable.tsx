import type { BackfillProgress, JobStatus } from '../../shared/backfill-api.ts'
import { districtRows, finalDistrictStatus } from './view-helpers.ts'

export function DistrictProgressTable({
  progress,
  jobStatus,
}: {
  progress: BackfillProgress
  jobStatus: JobStatus
}) {
  const rows = districtRows(progress)
  if (rows.length === 0) return <p className="muted">No district has started yet.</p>
  return (
    <div className="table-scroll">
      <table className="district-table">
        <thead>
          <tr>
            <th scope="col">District</th>
            <th scope="col">Status</th>
            <th scope="col">Dates</th>
            <th scope="col">Failed dates</th>
            <th scope="col">Retries</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr
              key={d.districtId}
              data-district={d.districtId}
              data-status={finalDistrictStatus(d, jobStatus)}
              className={`row--${d.status}`}
            >
              <th scope="row" data-label="District">
                {d.districtId}
              </th>
              <td data-label="Status">{finalDistrictStatus(d, jobStatus)}</td>
              <td data-label="Dates">
                {d.datesProcessed} / {d.datesTotal}
              </td>
              <td data-label="Failed dates">
                {d.failedDates.length > 0 ? d.failedDates.join(', ') : '—'}
              </td>
              <td data-label="Retries">{d.retryCount}</td>
              <td className="error-text" data-label="Last error">
                {d.lastError ?? ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
