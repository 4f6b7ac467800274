/**
 * The service validates CLI input with the same rules as the API, so its messages name API
 * fields (`collectionType`, `targetDistricts[0]`). People typed flags: this table, used by every
 * command's error path, rewrites those names into the flags that set them.
 */

/** API request field → the flag that sets it. */
export const FIELD_FLAGS: Readonly<Record<string, string>> = {
  startDate: '--from',
  endDate: '--to',
  cadence: '--cadence',
  dates: '--dates',
  targetDistricts: '--districts',
  collectionType: '--strategy',
  concurrency: '--concurrency',
  rateLimitDelayMs: '--delay-ms',
  skipExisting: '--no-skip-existing',
  reprocess: '--reprocess',
  retryFailures: '--no-retry',
  enableCaching: '--no-cache',
  dryRun: '--dry-run',
}

const FIELD_RE = new RegExp(
  `\\b(${Object.keys(FIELD_FLAGS).join('|')})(?![\\w$])(?:\\[(\\d+)\\])?`,
  'g',
)

/** `targetDistricts[1] must be …` → `--districts entry 2 must be …`; other words unchanged. */
export function inFlagTerms(text: string): string {
  return text.replace(FIELD_RE, (_match, field: string, index: string | undefined) => {
    const flag = FIELD_FLAGS[field] ?? field
    return index === undefined ? flag : `${flag} entry ${Number(index) + 1}`
  })
}

/**
 * A settings message names the environment variable; when the value came from a flag, name the
 * flag instead (`UPSTREAM_MAX_REQUESTS must be …` → `--max-requests must be …`).
 */
export function settingInFlagTerms(text: string, typed: ReadonlyMap<string, string>): string {
  let out = text
  for (const [envName, flag] of typed) out = out.replace(new RegExp(`\\b${envName}\\b`, 'g'), flag)
  return out
}
