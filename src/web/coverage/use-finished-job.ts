import { useEffect, useRef, useState } from 'react'
import { isTerminal } from '../../shared/backfill-api.ts'
import { useBackfillContext } from '../backfill/BackfillContext.tsx'
import { concernsDistrict, type BackfillInfo } from '../backfill/backfill-registry.ts'

/**
 * The newest job this page watched running (queued or processing) that has since ended; on a
 * district page only a job about that district. A job first seen already finished (opened from
 * the history) does not count: it did not just run.
 */
export function useJustFinishedJob(districtId: string | null): BackfillInfo | null {
  const { activeBackfills } = useBackfillContext()
  const running = useRef(new Set<string>())
  const [finished, setFinished] = useState<BackfillInfo | null>(null)
  useEffect(() => {
    for (const job of activeBackfills) {
      if (!job.status || (districtId !== null && !concernsDistrict(job, districtId))) continue
      if (!isTerminal(job.status)) running.current.add(job.backfillId)
      else if (running.current.delete(job.backfillId)) setFinished(job)
    }
  }, [activeBackfills, districtId])
  return finished
}
