/** The tests' one way to wait for a condition (no import of the stack, so any helper may use it). */

const POLL_FIRST_MS = 20
const POLL_MAX_MS = 100

/**
 * Polls `probe` until it returns something other than undefined/false/null; throws naming `what`
 * when `timeoutMs` passes first. The interval only paces the polling: the condition decides. It
 * starts at 20 ms and grows to 100 ms, so a wait of seconds costs tens of probes, not hundreds (a
 * probe of the job view is an HTTP round trip: CPU in the test and in the server alike). The
 * default catches a hang, not a loaded machine (a job of seconds takes a minute at load 20).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 60_000,
  /**
   * A fixed interval instead of 20 → 100 ms: for probes that cost more than a job view (a query
   * per process of a PostgreSQL cluster, the jobs of several servers).
   */
  options: { everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let intervalMs = options.everyMs ?? POLL_FIRST_MS
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== null && value !== false) return value
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
    if (options.everyMs === undefined) intervalMs = Math.min(POLL_MAX_MS, intervalMs * 1.5)
  }
}

/**
 * `waitFor` at a fixed 200 ms, for the multi-process tests: each probe is an HTTP round trip to
 * one of several server processes (or a query of their cluster).
 */
export function waitForProcesses<T>(
  what: string,
  probe: () => Promise<T | null | false>,
  timeoutMs: number,
): Promise<T> {
  return waitFor(what, probe, timeoutMs, { everyMs: 200 })
}
