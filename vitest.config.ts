import { chmodSync, mkdirSync, statSync, statfsSync } from 'node:fs'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

/**
 * The tests' temp dirs (data dirs, the PostgreSQL cluster, Chromium's profile) go to
 * /dev/shm/tmb-tests when /dev/shm is there with room (4 GiB free) and TMPDIR is not set: a
 * real file system (tmpfs) where fsync(2) is still called and returns at once, instead of a
 * disk journal commit per durable write. Tests that check durability record the calls, not the
 * disk (docs/performance.md#test-suite). Set TMPDIR to put them elsewhere.
 */
const TEST_TMPFS = '/dev/shm'
function testTmpDir(): string | null {
  if (process.env.TMPDIR) return null
  try {
    const fs = statfsSync(TEST_TMPFS)
    if (fs.bavail * fs.bsize < 4 * 2 ** 30) return null
    const dir = `${TEST_TMPFS}/tmb-tests`
    // Like /tmp: every user may make dirs in it (the cluster runs as the postgres user).
    mkdirSync(dir, { recursive: true })
    if (statSync(dir).uid === process.getuid?.()) chmodSync(dir, 0o1777)
    return dir
  } catch {
    return null
  }
}
const tmpDir = testTmpDir()
if (tmpDir) process.env.TMPDIR = tmpDir

/**
 * Timeouts catch a test that hangs, never a slow machine: on this 2-core machine shared by
 * several engineers (load 10 to 30) a test that takes 5 s alone takes 40 s and more, so they are
 * generous (docs/performance.md#test-suite).
 */
const common = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // Worker threads, not forked processes: the same files with 15–25 % less CPU (no IPC
  // serialization of every task update and log line; docs/performance.md#third-round). The
  // tests change no process-wide state (cwd, exit) that a thread would share.
  pool: 'threads',
} as const

/**
 * `npm run test:unit` (TEST_SCOPE=unit) is the edit loop: the node and web projects restricted to
 * tests under src/ that start no simulator or server stack and write no large trees to disk.
 */
const UNIT_ONLY = process.env.TEST_SCOPE === 'unit'
const NOT_UNIT = [
  'src/server/storage/crash-safety.test.ts',
  'src/server/storage/coverage-scale.test.ts',
  'src/server/http/app.test.ts',
  'src/server/normalize/normalize-simulator.test.ts',
  'src/server/collect/rebuild.test.ts',
  'src/server/refresh/refresh-service.test.ts',
  'src/sim/control.test.ts',
  'src/sim/server.faults.test.ts',
  'src/sim/server.routing.test.ts',
  'src/sim/start-from-config.test.ts',
]

/**
 * Four projects: `node` (server, CLI, simulator, shared), `pg` (the same, against a throwaway
 * PostgreSQL cluster: files named `*.pg.test.ts`), `web` (page components and view helpers on
 * happy-dom) and `browser` (the built page in Chromium). A project's globalSetup runs only when
 * that project has files in the run, so the web build happens only for browser tests and the
 * cluster starts only for PostgreSQL tests.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...common,
          name: 'node',
          include: UNIT_ONLY ? ['src/**/*.test.ts'] : ['src/**/*.test.ts', 'test/**/*.test.ts'],
          setupFiles: ['test/helpers/leak-check.ts'],
          globalSetup: ['test/helpers/node-build.global-setup.ts'],
          // The files share one worker's loaded modules instead of each loading the server
          // again: half the CPU (docs/performance.md#test-suite). They keep no module-level state.
          isolate: false,
          exclude: [
            '**/node_modules/**',
            'src/web/**',
            'test/browser/**',
            '**/*.pg.test.ts',
            ...(UNIT_ONLY ? NOT_UNIT : []),
          ],
          environment: 'node',
        },
      },
      {
        test: {
          ...common,
          name: 'pg',
          include: ['src/**/*.pg.test.ts', 'test/**/*.pg.test.ts'],
          setupFiles: ['test/helpers/leak-check.ts'],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          // As in the node project: one worker's loaded modules for every file. Each file makes
          // its own database and keeps no module-level state.
          isolate: false,
          // The PostgreSQL end-to-end tests start the compiled CLI too.
          globalSetup: [
            'test/helpers/node-build.global-setup.ts',
            'test/helpers/pg.global-setup.ts',
          ],
        },
      },
      {
        plugins: [react()],
        test: {
          ...common,
          name: 'web',
          include: ['src/web/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          // One environment and one React for every file (each cleans up its render): 7 s of CPU
          // instead of 21 s (docs/performance.md#test-suite).
          isolate: false,
        },
      },
      {
        test: {
          ...common,
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          // One Chromium for the run; each file connects to it and opens its own contexts.
          globalSetup: [
            'test/browser/build-web.global-setup.ts',
            'test/browser/chromium.global-setup.ts',
          ],
          // The files share one worker's loaded modules (playwright-core, the server) instead of
          // each loading them again. They keep no module-level state of their own.
          isolate: false,
        },
      },
    ],
  },
})
