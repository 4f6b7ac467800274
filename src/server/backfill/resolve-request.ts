/**
 * Validates a backfill request body (README's "Backfill request") and applies the documented defaults, so the rest
 * of the domain only ever sees a complete `ResolvedBackfillRequest`. Every issue names the
 * field and the rule it broke, because the messages go straight back to the API caller.
 */
import { z } from 'zod'
import {
  CADENCES,
  REPROCESS_CHOICES,
  type BackfillRequest,
  type Cadence,
  type ResolvedBackfillRequest,
} from '../../shared/backfill-api.ts'
import { normalizeDistrictId } from '../../shared/district-id.ts'
import { assertIsoDate, diffDays, isIsoDate } from '../../shared/iso-date.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import { ErrorCode } from '../../shared/error-codes.ts'

/** First day of the oldest program year the dashboard archives. */ import { BackfillError } from './errors.ts'
import { datesOfCadence } from './cadence.ts'

export const FIRST_ARCHIVED_DATE: IsoDate = '2008-07-01'
/** Longest range one request may cover, counting both ends. */
export const MAX_RANGE_DAYS = 400
export const MAX_TARGET_DISTRICTS = 200
/** Most as-of days one request may ask for, whatever chose them (cadence or `dates`). */
export const MAX_REQUEST_DATES = 400

export interface RequestIssue {
  /** Field path as the caller wrote it: `startDate`, `targetDistricts[3]`, or `body`. */
  field: string
  message: string
}

export type SafeParseBackfillRequestResult =
  | { ok: true; value: ResolvedBackfillRequest }
  | { ok: false; issues: RequestIssue[] }

export interface ParseRequestContext {
  /** Today's UTC date, from the injected clock: no date after it can have data. */
  today: IsoDate
}

type RequestField = keyof BackfillRequest

const FIELDS: readonly RequestField[] = [
  'targetDistricts',
  'startDate',
  'endDate',
  'cadence',
  'dates',
  'collectionType',
  'concurrency',
  'retryFailures',
  'skipExisting',
  'reprocess',
  'rateLimitDelayMs',
  'enableCaching',
  'dryRun',
]

const COLLECTION_TYPES = ['system-wide', 'per-district', 'auto'] as const

/** Echoes a caller's value in a message without letting a huge value flood it. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

type IssueWithInput = { input?: unknown }

function isoDateField(field: RequestField) {
  const message = (iss: IssueWithInput) =>
    iss.input === undefined
      ? `${field} is required, written YYYY-MM-DD`
      : `${field} must be a real calendar date written YYYY-MM-DD, got ${show(iss.input)}`
  return z.string({ error: message }).refine(isIsoDate, { error: message })
}

function wholeNumber(field: RequestField, min: number, max: number, fallback: number) {
  const message = (iss: IssueWithInput) =>
    `${field} must be a whole number from ${min} to ${max}, got ${show(iss.input)}`
  return z
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message })
    .default(fallback)
}

function flag(field: RequestField, fallback: boolean) {
  return z
    .boolean({ error: (iss) => `${field} must be true or false, got ${show(iss.input)}` })
    .default(fallback)
}

function normalizeTargets(ids: unknown[], ctx: z.RefinementCtx): string[] {
  const out: string[] = []
  ids.forEach((raw, i) => {
    const id = normalizeDistrictId(raw)
    if (id === null) {
      ctx.addIssue({
        code: 'custom',
        path: [i],
        input: raw,
        message: `targetDistricts[${i}] must be 1-4 letters or digits (e.g. 02, 61, F), got ${show(raw)}`,
      })
    } else if (!out.includes(id)) {
      out.push(id)
    }
  })
  return out
}

const targetsMessage = (iss: IssueWithInput) =>
  `targetDistricts must be a list of 1 to ${MAX_TARGET_DISTRICTS} district ids` +
  (Array.isArray(iss.input)
    ? ` (got ${iss.input.length}); omit it to target every configured district`
    : `, got ${show(iss.input)}`)

const datesMessage = (iss: IssueWithInput) =>
  `dates must be a list of 1 to ${MAX_REQUEST_DATES} days written YYYY-MM-DD` +
  (Array.isArray(iss.input) ? ` (got ${iss.input.length})` : `, got ${show(iss.input)}`)

/** Each entry a real date; the list sorted, duplicates dropped. */
function normalizeDates(days: unknown[], ctx: z.RefinementCtx): IsoDate[] {
  days.forEach((raw, i) => {
    if (!isIsoDate(raw))
      ctx.addIssue({
        code: 'custom',
        path: [i],
        input: raw,
        message: `dates[${i}] must be a real calendar date written YYYY-MM-DD, got ${show(raw)}`,
      })
  })
  return [...new Set(days.filter(isIsoDate))].sort()
}

const requestSchema = z.strictObject({
  // null is accepted as "not given" so a resolved request can be posted again unchanged.
  targetDistricts: z
    .array(z.unknown(), { error: targetsMessage })
    .min(1, { error: targetsMessage })
    .max(MAX_TARGET_DISTRICTS, { error: targetsMessage })
    .transform(normalizeTargets)
    .nullable()
    .default(null),
  startDate: isoDateField('startDate').optional(),
  endDate: isoDateField('endDate').optional(),
  cadence: z
    .enum(CADENCES, {
      error: (iss) => `cadence must be one of ${CADENCES.join(', ')}, got ${show(iss.input)}`,
    })
    .nullable()
    .optional(),
  dates: z
    .array(z.unknown(), { error: datesMessage })
    .min(1, { error: datesMessage })
    .max(MAX_REQUEST_DATES, { error: datesMessage })
    .transform(normalizeDates)
    .nullable()
    .optional(),
  collectionType: z
    .enum(COLLECTION_TYPES, {
      error: (iss) =>
        `collectionType must be one of ${COLLECTION_TYPES.join(', ')}, got ${show(iss.input)}`,
    })
    .default('auto'),
  concurrency: wholeNumber('concurrency', 1, 10, 3),
  retryFailures: flag('retryFailures', true),
  skipExisting: z
    .boolean({ error: (iss) => `skipExisting must be true or false, got ${show(iss.input)}` })
    .optional(),
  reprocess: z
    .enum(REPROCESS_CHOICES, {
      error: (iss) =>
        `reprocess must be one of ${REPROCESS_CHOICES.join(', ')}, got ${show(iss.input)}`,
    })
    .optional(),
  rateLimitDelayMs: wholeNumber('rateLimitDelayMs', 0, 60_000, 0),
  enableCaching: flag('enableCaching', true),
  dryRun: flag('dryRun', false),
})

function toIssues(error: z.ZodError, body: unknown): RequestIssue[] {
  return error.issues.flatMap((issue): RequestIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: key,
        message: `${key} is not a known field (allowed: ${FIELDS.join(', ')})`,
      }))
    }
    if (issue.path.length === 0) {
      return [{ field: 'body', message: `request body must be a JSON object, got ${show(body)}` }]
    }
    const field = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('')
    return [{ field, message: issue.message }]
  })
}

/**
 * Rules between the two dates and the calendar. Runs on the raw values as soon as both dates
 * are well formed, so a caller sees these issues together with any other field's.
 */
export function checkDateRange(
  startDate: IsoDate,
  endDate: IsoDate,
  today: IsoDate,
  /** null: an invalid cadence (its own issue), so no length rule applies. */
  cadence: Cadence | null = 'daily',
): RequestIssue[] {
  const issues: RequestIssue[] = []
  const bounds = (field: 'startDate' | 'endDate', date: IsoDate) => {
    if (date < FIRST_ARCHIVED_DATE) {
      issues.push({
        field,
        message: `${field} must not be before ${FIRST_ARCHIVED_DATE}, the first archived program year (got ${date})`,
      })
    } else if (date > today) {
      issues.push({ field, message: `${field} must not be after today (${date} > ${today})` })
    }
  }
  bounds('startDate', startDate)
  if (endDate !== startDate) bounds('endDate', endDate)
  if (endDate < startDate) {
    issues.push({
      field: 'endDate',
      message: `endDate must not be before startDate (${endDate} < ${startDate})`,
    })
  } else if (cadence === 'daily') {
    const days = diffDays(startDate, endDate) + 1
    if (days > MAX_RANGE_DAYS) {
      issues.push({
        field: 'endDate',
        message: `the date range must span at most ${MAX_RANGE_DAYS} days (${startDate}..${endDate} is ${days} days); a cadence other than daily may span more`,
      })
    }
  } else if (cadence !== null) {
    const chosen = datesOfCadence(cadence, startDate, endDate).length
    if (chosen === 0)
      issues.push({
        field: 'cadence',
        message: `cadence ${cadence} chooses no as-of day in ${startDate}..${endDate}; widen the range`,
      })
    else if (chosen > MAX_REQUEST_DATES)
      issues.push({
        field: 'endDate',
        message: `cadence ${cadence} chooses ${chosen} days in ${startDate}..${endDate}, at most ${MAX_REQUEST_DATES} are allowed`,
      })
  }
  return issues
}

/**
 * Rules of an explicit `dates` list: not with a cadence; startDate and endDate, when given,
 * bound every entry; each entry inside the archive and not after today.
 */
function checkDatesList(
  days: readonly IsoDate[],
  start: IsoDate | undefined,
  end: IsoDate | undefined,
  cadence: unknown,
  today: IsoDate,
): RequestIssue[] {
  const issues: RequestIssue[] = []
  if (cadence !== undefined && cadence !== null)
    issues.push({
      field: 'cadence',
      message:
        'cadence and dates are mutually exclusive: give a cadence with startDate/endDate, or a dates list',
    })
  const first = start ?? days[0]
  const last = end ?? days.at(-1)
  days.forEach((day) => {
    const at = `dates[${days.indexOf(day)}]`
    if (day < FIRST_ARCHIVED_DATE)
      issues.push({
        field: at,
        message: `${at} must not be before ${FIRST_ARCHIVED_DATE}, the first archived program year (got ${day})`,
      })
    else if (day > today)
      issues.push({ field: at, message: `${at} must not be after today (${day} > ${today})` })
    else if ((first !== undefined && day < first) || (last !== undefined && day > last))
      issues.push({
        field: at,
        message: `${at} (${day}) must lie within startDate..endDate (${first}..${last})`,
      })
  })
  return issues
}

function rawDates(body: unknown): { start: IsoDate; end: IsoDate } | null {
  if (typeof body !== 'object' || body === null) return null
  const { startDate, endDate, dates } = body as Record<string, unknown>
  if (dates !== undefined && dates !== null) return null
  if (!isIsoDate(startDate)) return null
  if (endDate === undefined) return { start: startDate, end: startDate }
  return isIsoDate(endDate) ? { start: startDate, end: endDate } : null
}

/** Validates and defaults a request body; never throws on bad input. */
export function safeParseBackfillRequest(
  body: unknown,
  context: ParseRequestContext,
): SafeParseBackfillRequestResult {
  assertIsoDate(context.today, 'today')
  const parsed = requestSchema.safeParse(body)
  const range = rawDates(body)
  const rawCadence = (body as { cadence?: unknown } | null)?.cadence
  const known = CADENCES.find((c) => c === rawCadence)
  const cadence = known ?? (rawCadence === undefined || rawCadence === null ? 'daily' : null)
  const issues = [
    ...(parsed.success ? [] : toIssues(parsed.error, body)),
    ...(range ? checkDateRange(range.start, range.end, context.today, cadence) : []),
  ]
  if (parsed.success) {
    const v = parsed.data
    if (v.reprocess !== undefined && v.skipExisting !== undefined) {
      if (v.skipExisting !== (v.reprocess !== 'all'))
        issues.push({
          field: 'reprocess',
          message: `reprocess ${v.reprocess} contradicts skipExisting ${v.skipExisting} (skipExisting false is reprocess all); give one of the two`,
        })
    }
    if (v.dates)
      issues.push(...checkDatesList(v.dates, v.startDate, v.endDate, v.cadence, context.today))
    else if (v.startDate === undefined)
      issues.push({
        field: 'startDate',
        message: 'startDate is required, written YYYY-MM-DD (or give a dates list)',
      })
  }
  if (!parsed.success || issues.length > 0) return { ok: false, issues }
  const { dates, cadence: _cadence, skipExisting, reprocess, ...value } = parsed.data
  const choice = reprocess ?? (skipExisting === false ? 'all' : 'missing-and-failed')
  const startDate = value.startDate ?? dates?.[0] ?? ''
  const endDate = value.endDate ?? (dates ? (dates.at(-1) ?? startDate) : startDate)
  return {
    ok: true,
    value: {
      ...value,
      skipExisting: choice !== 'all',
      reprocess: choice,
      startDate,
      endDate,
      cadence: dates ? null : (cadence ?? 'daily'),
      dates: dates ?? null,
    },
  }
}

/** The same validation, throwing the service's VALIDATION_ERROR (issues in `details`). */
export function parseBackfillRequest(
  body: unknown,
  context: ParseRequestContext,
): ResolvedBackfillRequest {
  const parsed = safeParseBackfillRequest(body, context)
  if (parsed.ok) return parsed.value
  const first = parsed.issues[0]
  throw new BackfillError(
    ErrorCode.VALIDATION_ERROR,
    first ? `${first.field}: ${first.message}` : 'invalid request',
    parsed.issues,
  )
}
