/** The chart module (and the charting library in it) loads on first use, as its own chunk. */
import { lazy } from 'react'

export const DistrictChart = lazy(() =>
  import('./charts.tsx').then((m) => ({ default: m.DistrictChart })),
)
export const TrendChart = lazy(() =>
  import('./charts.tsx').then((m) => ({ default: m.TrendChart })),
)
