import { describe, expect, it } from 'vitest'
import { densestWindow, gaps, maxInAnyWindow, maxOverlap } from './request-timing.ts'

describe('maxInAnyWindow', () => {
  it('counts the densest half-open window', () => {
    expect(maxInAnyWindow([0, 100, 200, 300, 400], 250)).toBe(3)
    expect(maxInAnyWindow([0, 100, 200, 250], 250)).toBe(3)
    expect(maxInAnyWindow([400, 0, 10, 20, 30], 100)).toBe(4)
    expect(maxInAnyWindow([], 100)).toBe(0)
  })

  it('finds a burst anywhere in a long log', () => {
    const spaced = Array.from({ length: 50 }, (_, i) => i * 100)
    expect(maxInAnyWindow(spaced, 90)).toBe(1)
    expect(maxInAnyWindow([...spaced, 2001, 2002], 90)).toBe(3)
    expect(densestWindow([...spaced, 2001, 2002], 90)).toEqual([0, 1, 2])
  })

  it('answers 0 for an empty window instead of looping (a window shrunk by a measured delay)', () => {
    expect(maxInAnyWindow([0, 100, 200], 0)).toBe(0)
    expect(maxInAnyWindow([0, 100, 200], -400)).toBe(0)
    expect(densestWindow([0, 100, 200], -400)).toEqual([])
  })
})

describe('maxOverlap', () => {
  it('counts intervals open at once, touching ones not overlapping', () => {
    expect(
      maxOverlap([
        { start: 0, end: 10 },
        { start: 10, end: 20 },
      ]),
    ).toBe(1)
    expect(
      maxOverlap([
        { start: 0, end: 10 },
        { start: 5, end: 20 },
        { start: 9, end: 12 },
        { start: 12, end: 13 },
      ]),
    ).toBe(3)
    expect(maxOverlap([])).toBe(0)
  })
})

describe('gaps', () => {
  it('lists the gaps between sorted instants', () => {
    expect(gaps([30, 0, 10])).toEqual([10, 20])
    expect(gaps([5])).toEqual([])
  })
})
