/**
 * The backfill form's state and its translation into a BackfillRequest. Every option is sent
 * explicitly, so what the user saw is what the server runs. Checks here catch what can be
 * known without the server; the server's own 400s are shown the same way, by field.
 */
import type {
  BackfillRequest,
  Cadence,
  CollectionType,
  Reprocess,
} from '../../shared/backfill-api.ts'
import { normalizeDistrictId } from '../../shared/district-id.ts'
import { addDays, isIsoDate } from '../../shared/iso-date.ts'
import type { FieldIssue } from '../api/api-error.ts'

export interface BackfillFormState {
  startDate: string
  endDate: string
  /** Which days of the range are asked for (README's "Backfill request"). */
  cadence: Cadence
  /** Comma- or space-separated district ids; empty = the configured scope. */
  districts: string
  collectionType: CollectionType
  concurrency: string
  retryFailures: boolean
  /** Which cells are fetched again (it also decides skipExisting on the server). */
  reprocess: Reprocess
  rateLimitDelayMs: string
  enableCaching: boolean
}

export type FormField = keyof BackfillFormState

/** The server's defaults (README's "Backfill request"), and yesterday: the newest date that can be published. */
export function defaultFormState(today: string): BackfillFormState {
  const yesterday = addDays(today, -1)
  return {
    startDate: yesterday,
    endDate: yesterday,
    cadence: 'daily',
    districts: '',
    collectionType: 'auto',
    concurrency: '3',
    retryFailures: true,
    reprocess: 'missing-and-failed',
    rateLimitDelayMs: '0',
    enableCaching: true,
  }
}

export type ToRequestResult =
  | { ok: true; value: BackfillRequest }
  | { ok: false; issues: FieldIssue[] }

function wholeNumber(
  text: string,
  field: FormField,
  min: number,
  max: number,
  issues: FieldIssue[],
): number {
  const value = Number(text.trim())
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    issues.push({ field, message: `${field} must be a whole number from ${min} to ${max}` })
  }
  return value
}

export function safeParseDistrictList(text: string): { ids: string[]; bad: string[] } {
  const ids: string[] = []
  const bad: string[] = []
  for (const raw of text.split(/[\s,;]+/).filter(Boolean)) {
    const id = normalizeDistrictId(raw)
    if (id === null) bad.push(raw)
    else if (!ids.includes(id)) ids.push(id)
  }
  return { ids, bad }
}

function checkDates(form: BackfillFormState, issues: FieldIssue[]): string {
  const start = form.startDate.trim()
  const end = form.endDate.trim() === '' ? start : form.endDate.trim()
  if (start === '') issues.push({ field: 'startDate', message: 'startDate is required' })
  else if (!isIsoDate(start))
    issues.push({ field: 'startDate', message: 'startDate must be a real date (YYYY-MM-DD)' })
  if (!isIsoDate(end)) {
    if (start !== '')
      issues.push({ field: 'endDate', message: 'endDate must be a real date (YYYY-MM-DD)' })
  } else if (isIsoDate(start) && end < start) {
    issues.push({
      field: 'endDate',
      message: `endDate must not be before startDate (${end} < ${start})`,
    })
  }
  return end
}

/**
 * Form → request body. `districtScoped`: the route names the district, so no targets are sent.
 */
export function toBackfillRequest(
  form: BackfillFormState,
  options: { districtScoped?: boolean } = {},
): ToRequestResult {
  const issues: FieldIssue[] = []
  const endDate = checkDates(form, issues)
  const { ids, bad } = safeParseDistrictList(form.districts)
  if (!options.districtScoped && bad.length > 0) {
    issues.push({
      field: 'targetDistricts',
      message: `district ids must be 1-4 letters or digits (e.g. 02, 61, F); not ${bad.join(', ')}`,
    })
  }
  const concurrency = wholeNumber(form.concurrency, 'concurrency', 1, 10, issues)
  const rateLimitDelayMs = wholeNumber(form.rateLimitDelayMs, 'rateLimitDelayMs', 0, 60_000, issues)
  if (issues.length > 0) return { ok: false, issues }
  const value: BackfillRequest = {
    startDate: form.startDate.trim(),
    endDate,
    cadence: form.cadence,
    collectionType: form.collectionType,
    concurrency,
    retryFailures: form.retryFailures,
    reprocess: form.reprocess,
    rateLimitDelayMs,
    enableCaching: form.enableCaching,
  }
  if (!options.districtScoped && ids.length > 0) value.targetDistricts = ids
  return { ok: true, value }
}

/**
 * Groups issues under the form field they belong to: the server names array items
 * (`targetDistricts[1]`) and the form shows them at the list; unknown fields go to `form`.
 */
export function issuesByField(issues: readonly FieldIssue[]): Record<string, string[]> {
  const known = new Set<string>([
    'startDate',
    'endDate',
    'targetDistricts',
    'collectionType',
    'concurrency',
    'retryFailures',
    'skipExisting',
    'reprocess',
    'rateLimitDelayMs',
    'enableCaching',
  ])
  const out: Record<string, string[]> = {}
  for (const issue of issues) {
    const head = issue.field.replace(/^body\./, '').split(/[.[]/)[0] ?? ''
    const key = known.has(head) ? head : 'form'
    ;(out[key] ??= []).push(issue.message)
  }
  return out
}
