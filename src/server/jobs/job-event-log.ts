/**
 * Durable job records as append-only event logs: `jobs/<backfillId>.jsonl`, one JSON event per
 * line. Replaying a log through the job reducer rebuilds the job, so a restart loses nothing
 * that was flushed. Appends are buffered and flushed together (one write + fsync per batch);
 * a crash can lose at most the last unflushed batch, and resume re-checks the snapshot store
 * for those cells. A torn last line (crash mid-write) is ignored on load.
 */
import path from 'node:path'
import {
  StorageIoError,
  StorageUnavailableError,
  errnoOf,
  nodeStorageFs,
  type StorageFs,
} from '../storage/index.ts'
import { BACKFILL_ID_RE } from '../../shared/backfill-id.ts'

export interface JobEventLog<E> {
  append(jobId: string, event: E): void
  /**
   * Appends and waits until the event is on disk; rejects with StorageUnavailableError when it
   * could not be written (a job must not be accepted on a log that cannot record it).
   */
  persist(jobId: string, event: E): Promise<void>
  /** Resolves when everything appended so far is on disk. */
  flush(): Promise<void>
  load(jobId: string): Promise<E[]>
  list(): Promise<string[]>
  remove(jobId: string): Promise<void>
  close(): Promise<void>
}

export function assertJobId(jobId: string): void {
  if (!BACKFILL_ID_RE.test(jobId))
    throw new RangeError(`job id must match ${BACKFILL_ID_RE}, got ${JSON.stringify(jobId)}`)
}

export function createFileJobEventLog<E>(options: {
  dir: string
  flushEveryMs?: number
  onError?: (e: unknown) => void
  /** @default node:fs/promises */
  fs?: StorageFs
}): JobEventLog<E> {
  const dir = path.resolve(options.dir)
  const fs = options.fs ?? nodeStorageFs
  const pending = new Map<string, string[]>()
  /** Per job: the error of its last write, until a later write succeeds. */
  const writeErrors = new Map<string, unknown>()
  let flushing: Promise<void> = Promise.resolve()
  let timer: ReturnType<typeof setTimeout> | null = null
  let dirReady = false
  const checked = new Set<string>()
  const file = (id: string) => {
    assertJobId(id)
    return path.join(dir, `${id}.jsonl`)
  }

  /** A crash may have left a torn last line: the next append must start on a fresh line. */
  const endsTorn = async (target: string): Promise<boolean> => {
    const bytes = await fs.readFile(target).catch((e: unknown) => {
      if (errnoOf(e) === 'ENOENT') return null
      throw e
    })
    return bytes !== null && bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a
  }

  const writeJob = async (id: string, lines: string[]) => {
    if (!dirReady) {
      await fs.mkdir(dir)
      dirReady = true
    }
    if (!checked.has(id)) {
      if (await endsTorn(file(id))) lines.unshift('\n')
      checked.add(id)
    }
    await fs.appendFile(file(id), lines.join(''))
    await fs.fsync(file(id))
  }

  const writeBatch = async () => {
    const batch = [...pending.entries()]
    pending.clear()
    let first: unknown = null
    // One job's failure does not cost the others their events.
    for (const [id, lines] of batch) {
      try {
        await writeJob(id, lines)
        writeErrors.delete(id)
      } catch (e) {
        writeErrors.set(id, e)
        first ??= e
      }
    }
    if (first !== null) throw first
  }

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer)
    timer = null
    flushing = flushing.then(writeBatch).catch((e: unknown) => options.onError?.(e))
    return flushing
  }

  const append = (jobId: string, event: E) => {
    assertJobId(jobId)
    const lines = pending.get(jobId) ?? []
    lines.push(`${JSON.stringify(event)}\n`)
    pending.set(jobId, lines)
    timer ??= setTimeout(() => void flush(), options.flushEveryMs ?? 100)
  }

  return {
    append,
    async persist(jobId, event) {
      append(jobId, event)
      await flush()
      const error = writeErrors.get(jobId)
      if (error !== undefined)
        throw new StorageUnavailableError('the job event log', file(jobId), error)
    },
    flush,
    async load(jobId) {
      let text: string
      try {
        text = (await fs.readFile(file(jobId))).toString('utf8')
      } catch (e) {
        if (errnoOf(e) === 'ENOENT') return []
        throw new StorageIoError('read', file(jobId), e)
      }
      const events: E[] = []
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue
        try {
          events.push(JSON.parse(line) as E)
        } catch {
          // A crash mid-append leaves a partial line; later appends start on a new line.
          continue
        }
      }
      return events
    },
    async list() {
      try {
        return (await fs.readdir(dir))
          .filter((n) => n.endsWith('.jsonl'))
          .map((n) => n.slice(0, -'.jsonl'.length))
          .filter((id) => BACKFILL_ID_RE.test(id))
      } catch (e) {
        if (errnoOf(e) === 'ENOENT') return []
        throw new StorageIoError('readdir', dir, e)
      }
    },
    async remove(jobId) {
      await flush()
      await fs.unlink(file(jobId)).catch((e: unknown) => {
        if (errnoOf(e) !== 'ENOENT') throw e
      })
    },
    async close() {
      await flush()
    },
  }
}

export function createMemoryJobEventLog<E>(): JobEventLog<E> {
  const logs = new Map<string, E[]>()
  return {
    append(jobId, event) {
      assertJobId(jobId)
      logs.set(jobId, [...(logs.get(jobId) ?? []), structuredClone(event)])
    },
    async persist(jobId, event) {
      assertJobId(jobId)
      logs.set(jobId, [...(logs.get(jobId) ?? []), structuredClone(event)])
    },
    flush: async () => undefined,
    load: async (jobId) => structuredClone(logs.get(jobId) ?? []),
    list: async () => [...logs.keys()],
    remove: async (jobId) => void logs.delete(jobId),
    close: async () => undefined,
  }
}
