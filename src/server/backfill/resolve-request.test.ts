import { describe, expect, it } from 'vitest'
import { safeParseBackfillRequest } from './resolve-request.ts'

const today = '2026-03-09'
const parse = (body: unknown) => safeParseBackfillRequest(body, { today })

function issuesOf(body: unknown) {
  const result = parse(body)
  if (result.ok) throw new Error(`expected issues for ${JSON.stringify(body)}`)
  return result.issues
}

describe('safeParseBackfillRequest', () => {
  it('fills every default from a request with only a start date', () => {
    expect(parse({ startDate: '2026-03-01' })).toEqual({
      ok: true,
      value: {
        targetDistricts: null,
        startDate: '2026-03-01',
        endDate: '2026-03-01',
        cadence: 'daily',
        dates: null,
        collectionType: 'auto',
        concurrency: 3,
        retryFailures: true,
        skipExisting: true,
        reprocess: 'missing-and-failed',
        rateLimitDelayMs: 0,
        enableCaching: true,
        dryRun: false,
      },
    })
  })

  it('keeps every explicit value', () => {
    const body = {
      targetDistricts: ['61'],
      startDate: '2026-01-01',
      endDate: '2026-01-31',
      cadence: 'weekly',
      dates: null,
      collectionType: 'per-district',
      concurrency: 10,
      retryFailures: false,
      skipExisting: false,
      reprocess: 'all',
      rateLimitDelayMs: 60_000,
      enableCaching: false,
      dryRun: true,
    }
    expect(parse(body)).toEqual({ ok: true, value: body })
  })

  it('accepts its own resolved output again (null targets)', () => {
    const first = parse({ startDate: '2026-03-01' })
    if (!first.ok) throw new Error('first parse failed')
    expect(parse(first.value)).toEqual(first)
  })

  it('resolves reprocess and skipExisting into one consistent choice', () => {
    const resolved = (body: object) => {
      const r = parse({ startDate: '2026-03-01', ...body })
      return r.ok ? [r.value.reprocess, r.value.skipExisting] : r.issues
    }
    expect(resolved({ skipExisting: false })).toEqual(['all', false])
    expect(resolved({ skipExisting: true })).toEqual(['missing-and-failed', true])
    expect(resolved({ reprocess: 'missing' })).toEqual(['missing', true])
    expect(resolved({ reprocess: 'all' })).toEqual(['all', false])
    expect(resolved({ reprocess: 'missing', skipExisting: true })).toEqual(['missing', true])
    expect(resolved({ reprocess: 'all', skipExisting: false })).toEqual(['all', false])
  })

  it('rejects a reprocess choice that contradicts skipExisting, or an unknown one', () => {
    expect(
      issuesOf({ startDate: '2026-03-01', reprocess: 'missing', skipExisting: false }),
    ).toEqual([
      {
        field: 'reprocess',
        message:
          'reprocess missing contradicts skipExisting false (skipExisting false is reprocess all); give one of the two',
      },
    ])
    expect(issuesOf({ startDate: '2026-03-01', reprocess: 'all', skipExisting: true })).toEqual([
      {
        field: 'reprocess',
        message:
          'reprocess all contradicts skipExisting true (skipExisting false is reprocess all); give one of the two',
      },
    ])
    expect(issuesOf({ startDate: '2026-03-01', reprocess: 'failed' })).toEqual([
      {
        field: 'reprocess',
        message: 'reprocess must be one of missing, missing-and-failed, all, got "failed"',
      },
    ])
  })

  it('requires startDate', () => {
    expect(issuesOf({})).toEqual([
      {
        field: 'startDate',
        message: 'startDate is required, written YYYY-MM-DD (or give a dates list)',
      },
    ])
  })

  it.each([['2026-02-30'], ['2026-3-01'], ['yesterday'], [20260301]])(
    'rejects a start date that is not a real ISO date: %s',
    (startDate) => {
      expect(issuesOf({ startDate })).toEqual([
        {
          field: 'startDate',
          message: `startDate must be a real calendar date written YYYY-MM-DD, got ${JSON.stringify(startDate)}`,
        },
      ])
    },
  )

  it('rejects an end date before the start date, naming both', () => {
    expect(issuesOf({ startDate: '2026-03-05', endDate: '2026-03-01' })).toEqual([
      {
        field: 'endDate',
        message: 'endDate must not be before startDate (2026-03-01 < 2026-03-05)',
      },
    ])
  })

  it('rejects dates before the first archived program year', () => {
    expect(issuesOf({ startDate: '2008-06-30', endDate: '2008-07-01' })).toEqual([
      {
        field: 'startDate',
        message:
          'startDate must not be before 2008-07-01, the first archived program year (got 2008-06-30)',
      },
    ])
    expect(parse({ startDate: '2008-07-01' }).ok).toBe(true)
  })

  it('rejects dates after today', () => {
    expect(issuesOf({ startDate: '2026-03-08', endDate: '2026-03-10' })).toEqual([
      { field: 'endDate', message: 'endDate must not be after today (2026-03-10 > 2026-03-09)' },
    ])
    expect(issuesOf({ startDate: '2026-03-10' })).toEqual([
      {
        field: 'startDate',
        message: 'startDate must not be after today (2026-03-10 > 2026-03-09)',
      },
    ])
    expect(parse({ startDate: today }).ok).toBe(true)
  })

  it('allows 400 days and rejects 401', () => {
    expect(parse({ startDate: '2025-02-03', endDate: '2026-03-09' }).ok).toBe(true)
    expect(issuesOf({ startDate: '2025-02-02', endDate: '2026-03-09' })).toEqual([
      {
        field: 'endDate',
        message:
          'the date range must span at most 400 days (2025-02-02..2026-03-09 is 401 days); a cadence other than daily may span more',
      },
    ])
  })

  it('takes an explicit dates list: sorted, deduplicated, the range from its ends', () => {
    const result = parse({ dates: ['2026-02-05', '2025-12-31', '2026-02-05'] })
    expect(result.ok && result.value).toMatchObject({
      startDate: '2025-12-31',
      endDate: '2026-02-05',
      cadence: null,
      dates: ['2025-12-31', '2026-02-05'],
    })
    if (!result.ok) throw new Error('parse failed')
    expect(parse(result.value)).toEqual(result)
  })

  it('refuses cadence together with dates, and names each bad entry', () => {
    expect(issuesOf({ dates: ['2026-02-05'], cadence: 'month-end' })).toEqual([
      {
        field: 'cadence',
        message:
          'cadence and dates are mutually exclusive: give a cadence with startDate/endDate, or a dates list',
      },
    ])
    expect(issuesOf({ dates: ['2026-02-05', '2026-02-30'] })).toEqual([
      {
        field: 'dates[1]',
        message: 'dates[1] must be a real calendar date written YYYY-MM-DD, got "2026-02-30"',
      },
    ])
    expect(issuesOf({ dates: [] })[0]?.field).toBe('dates')
    expect(issuesOf({ dates: ['2026-03-10'] })).toEqual([
      { field: 'dates[0]', message: 'dates[0] must not be after today (2026-03-10 > 2026-03-09)' },
    ])
    expect(
      issuesOf({ startDate: '2026-01-01', endDate: '2026-01-31', dates: ['2026-02-05'] }),
    ).toEqual([
      {
        field: 'dates[0]',
        message:
          'dates[0] (2026-02-05) must lie within startDate..endDate (2026-01-01..2026-01-31)',
      },
    ])
  })

  it('lets month-end span nine years where daily may span 400 days, and names a bad cadence', () => {
    const body = { startDate: '2017-07-01', endDate: '2026-03-09' }
    expect(parse({ ...body, cadence: 'month-end' }).ok).toBe(true)
    expect(issuesOf(body)[0]?.field).toBe('endDate')
    expect(issuesOf({ ...body, cadence: 'monthly' })).toEqual([
      {
        field: 'cadence',
        message: 'cadence must be one of daily, weekly, month-end, year-end, got "monthly"',
      },
    ])
    expect(
      issuesOf({ startDate: '2026-02-10', endDate: '2026-02-20', cadence: 'month-end' }),
    ).toEqual([
      {
        field: 'cadence',
        message:
          'cadence month-end chooses no as-of day in 2026-02-10..2026-02-20; widen the range',
      },
    ])
  })

  it('normalises district ids and collapses duplicates in first-seen order', () => {
    const result = parse({ startDate: today, targetDistricts: [' f ', '61', 'F', '02', '61'] })
    expect(result.ok && result.value.targetDistricts).toEqual(['F', '61', '02'])
  })

  it('names each malformed district id with its index and value', () => {
    expect(issuesOf({ startDate: today, targetDistricts: ['61', 'D-61', 7, '12345'] })).toEqual([
      {
        field: 'targetDistricts[1]',
        message: 'targetDistricts[1] must be 1-4 letters or digits (e.g. 02, 61, F), got "D-61"',
      },
      {
        field: 'targetDistricts[2]',
        message: 'targetDistricts[2] must be 1-4 letters or digits (e.g. 02, 61, F), got 7',
      },
      {
        field: 'targetDistricts[3]',
        message: 'targetDistricts[3] must be 1-4 letters or digits (e.g. 02, 61, F), got "12345"',
      },
    ])
  })

  it('rejects an empty or oversized target list and a non-list', () => {
    expect(issuesOf({ startDate: today, targetDistricts: [] })).toEqual([
      {
        field: 'targetDistricts',
        message:
          'targetDistricts must be a list of 1 to 200 district ids (got 0); omit it to target every configured district',
      },
    ])
    const many = Array.from({ length: 201 }, (_, i) => String(i + 1))
    expect(issuesOf({ startDate: today, targetDistricts: many })[0]?.message).toContain('(got 201)')
    expect(issuesOf({ startDate: today, targetDistricts: '61' })).toEqual([
      {
        field: 'targetDistricts',
        message: 'targetDistricts must be a list of 1 to 200 district ids, got "61"',
      },
    ])
  })

  it.each([
    ['concurrency', 0, 'concurrency must be a whole number from 1 to 10, got 0'],
    ['concurrency', 11, 'concurrency must be a whole number from 1 to 10, got 11'],
    ['concurrency', 2.5, 'concurrency must be a whole number from 1 to 10, got 2.5'],
    ['concurrency', '3', 'concurrency must be a whole number from 1 to 10, got "3"'],
    ['rateLimitDelayMs', -1, 'rateLimitDelayMs must be a whole number from 0 to 60000, got -1'],
    [
      'rateLimitDelayMs',
      60_001,
      'rateLimitDelayMs must be a whole number from 0 to 60000, got 60001',
    ],
    ['retryFailures', 'yes', 'retryFailures must be true or false, got "yes"'],
    ['skipExisting', 1, 'skipExisting must be true or false, got 1'],
    ['enableCaching', null, 'enableCaching must be true or false, got null'],
    ['dryRun', 'false', 'dryRun must be true or false, got "false"'],
    [
      'collectionType',
      'targeted',
      'collectionType must be one of system-wide, per-district, auto, got "targeted"',
    ],
  ])('rejects %s = %j', (field, value, message) => {
    expect(issuesOf({ startDate: today, [field]: value })).toEqual([{ field, message }])
  })

  it('rejects unknown fields, one issue each', () => {
    const issues = issuesOf({ startDate: today, districts: ['61'], force: true })
    expect(issues.map((i) => i.field)).toEqual(['districts', 'force'])
    expect(issues[0]?.message).toMatch(
      /^districts is not a known field \(allowed: targetDistricts, /,
    )
  })

  it('rejects a body that is not an object', () => {
    expect(issuesOf([1])).toEqual([
      { field: 'body', message: 'request body must be a JSON object, got [1]' },
    ])
    expect(issuesOf(null)).toEqual([
      { field: 'body', message: 'request body must be a JSON object, got null' },
    ])
  })

  it('reports date rules together with other fields', () => {
    const issues = issuesOf({ startDate: '2026-03-05', endDate: '2026-03-01', concurrency: 0 })
    expect(issues.map((i) => i.field).sort()).toEqual(['concurrency', 'endDate'])
  })

  it('shortens a huge echoed value', () => {
    const message = issuesOf({ startDate: 'x'.repeat(500) })[0]?.message ?? ''
    expect(message.length).toBeLessThan(160)
    expect(message.endsWith('...')).toBe(true)
  })

  it('refuses a malformed today: a programming error, not a request issue', () => {
    expect(() => safeParseBackfillRequest({ startDate: today }, { today: '2026-13-01' })).toThrow(
      RangeError,
    )
  })
})
