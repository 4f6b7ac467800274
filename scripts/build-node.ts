/**
 * `npm run build:node`: the server, CLI and simulator compiled to JavaScript in dist/node
 * (docs/architecture.md#build), so production runs no TypeScript loader. esbuild bundles our own
 * modules and the pure-JavaScript packages every CLI or server start loads (`BUNDLED`); the other
 * packages stay external (they come from node_modules, `dependencies` only). The stamp it writes last lets
 * bin/tm-backfill.js and the tests tell a fresh build from a stale one.
 */
import { rename, rm, writeFile } from 'node:fs/promises'
import { isBuiltin } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import pkg from '../package.json' with { type: 'json' }
import { ENTRIES, NODE_OUT_DIR, PACKAGE_ROOT, buildState } from '../bin/build-stamp.js'

/**
 * Packages compiled into the build instead of loaded from node_modules at run time: the
 * pure-JavaScript ones the CLI and the server load at every start. As separate modules they cost
 * more to find and load than to run (zod alone is some 100 files with its locales, which the
 * bundle leaves out; fastify and its plugins some 300 CommonJS files): a CLI start 0.29 → 0.18 s
 * of CPU, a server start 0.6 → 0.35 s (docs/performance.md#start-up). zod and
 * fastify-type-provider-zod go together, so the routes' schemas and the type provider share one
 * zod. Not bundled: packages that find files of their own at run time (pino's transports,
 * write-file-atomic's `__filename`), and pg and pg-boss (loaded only in PostgreSQL mode, in
 * chunks of their own; bundled they started no faster).
 */
const BUNDLED: readonly string[] = [
  '@fastify/accept-negotiator',
  '@fastify/helmet',
  '@fastify/static',
  '@fastify/swagger',
  'cli-progress',
  'commander',
  'csv-parse',
  'd3-dsv',
  'fastify',
  'fastify-type-provider-zod',
  'p-limit',
  'proper-lockfile',
  'zod',
]

const EXTERNAL = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.includes(name))

/** Required inside try/catch by a bundled package and absent when not installed (debug's colours). */
const OPTIONAL = ['supports-color']

/** CommonJS packages in an ESM bundle still call `require` for Node's own modules. */
const REQUIRE_SHIM =
  "import { createRequire as __tmCreateRequire } from 'node:module'; " +
  'const require = __tmCreateRequire(import.meta.url);'

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
    external: EXTERNAL.flatMap((name) => [name, `${name}/*`]),
    banner: { js: REQUIRE_SHIM },
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  })
  // Bundled packages change only with the lock file; their hundreds of files are not listed.
  const inputs = [
    ...Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('node_modules/')),
    relative(PACKAGE_ROOT, THIS_SCRIPT),
    'package-lock.json',
  ].sort()
  const packages = [
    ...new Set(
      Object.values(result.metafile.outputs).flatMap((o) =>
        o.imports
          .filter((i) => i.external && !isBuiltin(i.path) && !OPTIONAL.includes(i.path))
          .map((i) => i.path),
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
