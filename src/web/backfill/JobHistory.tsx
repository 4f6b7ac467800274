import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { JOB_STATUSES, type JobStatus } from '../../shared/backfill-api.ts'
import { describeApiError } from '../api/api-error.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { jobHistoryOptions } from '../api/queries.ts'
import { useBackfillContext } from './BackfillContext.tsx'
import { toBackfillInfo } from './backfill-registry.ts'
import { Pager } from './Pager.tsx'
import { describeRange, describeScope, doneCells, statusLabel } from './view-helpers.ts'

export const HISTORY_PAGE_SIZE = 10

/** Every job the server knows, newest first, paged, with a status filter. */
export function JobHistory({ districtId }: { districtId?: string }) {
  const api = useApi()
  const { addBackfill, getBackfill } = useBackfillContext()
  const [status, setStatus] = useState<JobStatus | ''>('')
  const [offset, setOffset] = useState(0)
  const q = {
    limit: HISTORY_PAGE_SIZE,
    offset,
    ...(status ? { status } : {}),
    ...(districtId ? { districtId } : {}),
  }
  const history = useQuery(jobHistoryOptions(api, q))
  const total = history.data?.total ?? 0
  return (
    <section className="card" aria-labelledby="history-title">
      <div className="section-head">
        <h2 id="history-title">Job history</h2>
        <label className="inline">
          Status{' '}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as JobStatus | '')
              setOffset(0)
            }}
          >
            <option value="">all</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {history.error && <p className="banner banner--error">{describeApiError(history.error)}</p>}
      {history.data && history.data.jobs.length === 0 && <p className="muted">No jobs.</p>}
      {history.data && history.data.jobs.length > 0 && (
        <div className="table-scroll">
          <table className="history-table">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Dates</th>
                <th scope="col">Scope</th>
                <th scope="col">Status</th>
                <th scope="col">Cells</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {history.data.jobs.map((job) => (
                <tr key={job.backfillId} data-history-job={job.backfillId}>
                  <td data-label="Job">
                    <code>{job.backfillId}</code>
                  </td>
                  <td data-label="Dates">{describeRange(job)}</td>
                  <td data-label="Scope">{describeScope(job)}</td>
                  <td data-label="Status">
                    <span className={`badge badge--${job.status}`}>{statusLabel(job.status)}</span>
                  </td>
                  <td data-label="Cells">
                    {doneCells(job.progress)} / {job.progress.total}
                    {job.progress.failed > 0 && ` (${job.progress.failed} failed)`}
                  </td>
                  <td data-label="Created">{new Date(job.createdAt).toLocaleString()}</td>
                  <td>
                    {!getBackfill(job.backfillId) && (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => addBackfill(toBackfillInfo(job))}
                      >
                        Watch
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        offset={offset}
        pageSize={HISTORY_PAGE_SIZE}
        shown={history.data?.jobs.length ?? 0}
        total={total}
        onOffset={setOffset}
        label="History pages"
        previous="‹ Newer"
        next="Older ›"
      />
    </section>
  )
}
