/**
 * Deterministic randomness keyed by strings. Every generated value is a pure function of
 * (seed, key parts), so a snapshot can be computed on demand for any date without replaying
 * earlier days, and two simulators with the same seed serve byte-identical bodies.
 */

/** 32-bit hash of the key parts (FNV-1a over the joined text, then an avalanche mix). */
export function hashKey(seed: number, ...parts: (string | number)[]): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  const text = parts.join('|')
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return mix32(h)
}

function mix32(x: number): number {
  let h = x >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d) >>> 0
  h ^= h >>> 15
  h = Math.imul(h, 0x846ca68b) >>> 0
  h ^= h >>> 16
  return h >>> 0
}

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number
  /** True with probability p. */
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
}

/** mulberry32: tiny, fast and good enough for synthetic data. */
export function createRng(state: number): Rng {
  let s = state >>> 0
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      const item = items[Math.floor(next() * items.length)]
      if (item === undefined) throw new RangeError('pick from an empty list')
      return item
    },
  }
}

export function rngFor(seed: number, ...parts: (string | number)[]): Rng {
  return createRng(hashKey(seed, ...parts))
}
