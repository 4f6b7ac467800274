// Whether the compiled build in dist/node may stand in for the TypeScript source
// (docs/architecture.md#build). Plain JavaScript with no dependencies: bin/tm-backfill.js
// reads it before deciding how to start, and the build script writes the stamp it checks.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root: the folder holding package.json, src/ and dist/. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Where the build writes the server, CLI and simulator. */
export const NODE_OUT_DIR = join(PACKAGE_ROOT, 'dist', 'node')
/** Written last by a build: when it started and every file it was built from. */
export const STAMP_FILE = join(NODE_OUT_DIR, 'build.json')
/** The compiled entry points, by name. */
export const ENTRIES = { cli: 'src/cli/main.ts', server: 'src/server/main.ts' }
export const COMPILED_CLI = join(NODE_OUT_DIR, 'cli.js')
export const COMPILED_SERVER = join(NODE_OUT_DIR, 'server.js')

/**
 * `fresh`: the build exists and no file it was built from (paths relative to the package root,
 * package.json and the build script included) changed at or after the moment the build started,
 * or is gone. `stale`: it exists but its sources changed. `missing`: no complete build.
 */
export function buildState(root = PACKAGE_ROOT) {
  const outDir = join(root, 'dist', 'node')
  let stamp
  try {
    stamp = JSON.parse(readFileSync(join(outDir, 'build.json'), 'utf8'))
  } catch {
    return 'missing'
  }
  if (!Object.keys(ENTRIES).every((name) => existsSync(join(outDir, `${name}.js`))))
    return 'missing'
  if (typeof stamp.startedAt !== 'number' || !Array.isArray(stamp.inputs)) return 'missing'
  for (const input of stamp.inputs) {
    let mtimeMs
    try {
      mtimeMs = statSync(join(root, input)).mtimeMs
    } catch {
      return 'stale'
    }
    if (mtimeMs >= stamp.startedAt) return 'stale'
  }
  return 'fresh'
}
