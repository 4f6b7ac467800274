#!/usr/bin/env -S node --max-old-space-size=1536
// `tm-backfill`: runs the compiled CLI (dist/node/cli.js, `npm run build`) in this process when
// that build is fresh, that is no file it was built from changed since (bin/build-stamp.js;
// docs/architecture.md#build). A source checkout without a fresh build runs the TypeScript
// source through tsx's loader, registered in this same process (tsx is a devDependency, so
// that fallback needs `npm install` with dev dependencies).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { COMPILED_CLI, ENTRIES, PACKAGE_ROOT, buildState } from './build-stamp.js'

const source = join(PACKAGE_ROOT, ENTRIES.cli)
const state = buildState()

if (state === 'fresh' || (state === 'stale' && !existsSync(source))) {
  await import(pathToFileURL(COMPILED_CLI).href)
} else {
  let register
  try {
    ;({ register } = await import('tsx/esm/api'))
  } catch {
    process.stderr.write(
      `tm-backfill: the compiled CLI is ${state === 'missing' ? 'missing' : 'older than its source'} and tsx is not installed: run \`npm run build\` (or \`npm install\` for the source fallback)\n`,
    )
    process.exit(1)
  }
  register()
  await import(pathToFileURL(source).href)
}
