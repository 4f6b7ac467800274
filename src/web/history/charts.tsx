/**
 * The charts of the district page and of the all-districts trend, drawn with recharts
 * (docs/decisions/charts.md). This module is loaded lazily: it holds the charting library.
 * Each chart's surface takes focus; the arrow keys move the tooltip from point to point.
 */
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceDot,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import type { AllDistrictsSeries, SeriesPoint } from '../../shared/api-schemas.ts'
import {
  DETAIL_LABELS,
  MEASURE_LABELS,
  formatValue,
  measuresWithData,
  programYearStarts,
  valueOf,
  yearEndPoints,
  type ChartSpec,
  type PointMeasure,
} from './history-view.ts'

/** Line colours with at least 3:1 contrast on white, told apart by dash pattern as well. */
export const LINE_STYLES = [
  { stroke: '#004165', dash: undefined },
  { stroke: '#a3262e', dash: '6 3' },
  { stroke: '#1e6b3c', dash: '2 3' },
  { stroke: '#6b3fa0', dash: '8 3 2 3' },
  { stroke: '#8a5a00', dash: '4 4' },
  { stroke: '#00607a', dash: '1 2' },
] as const

const CHART_HEIGHT = 240

type Row = { asOf: string } & Partial<Record<PointMeasure, number | null>>

function PointTooltip({
  active,
  label,
  points,
  measures,
}: { active?: boolean; label?: unknown } & {
  points: readonly SeriesPoint[]
  measures: readonly PointMeasure[]
}) {
  const point = active ? points.find((p) => p.asOf === label) : undefined
  if (!point) return null
  return (
    <div className="chart-tooltip" data-testid="chart-tooltip" data-as-of={point.asOf}>
      <p className="chart-tooltip__date">{point.asOf}</p>
      <ul>
        {measures.map((m) => (
          <li key={m} data-tip-measure={m}>
            {MEASURE_LABELS[m]}: <strong data-value>{formatValue(valueOf(point, m))}</strong>
          </li>
        ))}
      </ul>
      <p className="chart-tooltip__source" data-tip="source">
        Source as-of {point.sourceAsOf ?? 'unknown'} · {DETAIL_LABELS[point.detail]}
        {point.fetchedAt && ` · fetched ${point.fetchedAt.slice(0, 10)}`}
      </p>
    </div>
  )
}

/** One chart of a district's stored series: program-year starts marked, year-end values ringed. */
export function DistrictChart({
  spec,
  points,
}: {
  spec: ChartSpec
  points: readonly SeriesPoint[]
}) {
  const measures = measuresWithData(points, spec.measures)
  const rows: Row[] = points.map((p) => ({
    asOf: p.asOf,
    ...Object.fromEntries(measures.map((m) => [m, valueOf(p, m)])),
  }))
  const starts = programYearStarts(points)
  const yearEnds = yearEndPoints(points)
  const titleId = `chart-${spec.id}-title`
  if (measures.length === 0) {
    return (
      <figure className="chart" data-chart={spec.id}>
        <figcaption id={titleId}>{spec.title}</figcaption>
        <p className="muted">No stored values for this chart.</p>
      </figure>
    )
  }
  return (
    <figure className="chart" data-chart={spec.id} aria-labelledby={titleId}>
      <figcaption id={titleId}>
        {spec.title}{' '}
        <span className="muted">
          ({points.length} stored date{points.length === 1 ? '' : 's'}; focus the chart and use ← →)
        </span>
      </figcaption>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <LineChart
          data={rows}
          margin={{ top: 8, right: 12, bottom: 4, left: 0 }}
          aria-label={`${spec.title} over the stored dates`}
        >
          <CartesianGrid stroke="#d8dce3" strokeDasharray="3 3" />
          <XAxis dataKey="asOf" tick={{ fill: '#3f4757', fontSize: 12 }} minTickGap={24} />
          <YAxis tick={{ fill: '#3f4757', fontSize: 12 }} width={56} />
          {starts.map((s) => (
            <ReferenceLine
              key={s.asOf}
              x={s.asOf}
              stroke="#5b6475"
              strokeDasharray="4 2"
              label={{
                value: s.programYear,
                position: 'insideTopLeft',
                fill: '#3f4757',
                fontSize: 12,
              }}
            />
          ))}
          {measures.flatMap((m) =>
            yearEnds
              .filter((p) => valueOf(p, m) !== null)
              .map((p) => (
                <ReferenceDot
                  key={`${m}-${p.asOf}`}
                  x={p.asOf}
                  y={valueOf(p, m)!}
                  r={6}
                  fill="none"
                  stroke="#a3262e"
                  strokeWidth={2}
                  className="year-end"
                />
              )),
          )}
          <Tooltip
            content={(props: { active?: boolean; label?: unknown }) => (
              <PointTooltip
                active={props.active}
                label={props.label}
                points={points}
                measures={measures}
              />
            )}
            isAnimationActive={false}
          />
          <Legend />
          {measures.map((m, i) => {
            const style = LINE_STYLES[i % LINE_STYLES.length]!
            return (
              <Line
                key={m}
                dataKey={m}
                name={MEASURE_LABELS[m]}
                stroke={style.stroke}
                strokeDasharray={style.dash}
                strokeWidth={2}
                isAnimationActive={false}
                connectNulls
                dot={(props: { cx?: number; cy?: number; index?: number; payload?: Row }) => (
                  <circle
                    key={`${m}-${props.index}`}
                    cx={props.cx}
                    cy={props.cy}
                    r={props.cy === undefined || props.cy === null ? 0 : 2.5}
                    fill={style.stroke}
                    data-measure={m}
                    data-date={props.payload?.asOf}
                    className="chart-point"
                  />
                )}
              />
            )
          })}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  )
}

/** One measure across districts: a line per district. */
export function TrendChart({ series, title }: { series: AllDistrictsSeries; title: string }) {
  const rows = series.dates.map((d) => ({ asOf: d.asOf, ...d.values }))
  return (
    <ResponsiveContainer width="100%" height={300}>
      <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 0 }} aria-label={title}>
        <CartesianGrid stroke="#d8dce3" strokeDasharray="3 3" />
        <XAxis dataKey="asOf" tick={{ fill: '#3f4757', fontSize: 12 }} minTickGap={24} />
        <YAxis tick={{ fill: '#3f4757', fontSize: 12 }} width={56} />
        <Tooltip isAnimationActive={false} />
        <Legend />
        {series.districtIds.map((id, i) => {
          const style = LINE_STYLES[i % LINE_STYLES.length]!
          return (
            <Line
              key={id}
              dataKey={id}
              name={`District ${id}`}
              stroke={style.stroke}
              strokeDasharray={style.dash}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
          )
        })}
      </LineChart>
    </ResponsiveContainer>
  )
}
