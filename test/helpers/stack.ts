/**
 * A full stack for tests: the dashboard simulator and the server on loopback ports, with a
 * temp data dir. Everything it starts, `close()` stops.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../../src/server/config.ts'
import type { ServiceOverrides } from '../../src/server/compose.ts'
import { createSilentLogger } from '../../src/server/logger.ts'
import { startServer, type RunningServer } from '../../src/server/serve.ts'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.ts'
import { trackOpenStack, untrackOpenStack } from './open-stacks.ts'

export interface Stack {
  sim: Simulator
  server: RunningServer
  dataDir: string
  url: string
  api<T = unknown>(
    method: string,
    route: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>
  close(): Promise<void>
}

export interface StackOptions {
  /** Environment for `loadConfig`, over the test defaults. */
  env?: Record<string, string>
  sim?: SimulatorOptions
  overrides?: ServiceOverrides
}

export const TEST_TODAY = '2026-11-29'

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-test-'))
  const sim = await startSimulator({ seed: 7, today: TEST_TODAY, ...options.sim })
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    TOASTMASTERS_DASHBOARD_URL: sim.url,
    UPSTREAM_MAX_REQUESTS: '0',
    UPSTREAM_MAX_CONCURRENT: '8',
    // Generous: on a loaded machine the simulator may take seconds to build a large report, and
    // a timeout would turn into retries the test did not ask for.
    UPSTREAM_TIMEOUT_MS: '30000',
    ...options.env,
  })
  const server = await startServer(config, createSilentLogger(), options.overrides)
  const stack: Stack = {
    sim,
    server,
    dataDir,
    url: server.url,
    async api(method, route, body, headers = {}) {
      const res = await fetch(`${server.url}${route}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, body: (text ? JSON.parse(text) : null) as never }
    },
    async close() {
      untrackOpenStack(stack)
      await server.close()
      await sim.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
  trackOpenStack(stack)
  return stack
}

export { openStackUrls } from './open-stacks.ts'
