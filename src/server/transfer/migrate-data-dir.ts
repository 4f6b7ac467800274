/**
 * `tm-backfill migrate`: copies a file DATA_DIR into PostgreSQL (README "Moving to PostgreSQL
 * and back"). Every file is checked against its manifest (snapshots) or its meta (raw bodies)
 * first; one that fails is reported and not copied. Each date (its raw bodies and its snapshot)
 * is one transaction, so a run killed at any instant leaves whole dates; a date already copied
 * is recognised by its manifest and skipped, so a second run copies nothing and a rerun after a
 * kill finishes the rest. Nothing in PostgreSQL is overwritten: a date, body or configuration
 * that differs there is reported.
 */
import type pg from 'pg'
import type { IsoDate } from '../../shared/iso-date.ts'
import type { JobHistoryStore } from '../pg/job-history-port.ts'
import type { StorageFs } from '../storage/index.ts'
import { nodeStorageFs, rawDataMonth } from '../storage/index.ts'
import {
  readDiskConfig,
  readPgConfig,
  sameDistricts,
  writePgConfig,
} from '../storage/sealed-config.ts'
import {
  createPgSealedRawBodies,
  listDiskRawDates,
  pgRawWhere,
  readDiskRawDate,
} from '../storage/sealed-raw-bodies.ts'
import {
  createPgSealedSnapshots,
  datesOfKeys,
  keysOfDate,
  listDiskSnapshotKeys,
  worstOutcome,
  type SealedRead,
  type SealedWriteOutcome,
  readDiskCurrent,
  readSealedFromDisk,
} from '../storage/sealed-snapshots.ts'
import { readFileJobs } from './file-job-history.ts'
import { emptyCounts, finishReport, tally } from './transfer-report.ts'
import type { TransferProblem, TransferProgress, TransferReport } from './transfer-report.ts'

export interface MigrateDataDirOptions {
  /** The file DATA_DIR to copy (the caller holds its lock). */
  sourceDir: string
  /** A pool on a database migrated by src/server/pg/migrate.ts. */
  pool: pg.Pool
  /** Where finished jobs go; null when this build has none (they are then not copied). */
  jobHistory: JobHistoryStore | null
  /** Called after each date. */
  onProgress?: (progress: TransferProgress) => void
  /** Shown in the report as the target. */
  targetName?: string
  fs?: StorageFs
}

/** The source holds jobs that have not finished: nothing was copied. */
export class UnfinishedJobsError extends Error {
  override name = 'UnfinishedJobsError'
  readonly backfillIds: string[]
  constructor(sourceDir: string, backfillIds: string[]) {
    super(
      `${sourceDir} holds unfinished jobs (${backfillIds.join(', ')}): start the server on it ` +
        'so they finish (or cancel them with DELETE /api/districts/backfill/<id>), then run ' +
        'migrate again; nothing was copied',
    )
    this.backfillIds = backfillIds
  }
}

function unionDates(...lists: IsoDate[][]): IsoDate[] {
  return [...new Set(lists.flat())].sort()
}

export async function migrateDataDir(options: MigrateDataDirOptions): Promise<TransferReport> {
  const fs = options.fs ?? nodeStorageFs
  const source = options.sourceDir
  const jobs = await readFileJobs(source, fs)
  if (jobs.unfinished.length > 0) throw new UnfinishedJobsError(source, jobs.unfinished)

  const problems: TransferProblem[] = [...jobs.unreadable]
  const snapshots = createPgSealedSnapshots(options.pool)
  const raws = createPgSealedRawBodies(() => snapshots.db())
  const snapshotKeys = await listDiskSnapshotKeys(source, fs)
  const dates = unionDates(datesOfKeys(snapshotKeys), await listDiskRawDates(source, fs))
  const dateCounts = {
    ...emptyCounts(),
    total: dates.length,
    failedDates: [] as IsoDate[],
    differingDates: [] as IsoDate[],
  }
  const rawCounts = emptyCounts()

  for (const [i, asOf] of dates.entries()) {
    // Both data months of an as-of (docs/architecture.md#one-as-of-two-data-months) count as one date.
    const sealed: SealedRead[] = []
    for (const key of keysOfDate(snapshotKeys, asOf))
      sealed.push(await readSealedFromDisk(source, key, fs))
    const rawRead = await readDiskRawDate(source, asOf, fs)
    problems.push(...sealed.flatMap((r) => r.problems), ...rawRead.problems)
    rawCounts.failed += rawRead.problems.length
    await snapshots.inDateTransaction(asOf, async () => {
      for (const raw of rawRead.bodies) {
        const outcome = await raws.insert(raw)
        tally(rawCounts, outcome)
        if (outcome === 'conflict')
          problems.push({
            path: pgRawWhere(raw.meta, rawDataMonth(raw.meta) ?? ''),
            message: 'PostgreSQL already holds another body under this key: left as it is',
          })
      }
      if (sealed.length === 0 || sealed.some((r) => !r.snapshot)) return
      const outcomes: SealedWriteOutcome[] = []
      for (const r of sealed) {
        const outcome = await snapshots.insert(r.snapshot!)
        outcomes.push(outcome)
        if (outcome === 'conflict')
          problems.push({
            path: `postgres:snapshots/${r.snapshot!.key}`,
            message: 'PostgreSQL already holds this date with another manifest: left as it is',
          })
      }
      const outcome = worstOutcome(outcomes)
      if (outcome !== null) tally(dateCounts, outcome)
      if (outcome === 'conflict') dateCounts.differingDates.push(asOf)
    })
    if (sealed.some((r) => !r.snapshot)) {
      dateCounts.failed++
      dateCounts.failedDates.push(asOf)
    }
    options.onProgress?.({ done: i + 1, total: dates.length, asOf })
  }

  let config: TransferReport['config'] = 'none'
  try {
    const fileConfig = await readDiskConfig(source, fs)
    if (fileConfig !== null) {
      const pgConfig = await readPgConfig(options.pool)
      if (pgConfig === null) {
        await writePgConfig(options.pool, fileConfig)
        config = 'copied'
      } else if (sameDistricts(pgConfig, fileConfig)) config = 'identical'
      else {
        config = 'differing'
        problems.push({
          path: 'postgres:district_config',
          message: `PostgreSQL has other configured districts (${pgConfig.districts.join(', ') || 'none'}): left as they are`,
        })
      }
    }
  } catch (e) {
    config = 'failed'
    problems.push({ path: 'config/districts.json', message: (e as Error).message })
  }

  let current: TransferReport['current'] = 'none'
  const pointer = await readDiskCurrent(source, fs).catch((e: unknown) => {
    problems.push({ path: 'current.json', message: (e as Error).message })
    return null
  })
  if (pointer !== null && (await snapshots.read(pointer.asOf)).snapshot !== null)
    current = (await snapshots.advanceCurrent(pointer)) ? 'moved' : 'unchanged'

  const jobCounts = { ...emptyCounts(), available: options.jobHistory !== null, unfinished: [] }
  if (options.jobHistory !== null) {
    for (const job of jobs.finished) {
      const imported = await options.jobHistory.importJob(job.backfillId, job.events)
      tally(jobCounts, imported ? 'copied' : 'identical')
    }
  }

  return finishReport({
    direction: 'migrate',
    source,
    target: options.targetName ?? 'PostgreSQL',
    dates: dateCounts,
    rawBodies: rawCounts,
    config,
    current,
    jobs: jobCounts,
    problems,
  })
}
