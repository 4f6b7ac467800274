import type { BackfillProgress } from '../../shared/backfill-api.ts'
import { doneCells, progressPercent } from './view-helpers.ts'

export function ProgressBar({ progress, label }: { progress: BackfillProgress; label: string }) {
  const pct = progressPercent(progress)
  return (
    <div className="progress">
      <div
        className="progress__track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={`${pct}% (${doneCells(progress)} of ${progress.total} cells)`}
      >
        <div className="progress__fill" style={{ width: `${pct}%` }} />
      </div>
      <span className="progress__text">{pct}%</span>
    </div>
  )
}
