import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

const common = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks',
} as const

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
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          setupFiles: ['test/helpers/leak-check.ts'],
          exclude: ['**/node_modules/**', 'src/web/**', 'test/browser/**', '**/*.pg.test.ts'],
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
          globalSetup: ['test/helpers/pg.global-setup.ts'],
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [react()],
        test: {
          ...common,
          name: 'web',
          include: ['src/web/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
        },
      },
      {
        test: {
          ...common,
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/browser/build-web.global-setup.ts'],
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
