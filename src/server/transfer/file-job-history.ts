/**
 * The file side of job history for `migrate` / `export`: the job event logs under
 * `DATA_DIR/jobs/` (src/server/jobs/job-event-log.ts). A job is finished when replaying its log
 * ends in a final status; only finished jobs are copied in either direction (an unfinished one
 * would resume in the other mode while its first home may still run it).
 */
import path from 'node:path'
import { isTerminal } from '../../shared/backfill-api.ts'
import type { JobEvent } from '../backfill/index.ts'
import { replayJobEvents } from '../backfill/job-state.ts'
import { assertJobId, createFileJobEventLog } from '../jobs/index.ts'
import { nodeStorageFs, resolveInside } from '../storage/index.ts'
import type { StorageFs } from '../storage/index.ts'
import { canonicalJson } from '../storage/sealed-snapshots.ts'
import { readOrNull, writeAtomic } from '../storage/storage-fs.ts'

export const JOBS_DIR = 'jobs'

export interface JobLogRead {
  finished: { backfillId: string; events: JobEvent[] }[]
  /** Ids of jobs whose log does not end in a final status (queued, running, interrupted). */
  unfinished: string[]
  /** Logs that cannot be replayed (no job:queued first): reported, not copied. */
  unreadable: { path: string; message: string }[]
}

/** Whether an event history is a finished job: null when it cannot be replayed. */
export function isFinishedHistory(events: readonly JobEvent[]): boolean | null {
  try {
    return isTerminal(replayJobEvents(events).status)
  } catch {
    return null
  }
}

export async function readFileJobs(
  dataDir: string,
  fs: StorageFs = nodeStorageFs,
): Promise<JobLogRead> {
  const dir = resolveInside(path.resolve(dataDir), JOBS_DIR)
  const log = createFileJobEventLog<JobEvent>({ dir, fs })
  const out: JobLogRead = { finished: [], unfinished: [], unreadable: [] }
  try {
    for (const backfillId of (await log.list()).sort()) {
      const events = await log.load(backfillId)
      const finished = isFinishedHistory(events)
      if (finished === null)
        out.unreadable.push({
          path: path.join(dir, `${backfillId}.jsonl`),
          message: 'not a job history (it must start with job:queued)',
        })
      else if (finished) out.finished.push({ backfillId, events })
      else out.unfinished.push(backfillId)
    }
  } finally {
    await log.close()
  }
  return out
}

/** One event per line, as the event log writes them. */
function logText(events: readonly JobEvent[]): string {
  return events.map((e) => `${JSON.stringify(e)}\n`).join('')
}

/**
 * Writes a job's log atomically (temp file + fsync + rename). A log holding the same events
 * (compared key-order-independently) is left alone.
 */
export async function writeFileJob(
  dataDir: string,
  backfillId: string,
  events: readonly JobEvent[],
  fs: StorageFs = nodeStorageFs,
): Promise<'copied' | 'identical' | 'replaced'> {
  assertJobId(backfillId)
  const dir = resolveInside(path.resolve(dataDir), JOBS_DIR)
  const file = path.join(dir, `${backfillId}.jsonl`)
  const existing = await readOrNull(fs, file)
  if (existing !== null) {
    const log = createFileJobEventLog<JobEvent>({ dir, fs })
    const stored = await log.load(backfillId)
    if (canonicalJson(stored) === canonicalJson(events)) return 'identical'
  }
  await fs.mkdir(dir)
  await writeAtomic(fs, file, logText(events))
  return existing === null ? 'copied' : 'replaced'
}
