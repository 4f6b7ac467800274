/**
 * `npm run build:node`: the server, CLI and simulator compiled to JavaScript in dist/node
 * (docs/architecture.md#build), so production runs no TypeScript loader. esbuild bundles our own
 * modules and leaves every package external (they come from node_modules, `dependencies` only);
 * the stamp it writes last lets bin/tm-backfill.js and the tests tell a fresh build from a stale one.
 */
import { rename, rm, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { ENTRIES, NODE_OUT_DIR, PACKAGE_ROOT, buildState } from '../bin/build-stamp.js'

const THIS_SCRIPT = fileURLToPath(import.meta.url)

export interface NodeBuild {
  /** Files the build was made from, relative to the package root. */
  inputs: string[]
  /** Bare package imports of the compiled code (all must be runtime dependencies). */
  packages: string[]
  ms: number
}

/** Builds into a scratch folder and swaps it in, so a reader never sees half a build. */
export async function buildNode(): Promise<NodeBuild> {
  const startedAt = Date.now()
  const scratch = `${NODE_OUT_DIR}.tmp-${process.pid}`
  await rm(scratch, { recursive: true, force: true })
  const result = await build({
    absWorkingDir: PACKAGE_ROOT,
    entryPoints: Object.fromEntries(
      Object.entries(ENTRIES).map(([name, src]) => [name, join(PACKAGE_ROOT, src)]),
    ),
    outdir: scratch,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  })
  const inputs = [
    ...Object.keys(result.metafile.inputs),
    relative(PACKAGE_ROOT, THIS_SCRIPT),
  ].sort()
  const packages = [
    ...new Set(
      Object.values(result.metafile.outputs).flatMap((o) =>
        o.imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path),
      ),
    ),
  ].sort()
  await writeFile(
    join(scratch, 'build.json'),
    `${JSON.stringify({ startedAt, inputs, packages }, null, 2)}\n`,
  )
  await rm(NODE_OUT_DIR, { recursive: true, force: true })
  await rename(scratch, NODE_OUT_DIR)
  return { inputs, packages, ms: Date.now() - startedAt }
}

/** Builds unless the build is fresh (the tests' globalSetup); true when it built. */
export async function ensureNodeBuild(): Promise<boolean> {
  if (buildState() === 'fresh') return false
  await buildNode()
  return true
}

if (process.argv[1] === THIS_SCRIPT) {
  const { inputs, ms } = await buildNode()
  process.stdout.write(`dist/node: ${inputs.length} files compiled in ${ms} ms\n`)
}
