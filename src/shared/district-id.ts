/**
 * District ids as the dashboard spells them: `02`…`09` zero-padded, `10`…`231` plain, letters
 * such as `F` and `U`. They end up in file names and URLs, so they are validated before use.
 */

export type DistrictId = string

export const DISTRICT_ID_RE = /^[A-Z0-9]{1,4}$/

/** What a caller may type: the same characters in either case (checked before upper-casing). */
const RAW_DISTRICT_ID_RE = /^[A-Za-z0-9]{1,4}$/

/**
 * Trims, checks the raw text, then upper-cases; null when the value cannot be a district id.
 * The check comes first because `toUpperCase` maps some non-ASCII letters onto ASCII ones
 * (`ß` → `SS`, `ﬁ` → `FI`), which would turn junk into a valid-looking id.
 */
export function normalizeDistrictId(value: unknown): DistrictId | null {
  if (typeof value !== 'string') return null
  const raw = value.trim()
  return RAW_DISTRICT_ID_RE.test(raw) ? raw.toUpperCase() : null
}

export function isDistrictId(value: unknown): value is DistrictId {
  return typeof value === 'string' && DISTRICT_ID_RE.test(value)
}

export function parseDistrictId(value: unknown, field = 'districtId'): DistrictId {
  const id = normalizeDistrictId(value)
  if (id === null) {
    throw new RangeError(
      `${field} must be 1-4 letters or digits (e.g. 02, 61, F), got ${JSON.stringify(value)}`,
    )
  }
  return id
}

/**
 * Sort order used everywhere ids are listed: numbers numerically, then letters. Ties and letter
 * ids compare by code unit, which for ids of A–Z and 0–9 is the order `localeCompare` gives,
 * without loading ICU's collator (10–25 ms of every CLI process's start).
 */
export function compareDistrictIds(a: DistrictId, b: DistrictId): number {
  const na = /^\d+$/.test(a) ? Number(a) : Number.NaN
  const nb = /^\d+$/.test(b) ? Number(b) : Number.NaN
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb || compareText(a, b)
  if (!Number.isNaN(na)) return -1
  if (!Number.isNaN(nb)) return 1
  return compareText(a, b)
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
