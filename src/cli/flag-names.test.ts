import { describe, expect, it } from 'vitest'
import { inFlagTerms, settingInFlagTerms } from './flag-names.ts'

describe('inFlagTerms', () => {
  it('names the flags that set the API fields a message mentions', () => {
    expect(inFlagTerms('endDate must not be before startDate (2026-10-01 < 2026-10-05)')).toBe(
      '--to must not be before --from (2026-10-01 < 2026-10-05)',
    )
    expect(inFlagTerms('rateLimitDelayMs must be a whole number from 0 to 60000, got -1')).toBe(
      '--delay-ms must be a whole number from 0 to 60000, got -1',
    )
  })

  it('names the entry of a list field by its position on the command line', () => {
    expect(inFlagTerms('targetDistricts[0] must be 1-4 letters or digits, got "x!"')).toBe(
      '--districts entry 1 must be 1-4 letters or digits, got "x!"',
    )
  })

  it('leaves words that merely start like a field alone', () => {
    expect(inFlagTerms('startDates and the date range')).toBe('startDates and the date range')
  })
})

describe('settingInFlagTerms', () => {
  it('names the flag only for settings given as flags', () => {
    const typed = new Map([['UPSTREAM_MAX_REQUESTS', '--max-requests']])
    expect(settingInFlagTerms('UPSTREAM_MAX_REQUESTS must be a whole number', typed)).toBe(
      '--max-requests must be a whole number',
    )
    expect(settingInFlagTerms('UPSTREAM_WINDOW_MS must be a whole number', typed)).toBe(
      'UPSTREAM_WINDOW_MS must be a whole number',
    )
  })
})
