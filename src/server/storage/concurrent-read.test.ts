/**
 * Readers hold no lock: a write committed between a reader's read of manifest.json and its read
 * of metadata.json is read again under the new manifest, not reported as a corrupt snapshot
 * (five jobs writing one date at once ended one of them `error` on exactly that).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createFileSnapshotStore } from './file-snapshot-store.ts'
import { nodeStorageFs, type StorageFs } from './storage-fs.ts'
import { FIXED_NOW, districtFile, makeTempRoot, metaFor } from './test-helpers.ts'

const D = '2026-02-20'
let cleanup: (() => Promise<void>) | null = null
afterEach(async () => {
  await cleanup?.()
  cleanup = null
})

describe('a reader racing a writer', () => {
  it('reads the snapshot committed while it was reading', async () => {
    const root = await makeTempRoot()
    cleanup = root.cleanup
    const writer = createFileSnapshotStore({
      dataDir: root.dataDir,
      toolVersion: 'test',
      now: () => FIXED_NOW,
    })
    await writer.writeDistrict(districtFile('61', D))
    let interleave = true
    // The writer commits right after the reader has read the manifest.
    const racingFs: StorageFs = {
      ...nodeStorageFs,
      async readFile(p) {
        const bytes = await nodeStorageFs.readFile(p)
        if (interleave && p.endsWith('manifest.json')) {
          interleave = false
          // A new requested date changes metadata.json, so its sha256 in the manifest changes.
          await writer.writeDistricts(
            D,
            [districtFile('F', D)],
            metaFor(D, { requestedDate: '2026-02-19' }),
          )
        }
        return bytes
      },
    }
    const reader = createFileSnapshotStore({
      dataDir: root.dataDir,
      toolVersion: 'test',
      now: () => FIXED_NOW,
      fs: racingFs,
    })
    const manifest = await reader.readManifest(D)
    expect(interleave).toBe(false)
    expect(Object.keys(manifest?.districts ?? {}).sort()).toEqual(['61', 'F'])
  })
})
