/**
 * `tm-backfill export`: writes PostgreSQL's snapshots, raw bodies, configured districts, current
 * pointer and finished job history out as a file DATA_DIR (README "Moving to PostgreSQL and
 * back"), for backups and static publishing. Each date is read in one transaction under its
 * writers' lock (a consistent copy while servers run) and checked like every read; it is written
 * through the file store's atomic protocol. A date whose manifest the target already holds is
 * skipped, so a rerun writes only what changed or is missing; a date that changed is replaced.
 */
import type pg from 'pg'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { JobHistoryStore } from '../pg/job-history-port.ts'
import type { StorageFs } from '../storage/index.ts'
import { nodeStorageFs } from '../storage/index.ts'
import {
  readDiskConfig,
  readPgConfig,
  sameConfig,
  writeDiskConfig,
} from '../storage/sealed-config.ts'
import { createPgSealedRawBodies, writeDiskRawBody } from '../storage/sealed-raw-bodies.ts'
import {
  canonicalJson,
  createPgSealedSnapshots,
  datesOfKeys,
  keysOfDate,
  worstOutcome,
  readDiskCurrent,
  writeDiskCurrent,
  writeSealedToDisk,
  type SealedWriteOutcome,
} from '../storage/sealed-snapshots.ts'
import { isFinishedHistory, writeFileJob } from './file-job-history.ts'
import { emptyCounts, finishReport, tally } from './transfer-report.ts'
import type { TransferProblem, TransferProgress, TransferReport } from './transfer-report.ts'

export interface ExportDataDirOptions {
  /** The file DATA_DIR to write (the caller holds its lock). */
  targetDir: string
  pool: pg.Pool
  /** Where finished jobs come from; null when this build has none (they are then not copied). */
  jobHistory: JobHistoryStore | null
  onProgress?: (progress: TransferProgress) => void
  sourceName?: string
  fs?: StorageFs
}

export async function exportDataDir(options: ExportDataDirOptions): Promise<TransferReport> {
  const fs = options.fs ?? nodeStorageFs
  const target = options.targetDir
  const problems: TransferProblem[] = []
  const snapshots = createPgSealedSnapshots(options.pool)
  const raws = createPgSealedRawBodies(() => snapshots.db())
  const keys = await snapshots.listKeys()
  const dates = [...new Set([...datesOfKeys(keys), ...(await raws.listDates())])].sort()
  const dateCounts = {
    ...emptyCounts(),
    total: dates.length,
    failedDates: [] as IsoDate[],
    differingDates: [] as IsoDate[],
  }
  const rawCounts = emptyCounts()

  for (const [i, asOf] of dates.entries()) {
    // Both data months of an as-of (docs/architecture.md#one-as-of-two-data-months) count as one date.
    const { sealed, rawRead } = await snapshots.inDateTransaction(asOf, async () => {
      const reads = []
      for (const key of keysOfDate(keys, asOf)) reads.push(await snapshots.read(key))
      return { sealed: reads, rawRead: await raws.readDate(asOf) }
    })
    problems.push(...sealed.flatMap((r) => r.problems), ...rawRead.problems)
    rawCounts.failed += rawRead.problems.length
    for (const raw of rawRead.bodies) tally(rawCounts, await writeDiskRawBody(target, raw, fs))
    if (sealed.some((r) => !r.snapshot && r.problems.length > 0)) {
      dateCounts.failed++
      dateCounts.failedDates.push(asOf)
    } else if (sealed.length > 0) {
      const outcomes: SealedWriteOutcome[] = []
      for (const r of sealed)
        if (r.snapshot) outcomes.push(await writeSealedToDisk(target, r.snapshot, fs))
      const outcome = worstOutcome(outcomes)
      if (outcome !== null) tally(dateCounts, outcome)
      if (outcome === 'replaced') dateCounts.differingDates.push(asOf)
    }
    options.onProgress?.({ done: i + 1, total: dates.length, asOf })
  }

  let config: TransferReport['config'] = 'none'
  try {
    const pgConfig = await readPgConfig(options.pool)
    if (pgConfig !== null) {
      const fileConfig = await readDiskConfig(target, fs).catch(() => null)
      if (fileConfig !== null && sameConfig(fileConfig, pgConfig)) config = 'identical'
      else {
        await writeDiskConfig(target, pgConfig, fs)
        config = 'copied'
      }
    }
  } catch (e) {
    config = 'failed'
    problems.push({ path: 'postgres:district_config', message: (e as Error).message })
  }

  let current: TransferReport['current'] = 'none'
  const pointer = await snapshots.readCurrent()
  if (pointer !== null) {
    const existing = await readDiskCurrent(target, fs).catch(() => null)
    if (existing !== null && canonicalJson(existing) === canonicalJson(pointer))
      current = 'unchanged'
    else if (!dateCounts.failedDates.includes(pointer.asOf)) {
      await writeDiskCurrent(target, pointer, fs)
      current = 'moved'
    }
  }

  const jobCounts = {
    ...emptyCounts(),
    available: options.jobHistory !== null,
    unfinished: [] as string[],
  }
  if (options.jobHistory !== null) {
    for (const backfillId of (await options.jobHistory.listJobIds()).sort()) {
      const events = await options.jobHistory.readEvents(backfillId)
      const finished = isFinishedHistory(events)
      if (finished === null) {
        jobCounts.failed++
        problems.push({ path: `postgres:jobs/${backfillId}`, message: 'not a job history' })
      } else if (!finished) jobCounts.unfinished.push(backfillId)
      else tally(jobCounts, await writeFileJob(target, backfillId, events, fs))
    }
  }

  return finishReport({
    direction: 'export',
    source: options.sourceName ?? 'PostgreSQL',
    target,
    dates: dateCounts,
    rawBodies: rawCounts,
    config,
    current,
    jobs: jobCounts,
    problems,
  })
}
