/**
 * Truthfulness under hostile answers (docs/upstream.md#accepting-a-body): an HTML page served with 200, a footer with
 * another as-of, and a stale body (another date's, byte for byte) are never stored as the data of
 * the date asked for. The affected cells end failed; every stored file's sources carry footers of
 * the snapshot's own date.
 */
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, startJob, waitForJob, type Json } from '../helpers/jobs.ts'
import { startResilienceStack } from './resilience-harness.ts'

const DATES = ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06']
const DISTRICTS = ['21', '61']

/** Cells (date|district) that the faults below make impossible to collect truthfully. */
const POISONED = new Set([
  '2026-11-02|21',
  '2026-11-03|61',
  '2026-11-04|61',
  '2026-11-05|21',
  '2026-11-05|61',
  '2026-11-06|21',
  '2026-11-06|61',
])

let stack: Stack
let job: BackfillResponse
beforeAll(async () => {
  stack = await startResilienceStack({ env: { UPSTREAM_MAX_REQUESTS: '0' } })
  await configureDistricts(stack, DISTRICTS)
  stack.sim.setFaults([
    // An error page with status 200, for one district's report on one date.
    {
      kind: 'html-error',
      match: { report: 'clubperformance', districtId: '21', asOf: '2026-11-02' },
    },
    // Every report of one district on one date says it is the day before.
    { kind: 'wrong-as-of', shiftDays: -1, match: { districtId: '61', asOf: '2026-11-03' } },
    // One district on one date gets the body of another date (footer included).
    { kind: 'stale', asOf: '2026-11-02', match: { districtId: '61', asOf: '2026-11-04' } },
    // A whole date: its summary is an error page...
    { kind: 'html-error', match: { report: 'districtsummary', asOf: '2026-11-05' } },
    // ...and another date's summary is a stale copy of an earlier day.
    { kind: 'stale', asOf: '2026-11-02', match: { report: 'districtsummary', asOf: '2026-11-06' } },
  ])
  const started = await startJob(stack, {
    startDate: DATES[0],
    endDate: DATES.at(-1),
    collectionType: 'per-district',
  })
  job = await waitForJob(stack, started.backfillId)
})
afterAll(() => stack.close())

describe('hostile answers', () => {
  it('fail exactly the poisoned cells and keep the others', () => {
    expect(job.status).toBe('partial_success')
    for (const id of DISTRICTS) {
      const progress = job.progress.districtProgress[id]
      const poisoned = DATES.filter((d) => POISONED.has(`${d}|${id}`))
      expect(progress?.failedDates.sort(), id).toEqual(poisoned)
      expect(progress?.successfulDates.sort(), id).toEqual(
        DATES.filter((d) => !POISONED.has(`${d}|${id}`)),
      )
    }
    const codes = new Map(
      (job.partialSnapshots ?? []).flatMap((s) =>
        s.errors.map((e) => [`${s.snapshotId}|${e.districtId}`, e.code] as const),
      ),
    )
    expect(codes.get('2026-11-02|21')).toBe('UPSTREAM_HTML')
    expect(codes.get('2026-11-03|61')).toBe('UPSTREAM_WRONG_AS_OF')
    expect(codes.get('2026-11-04|61')).toBe('UPSTREAM_WRONG_AS_OF')
  })

  it('store no district file for a poisoned cell', async () => {
    for (const cell of POISONED) {
      const [date, id] = cell.split('|')
      const r = await stack.api('GET', `/api/snapshots/${date}/districts/${id}`)
      expect(r.status, cell).toBe(404)
    }
  })

  it('store only files whose every source footer carries the snapshot date', async () => {
    const list = await stack.api<Json>('GET', '/api/snapshots')
    const stored = (list.body.snapshots as Json[]).map((s) => s.asOf as string)
    // Nothing was filed under the dates the wrong footers named unless it was asked for.
    expect(
      stored.every((d) => DATES.includes(d)),
      stored.join(', '),
    ).toBe(true)
    let files = 0
    for (const date of stored) {
      const snapshot = await stack.api<Json>('GET', `/api/snapshots/${date}`)
      for (const id of Object.keys(snapshot.body.manifest.districts)) {
        const file = await stack.api<Json>('GET', `/api/snapshots/${date}/districts/${id}`)
        expect(file.body.asOf).toBe(date)
        const sources = file.body.provenance.sources as Json[]
        expect(sources.length).toBeGreaterThan(0)
        for (const s of sources) expect(s.footer?.asOf, `${date} ${id} ${s.report}`).toBe(date)
        files++
      }
      const summary = await stack.api<Json>('GET', `/api/snapshots/${date}/all-districts`)
      if (summary.status === 200) expect(summary.body.source.footer.asOf).toBe(date)
    }
    expect(files).toBe(DATES.length * DISTRICTS.length - POISONED.size)
  })

  it('keep no raw body under a date it was not published for', async () => {
    const dirs = await readdir(path.join(stack.dataDir, 'raw-csv')).catch(() => [])
    expect(dirs.length).toBeGreaterThan(0)
    expect(dirs.filter((d) => !DATES.includes(d))).toEqual([])
  })
})
