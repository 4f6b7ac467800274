/**
 * Month-end closing dates (docs/upstream.md#month-end-closing-periods): the last as-of day that still shows a data
 * month. Known months come from the collected registry plus the reference's later entries;
 * months outside them are generated from the seed with the observed distribution.
 */
import type { IsoDate, YearMonth } from '../shared/iso-date.ts'
import { addDays, addMonths } from '../shared/iso-date.ts'
// A data file, not code: the upstream index would tie the simulator to the client it checks.
import registry from '../server/upstream/data/month-end-closing-dates.json' with { type: 'json' }
import { rngFor } from './rng.ts'

/** Closing dates newer than (or correcting) the registry file (docs/upstream.md#month-end-closing-periods). */
const LATER_CLOSINGS: Record<YearMonth, IsoDate> = {
  '2022-04': '2022-04-30',
  '2026-01': '2026-02-05',
  '2026-02': '2026-03-05',
  '2026-03': '2026-04-07',
  '2026-04': '2026-05-07',
  '2026-05': '2026-06-05',
  '2026-06': '2026-07-29',
  '2026-07': '2026-08-10',
}

export type ClosingTable = Record<YearMonth, IsoDate>

export function knownClosingTable(overrides: ClosingTable = {}): ClosingTable {
  const table: ClosingTable = {}
  for (const { dataMonth, closingDate } of registry.months) table[dataMonth] = closingDate
  return { ...table, ...LATER_CLOSINGS, ...overrides }
}

/** 1–25 days into the next month, usually 5–13; June (year end) 12–25. */
export function generatedClosingDate(seed: number, dataMonth: YearMonth): IsoDate {
  const rng = rngFor(seed, 'closing', dataMonth)
  const isJune = dataMonth.endsWith('-06')
  const day = isJune ? rng.int(12, 25) : rng.chance(0.85) ? rng.int(5, 13) : rng.int(1, 25)
  return addDays(`${addMonths(dataMonth, 1)}-01`, day - 1)
}

export function createClosingDateLookup(
  seed: number,
  overrides: ClosingTable = {},
): (dataMonth: YearMonth) => IsoDate {
  const table = knownClosingTable(overrides)
  const generated = new Map<YearMonth, IsoDate>()
  return (dataMonth) => {
    const known = table[dataMonth]
    if (known !== undefined) return known
    let date = generated.get(dataMonth)
    if (date === undefined) {
      date = generatedClosingDate(seed, dataMonth)
      generated.set(dataMonth, date)
    }
    return date
  }
}
