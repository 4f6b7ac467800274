/**
 * Bodies without a footer line (docs/upstream.md#footer-less-bodies): taken from an archive path
 * for the as-of asked for, refused from the root, end to end through a backfill.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Stack } from '../helpers/stack.ts'
import type { Json } from '../helpers/jobs.ts'
import { runJob, startBackfillStack } from './backfill-harness.ts'

const ARCHIVE_DATE = '2025-03-18'
const ROOT_DATE = '2026-10-05'

let stack: Stack

beforeAll(async () => {
  stack = await startBackfillStack({
    sim: {
      faults: [
        { kind: 'no-footer', match: { pathKind: 'archive', asOf: ARCHIVE_DATE } },
        { kind: 'no-footer', match: { pathKind: 'root', asOf: ROOT_DATE } },
      ],
    },
  })
}, 60_000)

afterAll(() => stack.close())

describe('footer-less bodies', () => {
  it('stores an archive date whose four bodies have no footer, with footer: null in provenance', async () => {
    const job = await runJob(stack, {
      startDate: ARCHIVE_DATE,
      endDate: ARCHIVE_DATE,
      targetDistricts: ['61'],
    })
    expect(job.status).toBe('complete')
    const r = await stack.api<Json>('GET', `/api/snapshots/${ARCHIVE_DATE}/districts/61`)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ asOf: ARCHIVE_DATE, detail: 'full', programYear: '2024-2025' })
    const sources = r.body.provenance.sources as Json[]
    expect(sources.map((s) => s.report).sort()).toEqual([
      'clubperformance',
      'districtperformance',
      'districtsummary',
      'divisionperformance',
    ])
    expect(sources.every((s) => s.footer === null && s.url.includes('/2024-2025/'))).toBe(true)
    expect(r.body.statistics.clubs).toHaveLength(
      stack.sim.truth.clubs('61', ARCHIVE_DATE)?.length ?? -1,
    )
  })

  it('refuses a root body without footer (UPSTREAM_NO_FOOTER) and stores nothing for it', async () => {
    const job = await runJob(stack, {
      startDate: ROOT_DATE,
      endDate: ROOT_DATE,
      targetDistricts: ['61'],
    })
    expect(job.status).not.toBe('complete')
    expect(JSON.stringify(job)).toContain('UPSTREAM_NO_FOOTER')
    const r = await stack.api<Json>('GET', `/api/snapshots/${ROOT_DATE}/districts/61`)
    expect(r.status).toBe(404)
  })
})
