import { useQuery } from '@tanstack/react-query'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { todayUtc } from '../../shared/iso-date.ts'
import { describeApiError } from '../api/api-error.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { coverageOptions, districtSeriesOptions, snapshotDatesOptions } from '../api/queries.ts'
import type { CoverageQuery } from '../api/types.ts'
import { CellInspector } from './CellInspector.tsx'
import { CoverageMap } from './CoverageMap.tsx'
import { CoverageLegend } from './CoverageLegend.tsx'
import {
  checkCoverageRange,
  jobCoverageRange,
  openingCoverageRange,
  type SelectedCell,
} from './coverage-view.ts'
import { useJustFinishedJob } from './use-finished-job.ts'

/**
 * Opens on the range that holds data: the district's stored dates on a district page (summary
 * rows included), every stored date otherwise. When a job started on this page ends, it moves
 * to that job's range, unless the user has chosen a range by hand.
 */
export function CoverageView({ districtIds }: { districtIds?: string[] }) {
  const api = useApi()
  const districtId = districtIds?.length === 1 ? districtIds[0]! : null
  const all = useQuery({ ...snapshotDatesOptions(api), enabled: districtId === null })
  const one = useQuery({
    ...districtSeriesOptions(api, districtId ?? ''),
    enabled: districtId !== null,
  })
  const dates = districtId
    ? one.data?.points.map((p) => p.asOf)
    : all.data?.snapshots.map((s) => s.asOf)
  const failed = districtId ? one.isError : all.isError
  if (!dates && !failed) return null
  return (
    <CoverageRangeView
      districtIds={districtIds}
      opening={openingCoverageRange(dates ?? [], todayUtc(Date.now()))}
    />
  )
}

/** What is stored, dates × districts, for a chosen range; click a cell to inspect it. */
function CoverageRangeView({
  districtIds,
  opening,
}: {
  districtIds?: string[]
  opening: { from: string; to: string }
}) {
  const api = useApi()
  const [draft, setDraft] = useState(opening)
  const [applied, setApplied] = useState<CoverageQuery>(() => ({
    ...draft,
    ...(districtIds ? { districts: districtIds } : {}),
  }))
  const [rangeError, setRangeError] = useState<string | null>(null)
  const [selected, setSelected] = useState<SelectedCell | null>(null)
  const coverage = useQuery(coverageOptions(api, applied))
  const [byHand, setByHand] = useState(false)
  const finished = useJustFinishedJob(districtIds?.length === 1 ? districtIds[0]! : null)
  const followed = useRef<string | null>(null)

  const show = (range: { from: string; to: string }) => {
    setSelected(null)
    setApplied({ ...range, ...(districtIds ? { districts: districtIds } : {}) })
  }
  useEffect(() => {
    if (!finished || byHand || followed.current === finished.backfillId) return
    followed.current = finished.backfillId
    const range = jobCoverageRange(finished)
    if (!range) return
    setDraft(range)
    setRangeError(null)
    show(range)
  })

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const problem = checkCoverageRange(draft.from, draft.to)
    setRangeError(problem)
    if (problem) return
    setByHand(true)
    show(draft)
  }
  const report = coverage.data
  const selectedCell =
    selected && report?.dates.find((d) => d.asOf === selected.date)?.districts[selected.districtId]

  return (
    <section className="card coverage" aria-labelledby="coverage-title">
      <div className="section-head">
        <h2 id="coverage-title">Stored coverage</h2>
        <form className="inline-form" onSubmit={onSubmit} noValidate aria-label="Coverage range">
          <label className="inline">
            From{' '}
            <input
              type="date"
              name="coverage-from"
              value={draft.from}
              onChange={(e) => setDraft({ ...draft, from: e.target.value })}
            />
          </label>
          <label className="inline">
            To{' '}
            <input
              type="date"
              name="coverage-to"
              value={draft.to}
              onChange={(e) => setDraft({ ...draft, to: e.target.value })}
            />
          </label>
          <button type="submit">Show</button>
        </form>
      </div>
      {rangeError && (
        <p className="field__error" role="alert">
          {rangeError}
        </p>
      )}
      {coverage.error && <p className="banner banner--error">{describeApiError(coverage.error)}</p>}
      {report && <CoverageLegend report={report} />}
      <div className="coverage__body">
        {report && (
          <CoverageMap
            report={report}
            selected={selected}
            onSelect={setSelected}
            onClose={() => setSelected(null)}
          />
        )}
        {selected && (
          <CellInspector
            date={selected.date}
            districtId={selected.districtId}
            cell={selectedCell ?? undefined}
            onClose={() => setSelected(null)}
          />
        )}
      </div>
    </section>
  )
}
