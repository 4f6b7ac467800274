/**
 * Durable job records as append-only event logs: `jobs/<backfillId>.jsonl`, one JSON event per
 * line. Replaying a log through the job reducer rebuilds the job, so a restart loses nothing
 * that was flushed. Appends are buffered and flushed together (one write + fsync per batch);
 * a crash can lose at most the last unflushed batch, and resume re-checks the snapshot store
 * for those cells. A torn last line (crash mid-write) is ignored on load.
 */
import { open, mkdir, readdir, readFile, unlink } from 'node:fs/promises'
import path from 'node:path'
import { BACKFILL_ID_RE } from '../../shared/backfill-id.ts'

export interface JobEventLog<E> {
  append(jobId: string, event: E): void
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
}): JobEventLog<E> {
  const dir = path.resolve(options.dir)
  const pending = new Map<string, string[]>()
  let flushing: Promise<void> = Promise.resolve()
  let timer: ReturnType<typeof setTimeout> | null = null
  let dirReady: Promise<unknown> | null = null
  const checked = new Set<string>()
  const file = (id: string) => {
    assertJobId(id)
    return path.join(dir, `${id}.jsonl`)
  }

  const writeBatch = async () => {
    const batch = [...pending.entries()]
    pending.clear()
    dirReady ??= mkdir(dir, { recursive: true })
    await dirReady
    for (const [id, lines] of batch) {
      const handle = await open(file(id), 'a+')
      try {
        if (!checked.has(id)) {
          // A crash may have left a torn last line: start ours on a fresh line.
          const { size } = await handle.stat()
          const last = Buffer.alloc(1)
          if (
            size > 0 &&
            (await handle.read(last, 0, 1, size - 1)).bytesRead === 1 &&
            last[0] !== 0x0a
          )
            lines.unshift('\n')
          checked.add(id)
        }
        await handle.appendFile(lines.join(''), 'utf8')
        await handle.sync()
      } finally {
        await handle.close()
      }
    }
  }

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer)
    timer = null
    flushing = flushing.then(writeBatch).catch((e: unknown) => options.onError?.(e))
    return flushing
  }

  return {
    append(jobId, event) {
      assertJobId(jobId)
      const lines = pending.get(jobId) ?? []
      lines.push(`${JSON.stringify(event)}\n`)
      pending.set(jobId, lines)
      timer ??= setTimeout(() => void flush(), options.flushEveryMs ?? 100)
    },
    flush,
    async load(jobId) {
      let text: string
      try {
        text = await readFile(file(jobId), 'utf8')
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return []
        throw e
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
        return (await readdir(dir))
          .filter((n) => n.endsWith('.jsonl'))
          .map((n) => n.slice(0, -'.jsonl'.length))
          .filter((id) => BACKFILL_ID_RE.test(id))
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return []
        throw e
      }
    },
    async remove(jobId) {
      await flush()
      await unlink(file(jobId)).catch((e: unknown) => {
        if ((e as { code?: string }).code !== 'ENOENT') throw e
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
    flush: async () => undefined,
    load: async (jobId) => structuredClone(logs.get(jobId) ?? []),
    list: async () => [...logs.keys()],
    remove: async (jobId) => void logs.delete(jobId),
    close: async () => undefined,
  }
}
