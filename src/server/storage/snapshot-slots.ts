/**
 * Which stored snapshot an (as-of, data month) names (docs/architecture.md#one-as-of-two-data-months).
 * An as-of carries at most two data months, the month before it (closing period) and its own:
 * the first one stored is kept under the as-of's key, the other beside it under
 * `<asOf>_<YYYY-MM>`. A read without a data month answers the later of the months stored.
 */
import type { IsoDate, YearMonth } from '../../shared/iso-date.ts'
import { StorageValidationError } from './errors.ts'
import { dataMonthsOf, parseSnapshotKey, snapshotKey } from './paths.ts'
import type { SnapshotKey } from './paths.ts'
import type { SnapshotState } from './snapshot-model.ts'

export interface Slot {
  key: SnapshotKey
  state: SnapshotState
}

type Load = (key: SnapshotKey) => Promise<SnapshotState | null>

/** The key of the month that could sit beside the as-of's first snapshot, or null when none can. */
export function otherKeyOf(asOf: IsoDate, first: SnapshotState): SnapshotKey | null {
  const [prev, own] = dataMonthsOf(asOf)
  const month = first.metadata.dataMonth
  if (month === prev) return snapshotKey(asOf, own)
  if (month === own) return snapshotKey(asOf, prev)
  return null
}

/**
 * The snapshot a read of `asOf` answers: the given month's, or without one the default (the
 * later month stored). null when the as-of (or that month of it) is not stored.
 */
export async function resolveSlot(
  load: Load,
  asOf: IsoDate,
  dataMonth?: YearMonth,
  first?: SnapshotState | null,
): Promise<Slot | null> {
  const head = first === undefined ? await load(asOf) : first
  if (head === null) return null
  const headSlot = { key: asOf, state: head }
  if (dataMonth === head.metadata.dataMonth) return headSlot
  const otherKey = otherKeyOf(asOf, head)
  if (otherKey === null) return dataMonth === undefined ? headSlot : null
  const otherMonth = parseSnapshotKey(otherKey)!.otherMonth!
  if (dataMonth !== undefined && dataMonth !== otherMonth) return null
  // Without a month: the later one is the default, and the head is the later unless it is the
  // month before the as-of.
  if (dataMonth === undefined && head.metadata.dataMonth > otherMonth) return headSlot
  const other = await load(otherKey)
  if (other !== null) return { key: otherKey, state: other }
  return dataMonth === undefined ? headSlot : null
}

/** Every stored month of an as-of, ascending by data month. */
export async function loadSlots(load: Load, asOf: IsoDate): Promise<Slot[]> {
  const head = await load(asOf)
  if (head === null) return []
  const otherKey = otherKeyOf(asOf, head)
  const other = otherKey === null ? null : await load(otherKey)
  const slots = [{ key: asOf, state: head }]
  if (otherKey !== null && other !== null) slots.push({ key: otherKey, state: other })
  return slots.sort((a, b) => (a.state.metadata.dataMonth < b.state.metadata.dataMonth ? -1 : 1))
}

/**
 * The key a write of `dataMonth` at `asOf` goes to, given the as-of's first snapshot (null: none
 * yet, so this month becomes the first). Without a month (a change that only names the as-of):
 * the default month's key. A month the as-of cannot carry beside its first is refused.
 */
export async function keyForWrite(
  load: Load,
  asOf: IsoDate,
  first: SnapshotState | null,
  dataMonth: { month: YearMonth; programYear: string; field: string } | null,
): Promise<SnapshotKey> {
  if (first === null) return asOf
  if (dataMonth === null) return (await resolveSlot(load, asOf, undefined, first))?.key ?? asOf
  const have = first.metadata.dataMonth
  if (dataMonth.month === have) return asOf
  const otherKey = otherKeyOf(asOf, first)
  if (otherKey === null || parseSnapshotKey(otherKey)!.otherMonth !== dataMonth.month) {
    const [prev, own] = dataMonthsOf(asOf)
    throw new StorageValidationError(
      dataMonth.field,
      `${dataMonth.month} (${dataMonth.programYear})`,
      `must match snapshot ${asOf}'s data month ${have} (${first.metadata.programYear}), or be the other month an as-of can carry (${prev} or ${own})`,
    )
  }
  return otherKey
}
