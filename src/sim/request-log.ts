/** In-memory log of the requests the simulator answered (control requests excluded). */

export interface RequestLogEntry {
  /** ISO timestamp from the simulator's clock: when the answer was written. */
  time: string
  /** ISO timestamp from the simulator's clock: when the request arrived (what a rate limit counts). */
  receivedTime: string
  method: string
  url: string
  /** 0 when the connection was reset without a response. */
  status: number
  /** Body bytes written. */
  bytes: number
  /** Applied faults as `kind:id`, empty when none. */
  faults: string[]
  /** The first applied fault's kind (null when none), for quick filtering. */
  fault: string | null
}

export interface RequestLog {
  add(entry: RequestLogEntry): void
  entries(): RequestLogEntry[]
  clear(): void
}

const MAX_ENTRIES = 10_000

export function createRequestLog(): RequestLog {
  let entries: RequestLogEntry[] = []
  return {
    add(entry) {
      entries.push(entry)
      // Long demo sessions must not grow without bound; drop the oldest half at the cap.
      if (entries.length > MAX_ENTRIES) entries = entries.slice(MAX_ENTRIES / 2)
    },
    entries: () => [...entries],
    clear() {
      entries = []
    },
  }
}
