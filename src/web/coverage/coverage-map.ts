/**
 * Pure geometry of the coverage map (dates across, districts down): cell sizes, the month and
 * program-year labels, hit testing and keyboard moves. The canvas component only draws what
 * this computes, so all of it is tested without a browser.
 */
import type { CoverageReport } from '../api/types.ts'
import { coverageCellKind, type CoverageKind } from './coverage-view.ts'

export interface MapLayout {
  columns: number
  rows: number
  /** Width of the district labels on the left. */
  gutter: number
  /** Height of the program-year and month label rows above the cells. */
  header: number
  cellWidth: number
  cellHeight: number
  /** Space left between neighbouring cells (0 when cells are too narrow for a gap). */
  gap: number
  width: number
  height: number
}

/** One label band above the cells: a month ("Nov 2026") or a program year ("2026-2027"). */
export interface MapLabel {
  text: string
  /** First and one-past-last column the label covers. */
  start: number
  end: number
}

export interface MapPos {
  row: number
  col: number
}

const GUTTER = 44
const HEADER = 34
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Narrower cells as the range grows, so 400 dates still fit a desktop width (≈1250 px). */
export function cellWidthFor(columns: number): number {
  if (columns <= 31) return 18
  if (columns <= 100) return 8
  if (columns <= 200) return 5
  return 3
}

export function mapLayout(columns: number, rows: number): MapLayout {
  const cellWidth = cellWidthFor(columns)
  const cellHeight = rows <= 40 ? 18 : 12
  return {
    columns,
    rows,
    gutter: GUTTER,
    header: HEADER,
    cellWidth,
    cellHeight,
    gap: cellWidth >= 5 ? 1 : 0,
    width: GUTTER + columns * cellWidth,
    height: HEADER + rows * cellHeight,
  }
}

/** Top-left corner of a cell in map pixels. */
export function cellOrigin(layout: MapLayout, pos: MapPos): { x: number; y: number } {
  return {
    x: layout.gutter + pos.col * layout.cellWidth,
    y: layout.header + pos.row * layout.cellHeight,
  }
}

/** The cell under a point in map pixels, or null over the labels or outside. */
export function cellAt(layout: MapLayout, x: number, y: number): MapPos | null {
  const col = Math.floor((x - layout.gutter) / layout.cellWidth)
  const row = Math.floor((y - layout.header) / layout.cellHeight)
  if (x < layout.gutter || y < layout.header) return null
  if (col < 0 || row < 0 || col >= layout.columns || row >= layout.rows) return null
  return { row, col }
}

/** Programme years start on 1 July: 2026-11-10 lies in "2026-2027". */
export function programYearOf(isoDate: string): string {
  const year = Number(isoDate.slice(0, 4))
  const month = Number(isoDate.slice(5, 7))
  const start = month >= 7 ? year : year - 1
  return `${start}-${start + 1}`
}

function bands(
  dates: readonly string[],
  keyOf: (d: string) => string,
  textOf: (d: string) => string,
) {
  const labels: MapLabel[] = []
  dates.forEach((d, col) => {
    const last = labels[labels.length - 1]
    if (last && keyOf(dates[last.start]!) === keyOf(d)) last.end = col + 1
    else labels.push({ text: textOf(d), start: col, end: col + 1 })
  })
  return labels
}

/** Consecutive runs of the same calendar month. */
export function monthLabels(dates: readonly string[]): MapLabel[] {
  return bands(
    dates,
    (d) => d.slice(0, 7),
    (d) => `${MONTHS[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`,
  )
}

/** Consecutive runs of the same programme year (July to June). */
export function programYearLabels(dates: readonly string[]): MapLabel[] {
  return bands(dates, programYearOf, programYearOf)
}

/** Where a key press moves the focused cell; null for keys the map does not handle. */
export function moveFocus(pos: MapPos, key: string, columns: number, rows: number): MapPos | null {
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v))
  switch (key) {
    case 'ArrowLeft':
      return { row: pos.row, col: clamp(pos.col - 1, columns) }
    case 'ArrowRight':
      return { row: pos.row, col: clamp(pos.col + 1, columns) }
    case 'ArrowUp':
      return { row: clamp(pos.row - 1, rows), col: pos.col }
    case 'ArrowDown':
      return { row: clamp(pos.row + 1, rows), col: pos.col }
    case 'PageUp':
      return { row: pos.row, col: clamp(pos.col - 7, columns) }
    case 'PageDown':
      return { row: pos.row, col: clamp(pos.col + 7, columns) }
    case 'Home':
      return { row: pos.row, col: 0 }
    case 'End':
      return { row: pos.row, col: columns - 1 }
    default:
      return null
  }
}

/**
 * The cells of each kind as [col, row] pairs, so the canvas sets each colour once and fills
 * its cells in one pass (missing cells are the background and are not listed).
 */
export function cellsByKind(report: CoverageReport): Record<CoverageKind, [number, number][]> {
  const out: Record<CoverageKind, [number, number][]> = {
    full: [],
    summary: [],
    failed: [],
    'not-a-district': [],
    missing: [],
  }
  report.dates.forEach((d, col) => {
    report.districtIds.forEach((id, row) => {
      const kind = coverageCellKind(d.districts[id])
      if (kind !== 'missing') out[kind].push([col, row])
    })
  })
  return out
}
