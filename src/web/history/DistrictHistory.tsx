import { useQuery } from '@tanstack/react-query'
import { Suspense } from 'react'
import { describeApiError } from '../api/api-error.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { districtFileOptions, districtSeriesOptions } from '../api/queries.ts'
import {
  DISTRICT_CHARTS,
  MEASURE_LABELS,
  formatDelta,
  formatValue,
  latestChanges,
  type Change,
} from './history-view.ts'
import { DistrictChart } from './LazyCharts.tsx'

/** A district's story from its stored series: latest figures, charts, division table. */
export function DistrictHistory({ districtId }: { districtId: string }) {
  const api = useApi()
  const series = useQuery(districtSeriesOptions(api, districtId))
  const data = series.data
  const latest = data ? latestChanges(data.points) : null
  return (
    <section className="card history" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {series.error && <p className="banner banner--error">{describeApiError(series.error)}</p>}
      {series.isPending && <p className="muted">Loading the stored series…</p>}
      {data && data.points.length === 0 && (
        <p className="muted">Nothing stored for district {districtId} yet: run a backfill below.</p>
      )}
      {data && latest && (
        <>
          <p className="muted" data-testid="series-range">
            {data.points.length} stored date{data.points.length === 1 ? '' : 's'} from {data.from}{' '}
            to {data.to}
          </p>
          <LatestFigures asOf={latest.asOf} changes={latest.changes} />
          <Suspense fallback={<p className="muted">Loading the charts…</p>}>
            <div className="charts">
              {DISTRICT_CHARTS.map((spec) => (
                <DistrictChart key={spec.id} spec={spec} points={data.points} />
              ))}
            </div>
          </Suspense>
          {data.latestFull ? (
            <DivisionTable districtId={districtId} date={data.latestFull} />
          ) : (
            <p className="muted">
              Only summary-level data is stored for this district: no division table.
            </p>
          )}
        </>
      )}
    </section>
  )
}

function DeltaCell({ change }: { change: { from: string; delta: number } | null }) {
  if (!change) return <>—</>
  return (
    <>
      {formatDelta(change.delta)} <span className="muted">(since {change.from})</span>
    </>
  )
}

function LatestFigures({ asOf, changes }: { asOf: string; changes: Change[] }) {
  return (
    <div className="table-collapse">
      <table className="stack-table" data-testid="latest-figures">
        <caption>Latest figures, as of {asOf}</caption>
        <thead>
          <tr>
            <th scope="col">Measure</th>
            <th scope="col">Latest</th>
            <th scope="col">Since program-year start</th>
            <th scope="col">Since a year ago</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr key={c.measure} data-measure={c.measure}>
              <th scope="row" data-label="Measure">
                {MEASURE_LABELS[c.measure]}
              </th>
              <td data-label="Latest" data-fact="latest">
                {formatValue(c.latest)}
              </td>
              <td data-label="Since program-year start" data-fact="since-year-start">
                <DeltaCell change={c.sinceYearStart} />
              </td>
              <td data-label="Since a year ago" data-fact="since-last-year">
                <DeltaCell change={c.sinceLastYear} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function DivisionTable({ districtId, date }: { districtId: string; date: string }) {
  const api = useApi()
  const file = useQuery(districtFileOptions(api, date, districtId))
  const divisions = file.data?.statistics.divisions ?? []
  return (
    <div className="table-collapse">
      {file.error && <p className="banner banner--error">{describeApiError(file.error)}</p>}
      <table className="stack-table" data-testid="division-table">
        <caption>Divisions, as of {date}</caption>
        <thead>
          <tr>
            <th scope="col">Division</th>
            <th scope="col">Clubs</th>
            <th scope="col">Club base</th>
            <th scope="col">Paid clubs</th>
            <th scope="col">Distinguished clubs</th>
            <th scope="col">Recognition</th>
          </tr>
        </thead>
        <tbody>
          {divisions.map((d) => (
            <tr key={d.division} data-division={d.division}>
              <th scope="row" data-label="Division">
                {d.division}
              </th>
              <td data-label="Clubs">{d.clubCount}</td>
              <td data-label="Club base">{formatValue(d.clubBase)}</td>
              <td data-label="Paid clubs">{formatValue(d.totalPaidClubs)}</td>
              <td data-label="Distinguished clubs">{formatValue(d.totalDistinguishedClubs)}</td>
              <td data-label="Recognition">{d.recognition ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
