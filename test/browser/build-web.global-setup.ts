/**
 * Builds the page into dist/web once per run of the browser project, before any browser test
 * starts a server (the server serves dist/web, and registers its files when it starts).
 */
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

export default async function buildWeb(): Promise<void> {
  // Vitest sets NODE_ENV=test, which would bundle React's development build; test what ships.
  const nodeEnv = process.env['NODE_ENV']
  process.env['NODE_ENV'] = 'production'
  try {
    await build({
      configFile: fileURLToPath(new URL('../../vite.config.web.ts', import.meta.url)),
      mode: 'production',
      logLevel: 'warn',
    })
  } finally {
    process.env['NODE_ENV'] = nodeEnv
  }
}
