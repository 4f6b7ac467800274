/**
 * Timing checks over the simulator's request log: how many requests fall into any sliding
 * window, and how many overlap at once. Pure, so the checks themselves are tested.
 */

/**
 * The largest number of instants inside any half-open window `[t, t + windowMs)`; 0 when the
 * window is empty (`windowMs` <= 0).
 */
export function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let first = 0
  for (let last = 0; last < sorted.length; last++) {
    while (first <= last && (sorted[last] ?? 0) - (sorted[first] ?? 0) >= windowMs) first++
    best = Math.max(best, last - first + 1)
  }
  return best
}

/** The densest window, for failure messages. */
export function densestWindow(times: readonly number[], windowMs: number): number[] {
  const sorted = [...times].sort((a, b) => a - b)
  let best: number[] = []
  let first = 0
  for (let last = 0; last < sorted.length; last++) {
    while (first <= last && (sorted[last] ?? 0) - (sorted[first] ?? 0) >= windowMs) first++
    if (last - first + 1 > best.length) best = sorted.slice(first, last + 1)
  }
  const base = best[0] ?? 0
  return best.map((t) => t - base)
}

/**
 * The largest number of intervals `[start, end)` open at one instant; an interval ending exactly
 * when another starts does not overlap it.
 */
export function maxOverlap(intervals: readonly { start: number; end: number }[]): number {
  const edges = intervals.flatMap((i) => [
    { at: i.start, delta: 1 },
    { at: i.end, delta: -1 },
  ])
  // Ends before starts at the same instant.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let open = 0
  let best = 0
  for (const e of edges) {
    open += e.delta
    best = Math.max(best, open)
  }
  return best
}

/** Gaps between consecutive instants, in order. */
export function gaps(times: readonly number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b)
  return sorted.slice(1).map((t, i) => t - (sorted[i] ?? t))
}
