import { describe, expect, it } from 'vitest'
import {
  defaultFormState,
  issuesByField,
  safeParseDistrictList,
  toBackfillRequest,
  type BackfillFormState,
} from './request-form.ts'

const form = (patch: Partial<BackfillFormState> = {}): BackfillFormState => ({
  ...defaultFormState('2026-11-29'),
  startDate: '2026-11-01',
  endDate: '2026-11-05',
  ...patch,
})

describe('defaultFormState', () => {
  it('starts at yesterday, the newest date that can be published, with the server defaults', () => {
    const f = defaultFormState('2026-03-01')
    expect([f.startDate, f.endDate]).toEqual(['2026-02-28', '2026-02-28'])
    expect(f).toMatchObject({
      collectionType: 'auto',
      concurrency: '3',
      retryFailures: true,
      reprocess: 'missing-and-failed',
      enableCaching: true,
    })
  })
})

describe('toBackfillRequest', () => {
  it('sends every option explicitly, exactly as the form shows it', () => {
    const result = toBackfillRequest(
      form({
        districts: '61, 02 f',
        cadence: 'month-end',
        collectionType: 'per-district',
        concurrency: '5',
        retryFailures: false,
        reprocess: 'missing',
        rateLimitDelayMs: '250',
        enableCaching: false,
      }),
    )
    expect(result).toEqual({
      ok: true,
      value: {
        startDate: '2026-11-01',
        endDate: '2026-11-05',
        cadence: 'month-end',
        targetDistricts: ['61', '02', 'F'],
        collectionType: 'per-district',
        concurrency: 5,
        retryFailures: false,
        reprocess: 'missing',
        rateLimitDelayMs: 250,
        enableCaching: false,
      },
    })
  })

  it('leaves targets out when none are typed, so the configured scope applies', () => {
    const result = toBackfillRequest(form())
    expect(result.ok && 'targetDistricts' in result.value).toBe(false)
  })

  it('uses the start date as the end date when the end is empty', () => {
    const result = toBackfillRequest(form({ endDate: '' }))
    expect(result.ok && result.value.endDate).toBe('2026-11-01')
  })

  it('rejects an end date before the start date, on the endDate field', () => {
    const result = toBackfillRequest(form({ startDate: '2026-11-05', endDate: '2026-11-01' }))
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          field: 'endDate',
          message: 'endDate must not be before startDate (2026-11-01 < 2026-11-05)',
        },
      ],
    })
  })

  it('names each bad field: missing start, impossible date, bad ids, out-of-range numbers', () => {
    const missing = toBackfillRequest(form({ startDate: '', endDate: '' }))
    expect(!missing.ok && missing.issues.map((i) => i.field)).toEqual(['startDate'])
    const result = toBackfillRequest(
      form({
        startDate: '2026-02-30',
        districts: '61, D-61',
        concurrency: '11',
        rateLimitDelayMs: '1.5',
      }),
    )
    expect(!result.ok && result.issues.map((i) => i.field)).toEqual([
      'startDate',
      'targetDistricts',
      'concurrency',
      'rateLimitDelayMs',
    ])
  })

  it('ignores the district list on the district page, where the route names the district', () => {
    const result = toBackfillRequest(form({ districts: 'D-61' }), { districtScoped: true })
    expect(result.ok && 'targetDistricts' in result.value).toBe(false)
  })
})

describe('safeParseDistrictList', () => {
  it('upper-cases, keeps the dashboard spelling, drops duplicates and reports malformed ids', () => {
    expect(safeParseDistrictList(' 02,61;f 61  toolong ')).toEqual({
      ids: ['02', '61', 'F'],
      bad: ['toolong'],
    })
  })
})

describe('issuesByField', () => {
  it('puts array items and body-prefixed names at their form field and the rest at the form', () => {
    expect(
      issuesByField([
        { field: 'targetDistricts[1]', message: 'bad id' },
        { field: 'body.endDate', message: 'too late' },
        { field: 'districts', message: 'districts is not a known field' },
      ]),
    ).toEqual({
      targetDistricts: ['bad id'],
      endDate: ['too late'],
      form: ['districts is not a known field'],
    })
  })
})
