import { useQuery } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import type { BackfillRequest, Reprocess } from '../../shared/backfill-api.ts'
import { todayUtc } from '../../shared/iso-date.ts'
import { describeApiError, fieldIssuesOf, type FieldIssue } from '../api/api-error.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { availableDistrictsOptions } from '../api/queries.ts'
import { AdvancedOptions } from './AdvancedOptions.tsx'
import { ErrorSummary } from './ErrorSummary.tsx'
import { FormField } from './FormField.tsx'
import { useInitiateBackfill, useInitiateDistrictBackfill, usePreviewBackfill } from './hooks.ts'
import { PlanPreview } from './PlanPreview.tsx'
import { ReprocessChoice } from './ReprocessChoice.tsx'
import {
  defaultFormState,
  issuesByField,
  toBackfillRequest,
  type BackfillFormState,
} from './request-form.ts'

export interface BackfillButtonProps {
  className?: string
  onBackfillStart?: (backfillId: string) => void
  /** District-scoped form: posts to `/api/districts/:districtId/backfill`. */
  districtId?: string
  /** Offer the targeting and performance options. @default true */
  showAdvancedOptions?: boolean
}

export function BackfillButton({
  className,
  onBackfillStart,
  districtId,
  showAdvancedOptions = true,
}: BackfillButtonProps) {
  const api = useApi()
  const [form, setForm] = useState<BackfillFormState>(() => defaultFormState(todayUtc(Date.now())))
  const [localIssues, setLocalIssues] = useState<FieldIssue[]>([])
  const [advancedOpen, setAdvancedOpen] = useState(false)
  const [lastAction, setLastAction] = useState<'start' | 'preview' | null>(null)
  const startGlobal = useInitiateBackfill()
  const startDistrict = useInitiateDistrictBackfill(districtId ?? '')
  const start = districtId === undefined ? startGlobal : startDistrict
  const preview = usePreviewBackfill(districtId)
  const available = useQuery({ ...availableDistrictsOptions(api), retry: false })

  const failed =
    lastAction === 'start' ? start.error : lastAction === 'preview' ? preview.error : null
  const serverIssues = fieldIssuesOf(failed)
  const issues = localIssues.length > 0 ? localIssues : serverIssues
  const errors = issuesByField(issues)
  const banner = failed && serverIssues.length === 0 ? describeApiError(failed) : null

  const submit = (action: 'start' | 'preview', current: BackfillFormState = form) => {
    setLastAction(action)
    const result = toBackfillRequest(current, { districtScoped: districtId !== undefined })
    if (!result.ok) {
      setLocalIssues(result.issues)
      return
    }
    setLocalIssues([])
    if (action === 'preview') return preview.mutate(result.value)
    preview.reset()
    start.mutate(result.value as BackfillRequest, {
      onSuccess: (job) => onBackfillStart?.(job.backfillId),
    })
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    submit('start')
  }
  const patch = (p: Partial<BackfillFormState>) => setForm((f) => ({ ...f, ...p }))
  /** A shown preview follows the reprocess choice, so its counts show the choice's effect. */
  const chooseReprocess = (reprocess: Reprocess) => {
    const next = { ...form, reprocess }
    setForm(next)
    if (lastAction === 'preview' && preview.data) submit('preview', next)
  }
  const busy = start.isPending || preview.isPending

  return (
    <section
      className={`card backfill-form ${className ?? ''}`}
      aria-labelledby="backfill-form-title"
    >
      <h2 id="backfill-form-title">
        {districtId === undefined ? 'Start a backfill' : `Backfill district ${districtId}`}
      </h2>
      <form noValidate onSubmit={onSubmit}>
        <ErrorSummary issues={issues} />
        {banner && (
          <p className="banner banner--error" role="alert">
            {banner}
          </p>
        )}
        <div className="row">
          <FormField id="startDate" label="Start date" errors={errors['startDate']}>
            {(a11y) => (
              <input
                {...a11y}
                type="date"
                value={form.startDate}
                onChange={(e) => patch({ startDate: e.target.value })}
              />
            )}
          </FormField>
          <FormField id="endDate" label="End date" errors={errors['endDate']}>
            {(a11y) => (
              <input
                {...a11y}
                type="date"
                value={form.endDate}
                onChange={(e) => patch({ endDate: e.target.value })}
              />
            )}
          </FormField>
        </div>
        <ReprocessChoice
          value={form.reprocess}
          onChange={chooseReprocess}
          errors={errors['reprocess']}
        />
        {errors['form'] && <p className="field__error">{errors['form'].join(' ')}</p>}
        {showAdvancedOptions && (
          <button
            type="button"
            className="link-button"
            aria-expanded={advancedOpen}
            aria-controls="advanced-options"
            onClick={() => setAdvancedOpen((o) => !o)}
          >
            {advancedOpen ? '▾ Hide advanced options' : '▸ Advanced options'}
          </button>
        )}
        <div id="advanced-options" hidden={!advancedOpen || !showAdvancedOptions}>
          <AdvancedOptions
            form={form}
            errors={errors}
            onChange={patch}
            districtScoped={districtId !== undefined}
            knownDistricts={available.data?.districts.map((d) => d.districtId) ?? []}
          />
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {start.isPending ? 'Starting…' : 'Start backfill'}
          </button>
          <button type="button" disabled={busy} onClick={() => submit('preview')}>
            {preview.isPending ? 'Planning…' : 'Preview (dry run)'}
          </button>
        </div>
      </form>
      {lastAction === 'preview' && preview.data && <PlanPreview plan={preview.data} />}
    </section>
  )
}
