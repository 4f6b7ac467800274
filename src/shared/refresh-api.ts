/** Wire shapes of the refresh endpoints (`POST /api/refresh`, `GET /api/refresh`). */
import type { CellError } from './backfill-api.ts'
import type { IsoDate } from './iso-date.ts'

export type RefreshOutcome = 'written' | 'unchanged' | 'partial' | 'unavailable' | 'failed'

export interface RefreshResult {
  status: RefreshOutcome
  asOf: IsoDate | null
  startedAt: string
  finishedAt: string
  districts: {
    written: string[]
    unchanged: string[]
    unavailable: string[]
    /** Configured districts the date's summary does not list (not collected, nothing waits for them). */
    notADistrict: string[]
    failed: { districtId: string; error: CellError }[]
  }
  restated: string[]
  currentMoved: boolean
  message: string
  /**
   * Present when the upstream's circuit was open: the refresh did not start (or stopped at
   * once when the circuit opened), and says when the upstream is asked again.
   */
  circuit?: RefreshCircuit
}

export interface RefreshCircuit {
  state: 'open' | 'half-open' | 'closed'
  reason: string | null
  nextProbeAt: string | null
}

export type RefreshState = 'idle' | 'running'

export interface RefreshStatus {
  state: RefreshState
  last: RefreshResult | null
}
