/**
 * Turns job events into alerts: a job ending `error` or `partial_success`, and a district
 * failing `threshold` cells in a row within a job (once per streak). Each alert carries a key
 * naming its event, so processes that all see the event keep and send one alert.
 */
import type { JobEvent, JobState } from '../backfill/index.ts'
import type { AlertManager } from './alert-manager.ts'

export function createJobAlerts(alerts: AlertManager, threshold = 3) {
  const streaks = new Map<string, number>()
  return (state: JobState, event: JobEvent): void => {
    if (event.type === 'cell:failed' || event.type === 'cell:completed') {
      const key = `${state.backfillId}|${event.districtId}`
      const n = event.type === 'cell:failed' ? (streaks.get(key) ?? 0) + 1 : 0
      streaks.set(key, n)
      if (event.type === 'cell:failed' && n === threshold) {
        alerts.raise(
          'district:failing',
          'warning',
          `district ${event.districtId} failed ${n} dates in a row in ${state.backfillId}: ${event.error.code} ${event.error.message}`,
          {
            backfillId: state.backfillId,
            districtId: event.districtId,
            consecutiveFailures: n,
            lastError: event.error,
          },
          `district:failing:${state.backfillId}:${event.districtId}:${event.date}`,
        )
      }
    }
    if (event.type === 'job:finished' || event.type === 'job:failed') {
      for (const key of [...streaks.keys()])
        if (key.startsWith(`${state.backfillId}|`)) streaks.delete(key)
      const p = state.progress
      const details = {
        backfillId: state.backfillId,
        failed: p.failed,
        completed: p.completed,
        total: p.total,
      }
      if (state.status === 'error') {
        alerts.raise(
          'job:error',
          'critical',
          `backfill ${state.backfillId} ended in error${event.type === 'job:failed' ? `: ${event.message}` : ''}`,
          details,
          `job:error:${state.backfillId}`,
        )
      } else if (state.status === 'partial_success') {
        alerts.raise(
          'job:partial_success',
          'warning',
          `backfill ${state.backfillId} partially succeeded: ${p.failed} of ${p.total} cells failed`,
          details,
          `job:partial_success:${state.backfillId}`,
        )
      }
    }
  }
}
