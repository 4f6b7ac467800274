/**
 * `verify`: proves DATA_DIR is consistent (docs/architecture.md#storage) and, with `repair`, moves whatever is not
 * to `quarantine/<timestamp>/<relative path>`. Nothing is deleted. Run it while no writer is
 * active: it does not take the store's in-process locks.
 */
import path from 'node:path'
import { SNAPSHOT_SCHEMA_VERSION } from '../../shared/snapshot-types.ts'
import type { IsoDate } from '../../shared/iso-date.ts'
import {
  CURRENT_FILE,
  QUARANTINE_DIR,
  SNAPSHOTS_DIR,
  parseSnapshotKey,
  resolveInside,
} from './paths.ts'
import type { SnapshotKey } from './paths.ts'
import { commitUpdate, loadState } from './snapshot-files.ts'
import type { SnapshotFilesContext } from './snapshot-files.ts'
import { applyFailures } from './snapshot-model.ts'
import { serializeJson } from './schema.ts'
import {
  existsPath,
  io,
  nodeStorageFs,
  readdirOrEmpty,
  renameDurable,
  writeAtomic,
} from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'
import { checkConfig, checkCurrent, checkRawCsv, checkStrayTemps } from './verify-other.ts'
import { checkSeriesIndex, checkSnapshots } from './verify-snapshots.ts'
import { noteSnapshotChanged } from './file-snapshot-store.ts'
import type { Finding, VerifyCounts, VerifyProblem, VerifyProblemCode } from './verify-types.ts'

export type { VerifyProblem, VerifyProblemCode } from './verify-types.ts'

export interface VerifyOptions {
  dataDir: string
  /** Quarantine what is broken and fix manifests and current.json. @default false */
  repair?: boolean
  /** With `repair`: fix only findings with these codes (e.g. INTERRUPTED_WRITE_CODES). */
  repairCodes?: readonly VerifyProblemCode[]
  /** @default () => new Date() */
  now?: () => Date
  /** @default node:fs/promises */
  fs?: StorageFs
  /** @default 'all' */
  scope?: VerifyScope
}

/**
 * `all`: every check. `interrupted-writes`: look only for what INTERRUPTED_WRITE_CODES name (the
 * start-up sweep): directory listings, the manifest of a snapshot that holds a temp or staged
 * file, and the raw CSV pairs, without reading, hashing and validating every snapshot file,
 * current.json, the config and the series index. It finds the same interrupted-write findings as
 * `all` does. With `rawChangedSince`, a raw CSV date directory last modified before that instant
 * (ms since the epoch) and holding no temp file has its pairs listed, not read (an interrupted
 * write renames into its directory, which moves the directory's mtime).
 */
export type VerifyScope = 'all' | { kind: 'interrupted-writes'; rawChangedSince?: number }

/**
 * What a crash mid-write leaves: temp files and staged files, and a raw CSV body renamed into
 * place before its metadata (new body, no or old metadata: the cache already reads that as a
 * miss, never as data). Snapshots themselves are the old or the new state; these are swept at
 * start-up (roll forward what was committed, move the rest to quarantine).
 */
export const INTERRUPTED_WRITE_CODES: readonly VerifyProblemCode[] = [
  'TEMP_LEFTOVER',
  'PENDING_COMMITTED',
  'PENDING_UNCOMMITTED',
  'RAW_META_MISSING',
  'RAW_SHA_MISMATCH',
]

export interface VerifyReport {
  /** No problems left (after repair, when repairing). */
  ok: boolean
  checked: VerifyCounts
  problems: VerifyProblem[]
  /** Where repair moved files, relative to the data dir; null when nothing was moved. */
  quarantinedTo: string | null
}

/** Repairs can uncover more (a rolled-forward file is then checked); a few rounds settle it. */
const MAX_REPAIR_ROUNDS = 4

export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const ctx: SnapshotFilesContext = {
    dataDir: path.resolve(options.dataDir),
    fs: options.fs ?? nodeStorageFs,
  }
  const selected = (findings: Finding[]) =>
    options.repairCodes
      ? findings.filter((f) => options.repairCodes?.includes(f.problem.code))
      : findings
  const scope = options.scope ?? 'all'
  const first = await checkAll(ctx, scope)
  if (!options.repair || selected(first.findings).length === 0) {
    return {
      ok: first.findings.length === 0,
      checked: first.counts,
      problems: first.findings.map((f) => f.problem),
      quarantinedTo: null,
    }
  }
  const now = (options.now ?? (() => new Date()))()
  const stamp = now.toISOString().replace(/:/g, '-')
  const repairer = { ctx, stamp, nowIso: now.toISOString(), moved: false }
  let round = first
  for (let i = 0; i < MAX_REPAIR_ROUNDS && selected(round.findings).length > 0; i++) {
    await applyFixes(repairer, selected(round.findings))
    round = await checkAll(ctx, scope)
  }
  const left = new Set(round.findings.map((f) => `${f.problem.code} ${f.problem.path}`))
  const problems = first.findings.map((f) => ({
    ...f.problem,
    repaired: !left.has(`${f.problem.code} ${f.problem.path}`),
  }))
  return {
    ok: round.findings.length === 0,
    checked: first.counts,
    problems,
    quarantinedTo: repairer.moved ? `${QUARANTINE_DIR}/${stamp}` : null,
  }
}

async function checkAll(
  ctx: SnapshotFilesContext,
  scope: VerifyScope,
): Promise<{ findings: Finding[]; counts: VerifyCounts }> {
  const counts: VerifyCounts = { snapshots: 0, files: 0, rawBodies: 0 }
  if (scope !== 'all') {
    const findings = [
      ...(await checkSnapshots(ctx, counts, { interruptedOnly: true })),
      ...(await checkRawCsv(ctx, counts, { changedSince: scope.rawChangedSince })),
      ...(await checkStrayTemps(ctx)),
    ]
    return {
      findings: findings.filter((f) => INTERRUPTED_WRITE_CODES.includes(f.problem.code)),
      counts,
    }
  }
  const snapshots = await checkSnapshots(ctx, counts)
  const unsound = new Set(
    snapshots
      .map((f) => f.problem.path.split('/')[1])
      .filter((k): k is SnapshotKey => parseSnapshotKey(k) !== null),
  )
  const findings = [
    ...snapshots,
    ...(await checkCurrent(ctx)),
    ...(await checkRawCsv(ctx, counts)),
    ...(await checkConfig(ctx)),
    ...(await checkStrayTemps(ctx)),
    ...(await checkSeriesIndex(ctx, unsound)),
  ]
  return { findings, counts }
}

interface Repairer {
  ctx: SnapshotFilesContext
  stamp: string
  nowIso: string
  moved: boolean
}

async function applyFixes(r: Repairer, findings: Finding[]): Promise<void> {
  const drops = new Map<IsoDate, { districtId: string | null; reason: string }[]>()
  for (const { fix } of findings) {
    if (fix.kind === 'quarantine') for (const p of fix.paths) await quarantine(r, p)
    if (fix.kind === 'roll-forward') await renameDurable(r.ctx.fs, fix.from, fix.to)
    if (fix.kind === 'drop') {
      for (const p of fix.paths) await quarantine(r, p)
      drops.set(fix.asOf, [
        ...(drops.get(fix.asOf) ?? []),
        { districtId: fix.districtId, reason: fix.reason },
      ])
    }
  }
  for (const [asOf, dropped] of drops) await dropFromManifest(r, asOf, dropped)
  if (findings.some((f) => f.fix.kind === 'current')) await fixCurrent(r)
}

async function quarantine(r: Repairer, abs: string): Promise<void> {
  if (!(await existsPath(r.ctx.fs, abs))) return
  const rel = path.relative(r.ctx.dataDir, abs).split(path.sep)
  const dest = resolveInside(r.ctx.dataDir, QUARANTINE_DIR, r.stamp, ...rel)
  await io('mkdir', path.dirname(dest), () => r.ctx.fs.mkdir(path.dirname(dest)))
  await renameDurable(r.ctx.fs, abs, dest)
  r.moved = true
}

/** The district is gone from the snapshot: say so in metadata, so the next backfill refetches it. */
async function dropFromManifest(
  r: Repairer,
  asOf: IsoDate,
  dropped: { districtId: string | null; reason: string }[],
): Promise<void> {
  const state = await loadState(r.ctx, asOf)
  if (state === null) return
  const districts = { ...state.manifest.districts }
  let allDistricts = state.manifest.allDistricts
  const failures = []
  for (const d of dropped) {
    if (d.districtId === null) {
      allDistricts = null
      continue
    }
    delete districts[d.districtId]
    failures.push({
      districtId: d.districtId,
      code: 'QUARANTINED',
      message: `moved to quarantine by verify --repair: ${d.reason}`,
    })
  }
  await commitUpdate(r.ctx, asOf, [], {
    manifest: { ...state.manifest, districts, allDistricts },
    metadata: applyFailures(state.metadata, failures, r.nowIso),
  })
  noteSnapshotChanged(r.ctx.dataDir, asOf)
}

/** Points current.json at the newest complete snapshot, or quarantines it when there is none. */
async function fixCurrent(r: Repairer): Promise<void> {
  const keys = (await readdirOrEmpty(r.ctx.fs, resolveInside(r.ctx.dataDir, SNAPSHOTS_DIR)))
    .filter((name) => parseSnapshotKey(name) !== null)
    .sort()
    .reverse()
  for (const key of keys) {
    const state = await loadState(r.ctx, key).catch(() => null)
    if (state?.metadata.status === 'complete') {
      const pointer = {
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
        asOf: state.metadata.asOf,
        dataMonth: state.metadata.dataMonth,
        updatedAt: r.nowIso,
      }
      await writeAtomic(
        r.ctx.fs,
        resolveInside(r.ctx.dataDir, CURRENT_FILE),
        serializeJson(pointer),
      )
      return
    }
  }
  await quarantine(r, resolveInside(r.ctx.dataDir, CURRENT_FILE))
}
