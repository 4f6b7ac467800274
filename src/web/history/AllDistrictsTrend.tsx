import { useQuery } from '@tanstack/react-query'
import { Suspense, useState } from 'react'
import { SERIES_MEASURES, type SeriesMeasure } from '../../shared/series-measures.ts'
import { describeApiError } from '../api/api-error.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { allDistrictsSeriesOptions, configuredDistrictsOptions } from '../api/queries.ts'
import { ALL_DISTRICTS_MEASURE_LABELS } from './history-view.ts'
import { TrendChart } from './LazyCharts.tsx'

const TOP_N = 10

/** One measure across districts over the stored dates, from the all-districts files. */
export function AllDistrictsTrend() {
  const api = useApi()
  const configured = useQuery(configuredDistrictsOptions(api))
  const [measure, setMeasure] = useState<SeriesMeasure>('paidClubs')
  const [which, setWhich] = useState<'top' | 'configured'>('top')
  const configuredIds = configured.data?.configured ?? []
  const useConfigured = which === 'configured' && configuredIds.length > 0
  const series = useQuery(
    allDistrictsSeriesOptions(
      api,
      useConfigured ? { measure, districts: configuredIds } : { measure, top: TOP_N },
    ),
  )
  const title = `${ALL_DISTRICTS_MEASURE_LABELS[measure]} across districts`
  return (
    <section className="card trend" aria-labelledby="trend-title">
      <div className="section-head">
        <h2 id="trend-title">Trends across districts</h2>
        <div className="inline-form">
          <label className="inline">
            Measure{' '}
            <select
              name="trend-measure"
              value={measure}
              onChange={(e) => setMeasure(e.target.value as SeriesMeasure)}
            >
              {SERIES_MEASURES.map((m) => (
                <option key={m} value={m}>
                  {ALL_DISTRICTS_MEASURE_LABELS[m]}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            Districts{' '}
            <select
              name="trend-districts"
              value={which}
              onChange={(e) => setWhich(e.target.value as 'top' | 'configured')}
            >
              <option value="top">Top {TOP_N}</option>
              <option value="configured" disabled={configuredIds.length === 0}>
                Configured ({configuredIds.length})
              </option>
            </select>
          </label>
        </div>
      </div>
      {series.error && <p className="banner banner--error">{describeApiError(series.error)}</p>}
      {series.data && series.data.dates.length === 0 && (
        <p className="muted">No all-districts summary stored yet.</p>
      )}
      {series.data && series.data.dates.length > 0 && (
        <>
          <p className="muted" data-testid="trend-range">
            {series.data.districtIds.length} districts over {series.data.dates.length} stored dates
            ({series.data.from} to {series.data.to}), ranked by the newest value
          </p>
          <Suspense fallback={<p className="muted">Loading the chart…</p>}>
            <TrendChart series={series.data} title={title} />
          </Suspense>
        </>
      )}
    </section>
  )
}
