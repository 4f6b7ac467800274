import type { Reprocess } from '../../shared/backfill-api.ts'

/** The three reprocess choices of the start form (README's "Backfill request"). */
export const REPROCESS_LABELS: { value: Reprocess; label: string; hint: string }[] = [
  {
    value: 'missing',
    label: 'Missing only',
    hint: 'cells never stored; a recorded failure is left as it is',
  },
  {
    value: 'missing-and-failed',
    label: 'Missing and failed',
    hint: 'cells never stored and cells that failed before',
  },
  { value: 'all', label: 'Everything again', hint: 'every cell, even those already stored' },
]

export function ReprocessChoice({
  value,
  onChange,
  errors,
}: {
  value: Reprocess
  onChange: (value: Reprocess) => void
  errors: string[] | undefined
}) {
  return (
    <fieldset className="strategy reprocess">
      <legend>Reprocess</legend>
      {REPROCESS_LABELS.map((c) => (
        <label key={c.value} className="choice" title={c.hint}>
          <input
            type="radio"
            name="reprocess"
            value={c.value}
            checked={value === c.value}
            onChange={() => onChange(c.value)}
          />
          {c.label} <small>({c.hint})</small>
        </label>
      ))}
      {errors && <p className="field__error">{errors.join(' ')}</p>}
    </fieldset>
  )
}
