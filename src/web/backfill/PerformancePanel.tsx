import type { PerformanceStatus } from '../../shared/backfill-api.ts'
import { formatBytes, formatRate } from './view-helpers.ts'

export function PerformancePanel({ status }: { status: PerformanceStatus | undefined }) {
  if (!status) return null
  const { rateLimiter: rl, concurrencyLimiter: cl, intermediateCache: cache } = status
  return (
    <dl className="stats stats--small" aria-label="Performance">
      <div>
        <dt>Rate limiter</dt>
        <dd>
          {rl.maxRequests === 0
            ? `${rl.currentCount} requests (no limit)`
            : `${rl.currentCount} / ${rl.maxRequests} per ${rl.windowMs} ms`}
        </dd>
      </div>
      <div>
        <dt>Concurrency</dt>
        <dd>
          {cl.activeSlots} / {cl.maxConcurrent} active, {cl.queueLength} waiting
        </dd>
      </div>
      <div>
        <dt>Cache</dt>
        <dd>
          {formatRate(cache.hitRate)} hits, {cache.entryCount} bodies,{' '}
          {formatBytes(cache.sizeBytes)}
        </dd>
      </div>
    </dl>
  )
}
