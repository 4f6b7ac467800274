/**
 * The resilience tests' stack: simulator + real server with their own fast retries and a
 * server clock anchored on the simulator's "today". Jobs, waiting and the request log are in
 * `test/helpers/`.
 */
import { startAnchoredStack } from '../helpers/jobs.ts'
import type { Stack, StackOptions } from '../helpers/stack.ts'

export const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 }

export function startResilienceStack(options: StackOptions = {}): Promise<Stack> {
  return startAnchoredStack(FAST_RETRY, options)
}
