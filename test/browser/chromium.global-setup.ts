/**
 * Vitest globalSetup of the `browser` project: one Chromium per test run instead of one per test
 * file (a launch costs about a second of CPU, and a second Chromium beside the first doubles the
 * memory). Its endpoint is provided to the files (`inject('chromium')`); each file connects
 * (test/browser/harness.ts `connectChromium`) and opens its own browser contexts, which its
 * connection closes when the file ends, so no cookie, storage or page leaks into the next file.
 * Missing Chromium fails the run; browser tests never skip.
 */
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import type { TestProject } from 'vitest/node'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/**
 * The guide's flags, and three that spare CPU without changing what a page does: no
 * site-isolation trials (fewer renderer processes: 73 for the project's 28 tests became 44 to 49),
 * no software GL rasterizer and no GPU compositing (the page draws no WebGL). The browser project
 * went from 38.5 to 34.2 s of CPU (docs/performance.md#fourth-round).
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
  '--disable-site-isolation-trials',
  '--disable-software-rasterizer',
  '--disable-gpu-compositing',
]

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: { wsEndpoint: string }
  }
}

export default async function launchChromiumServer(
  project: TestProject,
): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM_PATH}, which is missing. ` +
        'Install it with: apt-get update && apt-get install -y chromium',
    )
  }
  const server = await chromium.launchServer({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  })
  project.provide('chromium', { wsEndpoint: server.wsEndpoint() })
  return () => server.close()
}
