/**
 * One piece of work per key at a time: a caller asking for a key already in flight shares that
 * work's result instead of starting it again. The shared work runs on a signal of its own that
 * aborts only when every caller waiting for it has left, so one caller cancelling never aborts
 * what another still waits for.
 */

export interface InFlight<T> {
  /**
   * The result of `work` for `key`, started now or joined. A caller whose `signal` aborts stops
   * waiting at once with `leave(reason)`.
   */
  run(
    key: string,
    work: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal | undefined,
    leave: (reason: unknown) => Error,
  ): Promise<T>
  /** Keys in flight now. */
  size(): number
}

interface Entry<T> {
  promise: Promise<T>
  controller: AbortController
  waiters: number
}

export function createInFlight<T>(): InFlight<T> {
  const entries = new Map<string, Entry<T>>()

  const start = (key: string, work: (signal: AbortSignal) => Promise<T>): Entry<T> => {
    const controller = new AbortController()
    const entry: Entry<T> = { promise: Promise.resolve() as Promise<T>, controller, waiters: 0 }
    entry.promise = work(controller.signal).finally(() => {
      if (entries.get(key) === entry) entries.delete(key)
    })
    // Every waiter handles the outcome; this keeps an abandoned one from being unhandled.
    entry.promise.catch(() => undefined)
    entries.set(key, entry)
    return entry
  }

  return {
    run(key, work, signal, leave) {
      if (signal?.aborted) return Promise.reject(leave(signal.reason))
      const entry = entries.get(key) ?? start(key, work)
      entry.waiters++
      return new Promise<T>((resolve, reject) => {
        let settled = false
        const onAbort = () => {
          if (settled) return
          settled = true
          entry.waiters--
          if (entry.waiters === 0) {
            // Nobody waits any more: stop the work, and let the next caller start afresh.
            if (entries.get(key) === entry) entries.delete(key)
            entry.controller.abort(signal?.reason)
          }
          reject(leave(signal?.reason))
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        entry.promise.then(
          (value) => {
            if (settled) return
            settled = true
            signal?.removeEventListener('abort', onAbort)
            resolve(value)
          },
          (error: unknown) => {
            if (settled) return
            settled = true
            signal?.removeEventListener('abort', onAbort)
            reject(error instanceof Error ? error : new Error(String(error)))
          },
        )
      })
    },
    size: () => entries.size,
  }
}
