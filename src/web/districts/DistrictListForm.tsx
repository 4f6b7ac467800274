import { useState, type FormEvent } from 'react'
import { describeApiError } from '../api/api-error.ts'
import { FormField } from '../backfill/FormField.tsx'
import { AvailableDistrictChips } from './AvailableDistrictChips.tsx'
import {
  addDistrictToText,
  districtsInText,
  safeParseDistrictList,
  removeDistrictFromText,
  saveProblemOf,
} from './district-list.ts'
import { useRemoveDistrict, useReplaceDistricts } from './hooks.ts'

export interface DistrictListFormProps {
  configured: readonly string[]
  initialText: string
  onDone: () => void
}

/** Edit mode: replace the whole list (PUT), or remove stored ids one by one (DELETE). */
export function DistrictListForm({ configured, initialText, onDone }: DistrictListFormProps) {
  const [text, setText] = useState(initialText)
  const [parseError, setParseError] = useState<string | null>(null)
  const replace = useReplaceDistricts()
  const remove = useRemoveDistrict()
  const saveProblem = saveProblemOf(replace.error)
  const fieldError = parseError ?? saveProblem.field

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const parsed = safeParseDistrictList(text)
    replace.reset()
    if ('error' in parsed) return setParseError(parsed.error)
    setParseError(null)
    replace.mutate(parsed.ids, { onSuccess: onDone })
  }
  // A new text makes the last verdict on the old one stale.
  const edit = (next: (t: string) => string) => {
    setText(next)
    setParseError(null)
    if (replace.isError) replace.reset()
  }
  const onRemove = (id: string) =>
    remove.mutate(id, { onSuccess: () => edit((t) => removeDistrictFromText(t, id)) })
  const busy = replace.isPending || remove.isPending

  return (
    <form noValidate onSubmit={onSubmit} className="districts__form">
      {saveProblem.banner && (
        <p className="banner banner--error" role="alert">
          {saveProblem.banner}
        </p>
      )}
      <FormField
        id="configured-districts"
        label="District ids"
        hint="Separated by commas or spaces, e.g. 61, 21, F. Save replaces the whole list."
        errors={fieldError ? [fieldError] : undefined}
      >
        {(a11y) => (
          <input
            {...a11y}
            type="text"
            autoComplete="off"
            value={text}
            onChange={(e) => edit(() => e.target.value)}
          />
        )}
      </FormField>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {replace.isPending ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      {configured.length > 0 && (
        <RemovableIds ids={configured} disabled={busy} onRemove={onRemove} />
      )}
      {remove.error && (
        <p className="banner banner--error" role="alert">
          {describeApiError(remove.error)}
        </p>
      )}
      <AvailableDistrictChips
        selected={districtsInText(text)}
        onPick={(id) => edit((t) => addDistrictToText(t, id))}
      />
    </form>
  )
}

function RemovableIds(props: {
  ids: readonly string[]
  disabled: boolean
  onRemove: (id: string) => void
}) {
  return (
    <div className="districts__group">
      <h3 className="districts__label">Stored now (remove one at a time)</h3>
      <ul className="chips" aria-label="Stored districts">
        {props.ids.map((id) => (
          <li key={id} className="chip chip--removable">
            {id}
            <button
              type="button"
              className="chip__remove"
              aria-label={`Remove district ${id}`}
              title={`Remove district ${id}`}
              disabled={props.disabled}
              onClick={() => props.onRemove(id)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}
