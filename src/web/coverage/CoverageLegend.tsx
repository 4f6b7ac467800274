import type { CoverageReport } from '../api/types.ts'
import { COVERAGE_KINDS, COVERAGE_LEGEND, coverageCounts } from './coverage-view.ts'

export function CoverageLegend({ report }: { report: CoverageReport }) {
  const counts = coverageCounts(report)
  return (
    <ul className="legend" aria-label="Legend">
      {COVERAGE_KINDS.map((kind) => (
        <li key={kind}>
          <span className={`cov cov--${kind} legend__swatch`} aria-hidden="true">
            {COVERAGE_LEGEND[kind].glyph}
          </span>
          {COVERAGE_LEGEND[kind].label} <span className="muted">({counts[kind]})</span>
        </li>
      ))}
    </ul>
  )
}
