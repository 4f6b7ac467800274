import type { Cadence, CollectionType } from '../../shared/backfill-api.ts'
import { FormField } from './FormField.tsx'
import type { BackfillFormState } from './request-form.ts'

const STRATEGIES: { value: CollectionType; label: string; hint: string }[] = [
  { value: 'auto', label: 'Auto', hint: 'per district for a few targets, system-wide otherwise' },
  { value: 'system-wide', label: 'System-wide', hint: 'one summary request per date' },
  { value: 'per-district', label: 'Per district', hint: 'summary + 3 reports per district' },
]

const CADENCE_CHOICES: { value: Cadence; label: string }[] = [
  { value: 'daily', label: 'Daily (every day of the range)' },
  { value: 'weekly', label: 'Weekly (the start date and every 7th day)' },
  { value: 'month-end', label: "Month-end (each month's final as-of)" },
  { value: 'year-end', label: "Year-end (each program year's final as-of)" },
]

export function AdvancedOptions({
  form,
  errors,
  onChange,
  districtScoped,
  knownDistricts,
}: {
  form: BackfillFormState
  errors: Record<string, string[]>
  onChange: (patch: Partial<BackfillFormState>) => void
  districtScoped: boolean
  knownDistricts: readonly string[]
}) {
  return (
    <fieldset className="advanced">
      <legend>Advanced options</legend>
      {!districtScoped && (
        <FormField
          id="targetDistricts"
          label="Districts"
          hint="Comma-separated ids such as 02, 61, F. Empty: every configured district."
          errors={errors['targetDistricts']}
        >
          {(a11y) => (
            <input
              {...a11y}
              type="text"
              list="known-districts"
              value={form.districts}
              onChange={(e) => onChange({ districts: e.target.value })}
            />
          )}
        </FormField>
      )}
      <FormField
        id="cadence"
        label="Cadence"
        hint="Which as-of days of the range are asked for; the preview lists them."
        errors={errors['cadence']}
      >
        {(a11y) => (
          <select
            {...a11y}
            value={form.cadence}
            onChange={(e) => onChange({ cadence: e.target.value as Cadence })}
          >
            {CADENCE_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        )}
      </FormField>
      <datalist id="known-districts">
        {knownDistricts.map((id) => (
          <option key={id} value={id} />
        ))}
      </datalist>
      <fieldset className="strategy">
        <legend>Strategy</legend>
        {STRATEGIES.map((s) => (
          <label key={s.value} className="choice" title={s.hint}>
            <input
              type="radio"
              name="collectionType"
              value={s.value}
              checked={form.collectionType === s.value}
              onChange={() => onChange({ collectionType: s.value })}
            />
            {s.label} <small>({s.hint})</small>
          </label>
        ))}
        {errors['collectionType'] && <p className="field__error">{errors['collectionType']}</p>}
      </fieldset>
      <div className="row">
        <FormField id="concurrency" label="Concurrency" errors={errors['concurrency']}>
          {(a11y) => (
            <input
              {...a11y}
              type="number"
              min={1}
              max={10}
              value={form.concurrency}
              onChange={(e) => onChange({ concurrency: e.target.value })}
            />
          )}
        </FormField>
        <FormField
          id="rateLimitDelayMs"
          label="Request delay (ms)"
          hint="Minimum gap between this job's upstream requests."
          errors={errors['rateLimitDelayMs']}
        >
          {(a11y) => (
            <input
              {...a11y}
              type="number"
              min={0}
              max={60000}
              step={50}
              value={form.rateLimitDelayMs}
              onChange={(e) => onChange({ rateLimitDelayMs: e.target.value })}
            />
          )}
        </FormField>
      </div>
      <div className="row">
        <Checkbox
          id="retryFailures"
          label="Retry failures"
          checked={form.retryFailures}
          onChange={(v) => onChange({ retryFailures: v })}
        />
        <Checkbox
          id="enableCaching"
          label="Use raw CSV cache"
          checked={form.enableCaching}
          onChange={(v) => onChange({ enableCaching: v })}
        />
      </div>
    </fieldset>
  )
}

function Checkbox({
  id,
  label,
  checked,
  onChange,
}: {
  id: string
  label: string
  checked: boolean
  onChange: (value: boolean) => void
}) {
  return (
    <label className="choice" htmlFor={id}>
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      {label}
    </label>
  )
}
