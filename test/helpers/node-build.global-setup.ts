/**
 * Compiles the server, CLI and simulator into dist/node once per test run, unless that build is
 * already fresh (bin/build-stamp.js): CLI tests spawn the compiled CLI, as `tm-backfill` runs it.
 */
import { ensureNodeBuild } from '../../scripts/build-node.ts'

export default async function buildNodeOnce(): Promise<void> {
  await ensureNodeBuild()
}
