import type { CoverageReport } from '../api/types.ts'
import { Link } from '../app/navigation.tsx'
import {
  COVERAGE_LEGEND,
  coverageCellClass,
  coverageCellKind,
  coverageCellLabel,
  type SelectedCell,
} from './coverage-view.ts'

export function CoverageGrid({
  report,
  selected,
  onSelect,
}: {
  report: CoverageReport
  selected: SelectedCell | null
  onSelect: (cell: SelectedCell) => void
}) {
  if (report.districtIds.length === 0) {
    return (
      <p className="muted">
        Nothing stored between {report.from} and {report.to}.
      </p>
    )
  }
  return (
    <div className="table-scroll coverage__grid">
      <table className="grid" aria-label={`Coverage ${report.from} to ${report.to}`}>
        <thead>
          <tr>
            <th scope="col">As of</th>
            {report.districtIds.map((id) => (
              <th scope="col" key={id}>
                <Link to={{ page: 'district', districtId: id }}>{id}</Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.dates.map((d) => (
            <tr key={d.asOf}>
              <th scope="row">
                {d.asOf}
                {d.snapshot === 'partial' && <span className="muted"> (partial)</span>}
              </th>
              {report.districtIds.map((id) => {
                const cell = d.districts[id]
                const isSelected = selected?.date === d.asOf && selected.districtId === id
                return (
                  <td key={id}>
                    <button
                      type="button"
                      className={`${coverageCellClass(cell)}${isSelected ? ' cov--selected' : ''}`}
                      aria-label={coverageCellLabel(d.asOf, id, cell)}
                      aria-pressed={isSelected}
                      title={coverageCellLabel(d.asOf, id, cell)}
                      data-date={d.asOf}
                      data-district={id}
                      data-kind={coverageCellKind(cell)}
                      onClick={() => onSelect({ date: d.asOf, districtId: id })}
                    >
                      {COVERAGE_LEGEND[coverageCellKind(cell)].glyph}
                    </button>
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
