/** The figures `npm run bench -- --only pg` derives from what it measured (bench/pg.ts). */
import { describe, expect, it } from 'vitest'
import { maxInWindow, nameLimit } from '../bench/pg.ts'

describe('bench/pg.ts', () => {
  it('maxInWindow counts the densest sliding window, an arrival exactly one window later not in it', () => {
    expect(maxInWindow([], 1000)).toBe(0)
    expect(maxInWindow([0, 200, 400, 600, 800, 1000], 1000)).toBe(5)
    // Unsorted input, a burst late in the run.
    expect(maxInWindow([5000, 0, 5100, 900, 5200, 5300, 2000], 1000)).toBe(4)
    expect(maxInWindow([0, 999], 1000)).toBe(2)
  })

  it('nameLimit names the simulator near its own capacity, a party using most of a core, or else the machine', () => {
    const idle = { workers: 0.1, database: 0.2, simulator: 0.05 }
    expect(nameLimit(90, 100, idle)).toMatch(/^simulator \(90% /)
    expect(nameLimit(10, 100, { ...idle, database: 0.9 })).toMatch(/^database \(0\.90 cores\)/)
    expect(nameLimit(10, 100, { ...idle, workers: 0.95 })).toMatch(/^workers \(0\.95 cores each\)/)
    expect(nameLimit(10, 100, idle)).toMatch(
      /^none saturated \(busiest: database 0\.20 cores\); the machine: load /,
    )
  })
})
