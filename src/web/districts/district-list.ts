/**
 * Pure helpers of the configured-districts editor: the text field holds ids separated by commas
 * or spaces; these parse it, and add or drop one id without touching the others.
 */
import { normalizeDistrictId } from '../../shared/district-id.ts'
import { ApiError, describeApiError } from '../api/api-error.ts'

/** The server's limit on one `PUT /api/districts` list. */
export const MAX_CONFIGURED_DISTRICTS = 500

export const EMPTY_LIST_MESSAGE =
  'Enter at least one district id. An empty list means “every district in each date’s summary”, ' +
  'and there is no “clear all”: remove the ids one by one with their × buttons instead.'

export type DistrictListParse = { ids: string[] } | { error: string }

function tokensOf(text: string): string[] {
  return text.split(/[\s,]+/).filter((t) => t !== '')
}

/** `61, 21 f` → `{ ids: ['61', '21', 'F'] }`; upper-cased, first occurrence kept, validated. */
export function safeParseDistrictList(text: string): DistrictListParse {
  const tokens = tokensOf(text)
  if (tokens.length === 0) return { error: EMPTY_LIST_MESSAGE }
  const bad = tokens.filter((t) => normalizeDistrictId(t) === null)
  if (bad.length > 0) {
    const quoted = bad.map((t) => `“${t}”`).join(', ')
    return {
      error: `Not ${bad.length === 1 ? 'a district id' : 'district ids'}: ${quoted}. A district id is 1-4 letters or digits, e.g. 61, 21, F.`,
    }
  }
  const ids = [...new Set(tokens.flatMap((t) => normalizeDistrictId(t) ?? []))]
  if (ids.length > MAX_CONFIGURED_DISTRICTS) {
    return { error: `At most ${MAX_CONFIGURED_DISTRICTS} districts (this list has ${ids.length}).` }
  }
  return { ids }
}

export function formatDistrictList(ids: readonly string[]): string {
  return ids.join(', ')
}

/** The ids the text names, upper-cased, whether or not the rest of it is valid. */
export function districtsInText(text: string): Set<string> {
  return new Set(tokensOf(text).map((t) => t.toUpperCase()))
}

/** Appends `id` unless the text already names it (in any case); other entries stay as typed. */
export function addDistrictToText(text: string, id: string): string {
  if (districtsInText(text).has(id.toUpperCase())) return text
  return formatDistrictList([...tokensOf(text), id])
}

/** Drops every mention of `id`, so a later Save does not bring a removed district back. */
export function removeDistrictFromText(text: string, id: string): string {
  const tokens = tokensOf(text)
  const kept = tokens.filter((t) => t.toUpperCase() !== id.toUpperCase())
  return kept.length === tokens.length ? text : formatDistrictList(kept)
}

/**
 * Where a failed save is shown: a 400 names the field in its message, so it goes under the
 * text field; anything else (401, 403, network) is a banner.
 */
export function saveProblemOf(error: unknown): { field: string | null; banner: string | null } {
  if (!error) return { field: null, banner: null }
  if (error instanceof ApiError && error.status === 400) {
    return { field: `The server refused the list: ${error.message}`, banner: null }
  }
  return { field: null, banner: describeApiError(error) }
}
