import { describe, expect, it } from 'vitest'
import type { CoverageReport } from '../api/types.ts'
import {
  cellAt,
  cellOrigin,
  cellsByKind,
  mapLayout,
  monthLabels,
  moveFocus,
  programYearLabels,
  programYearOf,
} from './coverage-map.ts'

describe('coverage map layout', () => {
  it('fits 400 dates into a desktop width and keeps short ranges readable', () => {
    const big = mapLayout(400, 130)
    expect(big.width).toBeLessThanOrEqual(1280)
    expect(big.cellWidth).toBeGreaterThanOrEqual(3)
    const small = mapLayout(14, 2)
    expect(small.cellWidth).toBeGreaterThan(big.cellWidth)
    expect(small.cellHeight).toBeGreaterThan(big.cellHeight)
  })

  it('finds the cell under a point and nothing over the labels', () => {
    const l = mapLayout(30, 5)
    const o = cellOrigin(l, { row: 3, col: 7 })
    expect(cellAt(l, o.x + 1, o.y + 1)).toEqual({ row: 3, col: 7 })
    expect(cellAt(l, o.x + l.cellWidth - 0.5, o.y + l.cellHeight - 0.5)).toEqual({ row: 3, col: 7 })
    expect(cellAt(l, l.gutter - 1, o.y)).toBeNull()
    expect(cellAt(l, o.x, l.header - 1)).toBeNull()
    expect(cellAt(l, l.width + 1, o.y)).toBeNull()
    expect(cellAt(l, o.x, l.height + 1)).toBeNull()
  })
})

describe('coverage map labels', () => {
  it('starts a programme year on 1 July', () => {
    expect(programYearOf('2026-06-30')).toBe('2025-2026')
    expect(programYearOf('2026-07-01')).toBe('2026-2027')
  })

  it('labels runs of months and programme years by their columns', () => {
    const dates = ['2026-06-29', '2026-06-30', '2026-07-01', '2026-07-02', '2026-08-01']
    expect(monthLabels(dates)).toEqual([
      { text: 'Jun 2026', start: 0, end: 2 },
      { text: 'Jul 2026', start: 2, end: 4 },
      { text: 'Aug 2026', start: 4, end: 5 },
    ])
    expect(programYearLabels(dates)).toEqual([
      { text: '2025-2026', start: 0, end: 2 },
      { text: '2026-2027', start: 2, end: 5 },
    ])
  })
})

describe('coverage map keyboard', () => {
  it('moves by day, district and week and stops at the edges', () => {
    const at = { row: 1, col: 1 }
    expect(moveFocus(at, 'ArrowRight', 10, 3)).toEqual({ row: 1, col: 2 })
    expect(moveFocus(at, 'ArrowDown', 10, 3)).toEqual({ row: 2, col: 1 })
    expect(moveFocus({ row: 2, col: 1 }, 'ArrowDown', 10, 3)).toEqual({ row: 2, col: 1 })
    expect(moveFocus(at, 'ArrowUp', 10, 3)).toEqual({ row: 0, col: 1 })
    expect(moveFocus(at, 'ArrowLeft', 10, 3)).toEqual({ row: 1, col: 0 })
    expect(moveFocus({ row: 1, col: 0 }, 'ArrowLeft', 10, 3)).toEqual({ row: 1, col: 0 })
    expect(moveFocus(at, 'PageDown', 10, 3)).toEqual({ row: 1, col: 8 })
    expect(moveFocus(at, 'PageUp', 10, 3)).toEqual({ row: 1, col: 0 })
    expect(moveFocus(at, 'End', 10, 3)).toEqual({ row: 1, col: 9 })
    expect(moveFocus(at, 'Home', 10, 3)).toEqual({ row: 1, col: 0 })
    expect(moveFocus(at, 'a', 10, 3)).toBeNull()
  })
})

describe('cellsByKind', () => {
  it('groups stored cells by colour and leaves missing ones to the background', () => {
    const report: CoverageReport = {
      from: '2026-11-10',
      to: '2026-11-11',
      districtIds: ['02', '61'],
      dates: [
        {
          asOf: '2026-11-10',
          snapshot: 'complete',
          districts: {
            '02': { detail: 'full', status: 'ok' },
            '61': { detail: 'summary', status: 'ok' },
          },
        },
        {
          asOf: '2026-11-11',
          snapshot: 'partial',
          districts: { '61': { detail: null, status: 'failed' } },
        },
      ],
    }
    expect(cellsByKind(report)).toEqual({
      full: [[0, 0]],
      summary: [[0, 1]],
      failed: [[1, 1]],
      'not-a-district': [],
      missing: [],
    })
  })
})
