/**
 * docs/architecture.md#storage: a failure or crash at any step of a write leaves the old state or the new one, and
 * verify can prove it. Each scenario is replayed with a failure injected at step 1, 2, 3, ...
 * until the write runs to completion without reaching the failing step.
 */
import { describe, expect, it } from 'vitest'
import { StorageIoError } from './errors.ts'
import { createFaultyFs } from './faulty-fs.ts'
import { createFileSnapshotStore } from './file-snapshot-store.ts'
import type { SnapshotStore } from './ports.ts'
import { nodeStorageFs } from './storage-fs.ts'
import type { StorageFs } from './storage-fs.ts'
import {
  FIXED_NOW,
  allDistrictsFile,
  districtFile,
  makeTempRoot,
  metaFor,
  sourcesFor,
} from './test-helpers.ts'
import { INTERRUPTED_WRITE_CODES, verify } from './verify.ts'

const D = '2026-02-20'
const storeOn = (dataDir: string, fs: StorageFs = nodeStorageFs) =>
  createFileSnapshotStore({ dataDir, toolVersion: 'test', now: () => FIXED_NOW, fs })

interface Scenario {
  name: string
  seed: (store: SnapshotStore) => Promise<void>
  write: (store: SnapshotStore) => Promise<unknown>
}

const fullRestated = districtFile('61', D, {
  detail: 'full',
  provenance: {
    sources: sourcesFor('full', '61', { sha256: 'c'.repeat(64) }),
    jobId: 'job-2',
    toolVersion: 't',
    writtenAt: 'w',
  },
})

const SCENARIOS: Scenario[] = [
  {
    name: 'a new snapshot',
    seed: async (s) => void (await s.writeDistrict(districtFile('61', '2026-02-19'))),
    write: (s) => s.writeDistricts(D, [districtFile('61', D), districtFile('F', D)], metaFor(D)),
  },
  {
    name: 'an update that overwrites one district, adds another and clears a failure',
    seed: async (s) => {
      await s.writeDistrict(districtFile('61', D))
      await s.recordFailures(D, [{ districtId: 'F', code: 'UPSTREAM_TIMEOUT', message: 't' }])
    },
    write: (s) =>
      s.writeDistricts(
        D,
        [fullRestated, districtFile('F', D)],
        metaFor(D, { requestedDate: '2026-02-21' }),
      ),
  },
  {
    name: 'adding the all-districts file to a snapshot',
    seed: async (s) => void (await s.writeDistrict(districtFile('61', D))),
    write: (s) => s.writeAllDistricts(allDistrictsFile(D), { requestedDate: '2026-02-22' }),
  },
  {
    name: 'recording failures (metadata only)',
    seed: async (s) => void (await s.writeDistrict(districtFile('61', D))),
    write: (s) => s.recordFailures(D, [{ districtId: '9', code: 'HTTP_500', message: 'x' }]),
  },
]

/** What a reader can see of date D; metadata fields that a write changes are included. */
async function observe(store: SnapshotStore) {
  const metadata = await store.readMetadata(D)
  const ids = await store.listDistricts(D)
  const files = await Promise.all(ids.map((id) => store.readDistrict(D, id)))
  const all = await store.readAllDistricts(D)
  const m = metadata && {
    status: metadata.status,
    failed: metadata.failedDistricts,
    requested: metadata.requestedDates,
    restated: metadata.restatements.length,
  }
  return { m, ids, files, all }
}

const CRASH_LEFTOVERS = ['TEMP_LEFTOVER', 'PENDING_COMMITTED', 'PENDING_UNCOMMITTED']

async function expectedStates(scenario: Scenario) {
  const { dataDir, cleanup } = await makeTempRoot()
  try {
    await scenario.seed(storeOn(dataDir))
    const before = await observe(storeOn(dataDir))
    await scenario.write(storeOn(dataDir))
    return { before, after: await observe(storeOn(dataDir)) }
  } finally {
    await cleanup()
  }
}

async function replayWithFault(
  scenario: Scenario,
  mode: 'once' | 'crash',
  failAt: number,
  states: Awaited<ReturnType<typeof expectedStates>>,
) {
  const { dataDir, cleanup } = await makeTempRoot()
  try {
    await scenario.seed(storeOn(dataDir))
    const faulty = createFaultyFs(nodeStorageFs, { failAt, mode })
    const error = await scenario.write(storeOn(dataDir, faulty.fs)).then(
      () => null,
      (e: unknown) => e,
    )
    if (!faulty.triggered) {
      expect(error).toBeNull()
      return false
    }
    if (error !== null) expect(error).toBeInstanceOf(StorageIoError)
    const seen = await observe(storeOn(dataDir))
    expect(
      [states.before, states.after],
      `${mode} at step ${failAt} (${faulty.failedOp})`,
    ).toContainEqual(seen)
    if (error === null) expect(seen).toEqual(states.after)
    const report = await verify({ dataDir })
    // The start-up sweep's scope finds the same leftovers without reading the snapshot files.
    const sweep = await verify({ dataDir, scope: { kind: 'interrupted-writes' } })
    expect(sweep.problems, `sweep after ${mode} at step ${failAt}`).toEqual(
      report.problems.filter((p) => INTERRUPTED_WRITE_CODES.includes(p.code)),
    )
    const allowed = mode === 'once' ? [] : CRASH_LEFTOVERS
    expect(
      report.problems.filter((p) => !allowed.includes(p.code)),
      `${mode} at step ${failAt}`,
    ).toEqual([])
    // The next write (no repair in between) finishes or replaces what the crash left.
    await scenario.write(storeOn(dataDir))
    expect(await observe(storeOn(dataDir))).toEqual(states.after)
    expect((await verify({ dataDir, repair: true })).ok).toBe(true)
    expect(await observe(storeOn(dataDir))).toEqual(states.after)
    return true
  } finally {
    await cleanup()
  }
}

describe('crash safety of snapshot writes', () => {
  for (const scenario of SCENARIOS) {
    for (const mode of ['once', 'crash'] as const) {
      it(`leaves the old or the new state when ${scenario.name} fails at any step (${mode})`, async () => {
        const states = await expectedStates(scenario)
        expect(states.after).not.toEqual(states.before)
        let step = 1
        while (await replayWithFault(scenario, mode, step, states)) step++
        expect(step).toBeGreaterThan(5)
      })
    }
  }
})
