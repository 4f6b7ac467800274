import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react'
import type { CoverageReport } from '../api/types.ts'
import {
  cellAt,
  cellOrigin,
  cellsByKind,
  mapLayout,
  monthLabels,
  moveFocus,
  programYearLabels,
  type MapLayout,
  type MapPos,
} from './coverage-map.ts'
import {
  COVERAGE_KINDS,
  coverageCellLabel,
  type CoverageKind,
  type SelectedCell,
} from './coverage-view.ts'

/** The page's colour variables each kind is drawn with (the legend swatches use the same). */
const KIND_COLOR_VAR: Record<CoverageKind, string> = {
  full: '--ok',
  summary: '--ok-light',
  failed: '--err',
  'not-a-district': '--not-a-district',
  missing: '--missing',
}

/**
 * Dates across, districts down, drawn on two canvases: the cells (one fill colour at a time)
 * and an overlay with the focused and selected cells, so moving the focus never redraws the
 * 50 000 cells of a 400 × 130 map. Keyboard: arrows, Page Up/Down (a week), Home/End, Enter.
 */
export function CoverageMap({
  report,
  selected,
  onSelect,
  onClose,
}: {
  report: CoverageReport
  selected: SelectedCell | null
  onSelect: (cell: SelectedCell) => void
  onClose: () => void
}) {
  const layout = useMemo(() => mapLayout(report.dates.length, report.districtIds.length), [report])
  const base = useRef<HTMLCanvasElement>(null)
  const overlay = useRef<HTMLCanvasElement>(null)
  const [focus, setFocus] = useState<MapPos>({ row: 0, col: 0 })
  const [painted, setPainted] = useState<string | null>(null)
  const [hover, setHover] = useState<string>('')
  const [hasFocus, setHasFocus] = useState(false)
  const reportKey = `${report.from}|${report.to}|${report.districtIds.length}`

  useEffect(() => {
    const canvas = base.current
    const ctx = canvas && prepare(canvas, layout)
    if (!ctx || !canvas) return
    drawBase(ctx, canvas, layout, report)
    setPainted(reportKey)
  }, [layout, report, reportKey])

  const selectedPos = selected ? posOf(report, selected) : null
  useEffect(() => {
    const canvas = overlay.current
    const ctx = canvas && prepare(canvas, layout)
    if (!ctx || !canvas) return
    ctx.clearRect(0, 0, layout.width, layout.height)
    if (selectedPos) outline(ctx, layout, selectedPos, readVar(canvas, '--accent', '#004165'), 2)
    if (hasFocus) outline(ctx, layout, focus, '#111', 2)
  })

  const pos = (p: MapPos): SelectedCell => ({
    date: report.dates[p.col]!.asOf,
    districtId: report.districtIds[p.row]!,
  })
  const describe = (p: MapPos): string => {
    const d = report.dates[p.col]
    const id = report.districtIds[p.row]
    if (!d || !id) return ''
    return coverageCellLabel(d.asOf, id, d.districts[id])
  }
  const toMap = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect()
    return cellAt(layout, e.clientX - r.left, e.clientY - r.top)
  }
  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      onSelect(pos(focus))
      return
    }
    if (e.key === 'Escape') {
      onClose()
      return
    }
    const next = moveFocus(focus, e.key, layout.columns, layout.rows)
    if (!next) return
    e.preventDefault()
    setFocus(next)
    scrollIntoView(e.currentTarget, layout, next)
  }

  if (report.districtIds.length === 0 || report.dates.length === 0) {
    return (
      <p className="muted">
        Nothing stored between {report.from} and {report.to}.
      </p>
    )
  }
  const focusText = describe(focus)
  return (
    <div className="coverage-map">
      <div className="coverage-map__scroll">
        <div className="coverage-map__stack" style={{ width: layout.width, height: layout.height }}>
          <canvas ref={base} aria-hidden="true" data-painted={painted ?? ''} />
          <canvas
            ref={overlay}
            className="coverage-map__overlay"
            tabIndex={0}
            role="application"
            aria-roledescription="coverage map"
            aria-label={`Coverage map, ${report.districtIds.length} districts × ${report.dates.length} dates (${report.from} to ${report.to}). Arrow keys move, Enter shows the cell.`}
            aria-describedby="coverage-map-focus"
            title={hover}
            data-dates={`${report.dates[0]?.asOf}..${report.dates[report.dates.length - 1]?.asOf}`}
            data-district-ids={report.districtIds.join(',')}
            data-columns={layout.columns}
            data-rows={layout.rows}
            data-gutter={layout.gutter}
            data-header={layout.header}
            data-cell-width={layout.cellWidth}
            data-cell-height={layout.cellHeight}
            data-focus-date={report.dates[focus.col]?.asOf}
            data-focus-district={report.districtIds[focus.row]}
            onKeyDown={onKeyDown}
            onFocus={() => setHasFocus(true)}
            onBlur={() => setHasFocus(false)}
            onMouseMove={(e) => {
              const p = toMap(e)
              setHover(p ? describe(p) : '')
            }}
            onClick={(e) => {
              const p = toMap(e)
              if (!p) return
              setFocus(p)
              onSelect(pos(p))
            }}
          />
        </div>
      </div>
      <p id="coverage-map-focus" className="coverage-map__focus" aria-live="polite">
        {focusText}
      </p>
    </div>
  )
}

function posOf(report: CoverageReport, cell: SelectedCell): MapPos | null {
  const col = report.dates.findIndex((d) => d.asOf === cell.date)
  const row = report.districtIds.indexOf(cell.districtId)
  return col < 0 || row < 0 ? null : { row, col }
}

function readVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback
}

/** Sizes the canvas for the device's pixel ratio; null where there is no 2D context. */
function prepare(canvas: HTMLCanvasElement, layout: MapLayout): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1
  const w = Math.round(layout.width * ratio)
  const h = Math.round(layout.height * ratio)
  if (canvas.width !== w) canvas.width = w
  if (canvas.height !== h) canvas.height = h
  canvas.style.width = `${layout.width}px`
  canvas.style.height = `${layout.height}px`
  const ctx = canvas.getContext('2d')
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0)
  return ctx
}

function drawBase(
  ctx: CanvasRenderingContext2D,
  canvas: HTMLCanvasElement,
  layout: MapLayout,
  report: CoverageReport,
): void {
  const { gutter, header, cellWidth: cw, cellHeight: ch, gap } = layout
  const text = readVar(canvas, '--text', '#1f2933')
  const muted = readVar(canvas, '--muted', '#5f6b7a')
  ctx.clearRect(0, 0, layout.width, layout.height)
  const dates = report.dates.map((d) => d.asOf)

  // Programme years (top band) and months (second band), with a tick at each start.
  ctx.font = '11px system-ui, sans-serif'
  ctx.textBaseline = 'middle'
  ctx.fillStyle = text
  for (const l of programYearLabels(dates)) {
    const x = gutter + l.start * cw
    ctx.fillRect(x, 0, 1, header)
    const room = (l.end - l.start) * cw - 4
    if (room > 40) ctx.fillText(l.text, x + 3, 8, room)
  }
  ctx.fillStyle = muted
  for (const l of monthLabels(dates)) {
    const x = gutter + l.start * cw
    ctx.fillRect(x, 17, 1, header - 17)
    const room = (l.end - l.start) * cw - 4
    if (room > 18) ctx.fillText(room > 50 ? l.text : l.text.slice(0, 3), x + 3, 25, room)
  }

  // District labels.
  ctx.fillStyle = text
  ctx.font = `${Math.min(11, ch - 1)}px system-ui, sans-serif`
  report.districtIds.forEach((id, row) =>
    ctx.fillText(id, 4, header + row * ch + ch / 2, gutter - 8),
  )

  // Cells: the "missing" colour as one rectangle per row, then each kind in one colour.
  const byKind = cellsByKind(report)
  for (const kind of ['missing', ...COVERAGE_KINDS.filter((k) => k !== 'missing')] as const) {
    ctx.fillStyle = readVar(canvas, KIND_COLOR_VAR[kind], '#ccc')
    if (kind === 'missing') {
      for (let row = 0; row < layout.rows; row++) {
        ctx.fillRect(gutter, header + row * ch, layout.columns * cw - gap, ch - 1)
      }
      continue
    }
    for (const [col, row] of byKind[kind]) {
      ctx.fillRect(gutter + col * cw, header + row * ch, cw - gap, ch - 1)
    }
  }
}

function outline(
  ctx: CanvasRenderingContext2D,
  layout: MapLayout,
  pos: MapPos,
  color: string,
  width: number,
): void {
  const { x, y } = cellOrigin(layout, pos)
  ctx.strokeStyle = color
  ctx.lineWidth = width
  ctx.strokeRect(
    x - width / 2 - 1,
    y - width / 2 - 1,
    layout.cellWidth + width + 1,
    layout.cellHeight + width,
  )
}

/** Keeps the focused cell visible inside the scrolling box. */
function scrollIntoView(canvas: HTMLCanvasElement, layout: MapLayout, pos: MapPos): void {
  const box = canvas.closest('.coverage-map__scroll')
  if (!box) return
  const { x, y } = cellOrigin(layout, pos)
  if (x - layout.gutter < box.scrollLeft + layout.gutter)
    box.scrollLeft = Math.max(0, x - 2 * layout.gutter)
  else if (x + layout.cellWidth > box.scrollLeft + box.clientWidth)
    box.scrollLeft = x + layout.cellWidth - box.clientWidth + 8
  if (y - layout.header < box.scrollTop) box.scrollTop = Math.max(0, y - layout.header)
  else if (y + layout.cellHeight > box.scrollTop + box.clientHeight)
    box.scrollTop = y + layout.cellHeight - box.clientHeight + 8
}
