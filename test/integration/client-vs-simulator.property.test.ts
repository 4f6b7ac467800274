/**
 * Property: for any as-of around the simulator's published range, any report and any district,
 * the client returns exactly the simulator's body for that date, or 'unavailable' exactly when
 * the simulator published nothing for it. One simulator for every run.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { addDays, diffDays } from '../../src/shared/iso-date.ts'
import type { IsoDate } from '../../src/shared/iso-date.ts'
import { REPORT_KINDS } from '../../src/shared/snapshot-types.ts'
import type { ReportKind } from '../../src/shared/snapshot-types.ts'
import type { DashboardClient } from '../../src/server/upstream/index.ts'
import { DISTRICTS, districtFor, expectDataMatchesTruth, loggedPaths, useRig } from './harness.ts'

const rig = useRig()
/** Dates up to this many days past the latest as-of are drawn too (they must be unavailable). */
const PAST_LATEST_DAYS = 30

afterEach(() => {
  rig().sim.setToday(null)
})

interface Pick {
  /** 0…1: where in [first published as-of, latest + PAST_LATEST_DAYS] the as-of falls. */
  position: number
  report: ReportKind
  districtId: string
}

const pickArb: fc.Arbitrary<Pick> = fc.record({
  position: fc.double({ min: 0, max: 1, noNaN: true }),
  report: fc.constantFrom(...REPORT_KINDS),
  districtId: fc.constantFrom(...DISTRICTS),
})

/** Any day of two program years, with extra weight on the weeks around the July rollover. */
const todayArb: fc.Arbitrary<IsoDate> = fc.oneof(
  fc
    .integer({ min: 0, max: diffDays('2025-07-01', '2027-01-31') })
    .map((o) => addDays('2025-07-01', o)),
  fc
    .tuple(fc.constantFrom('2025', '2026'), fc.integer({ min: 0, max: 45 }))
    .map(([year, o]) => addDays(`${year}-07-01`, o)),
)

function asOfAt(position: number): IsoDate {
  const { published } = rig().sim.state()
  const span = diffDays(published.from, published.to) + PAST_LATEST_DAYS
  return addDays(published.from, Math.min(span, Math.floor(position * (span + 1))))
}

async function checkAgreement(
  client: DashboardClient,
  asOf: IsoDate,
  pick: Pick,
): Promise<boolean> {
  const { report } = pick
  const published = rig().sim.truth.dataMonthsFor(asOf)
  const result = await client.fetchReport({
    report,
    districtId: districtFor(report, pick.districtId),
    asOf,
  })
  if (published.length === 0) {
    expect(result, `${report} ${asOf}`).toMatchObject({ kind: 'unavailable', requestedAsOf: asOf })
    return false
  }
  expect(result.kind, `${report} ${asOf}`).toBe('data')
  if (result.kind !== 'data') return false
  // Late July can hold both the June close and the first July days; either is a right answer.
  expect(published.map((m) => m.dataMonth)).toContain(result.dataMonth)
  expectDataMatchesTruth(rig(), result, asOf, result.dataMonth)
  return true
}

describe('client vs simulator: property over published and unpublished dates', () => {
  it('returns the simulator body for the requested date, or unavailable exactly when unpublished', async () => {
    rig().sim.clearLog()
    const client = rig().newClient()
    const seen = { data: 0, unavailable: 0 }
    await fc.assert(
      fc.asyncProperty(pickArb, async (pick) => {
        const isData = await checkAgreement(client, asOfAt(pick.position), pick)
        seen[isData ? 'data' : 'unavailable']++
      }),
      { numRuns: 150 },
    )
    expect(seen.data).toBeGreaterThan(50)
    expect(seen.unavailable).toBeGreaterThan(0)
    // docs/upstream.md#what-each-request-shape-returns: the live year is only ever fetched from the root.
    const livePath = `/${rig().sim.truth.liveProgramYear()}/export.aspx`
    expect(loggedPaths(rig().sim)).not.toContain(livePath)
  })

  it('keeps agreeing while the simulated day moves (rollovers, dark windows, closing periods)', async () => {
    await fc.assert(
      fc.asyncProperty(
        todayArb,
        fc.integer({ min: -70, max: 3 }),
        pickArb,
        async (today, back, pick) => {
          rig().sim.setToday(today)
          // A new client per simulated day: the live status is learned once per client.
          const client = rig().newClient()
          expect(await client.getLiveStatus()).toMatchObject({
            programYear: rig().sim.truth.liveProgramYear(),
            latestAsOf: rig().sim.truth.latestAsOf(),
          })
          await checkAgreement(client, addDays(today, back), pick)
        },
      ),
      { numRuns: 100 },
    )
  })
})
