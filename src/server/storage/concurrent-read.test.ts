/**
 * Readers and a writer of one date. A reader in another process holds no lock: a write committed
 * between its read of manifest.json and of metadata.json is read again under the new manifest,
 * not reported as a corrupt snapshot. A reader in the writer's own process waits for the write
 * in progress, so it never reads between the manifest's commit and the files moving into place
 * (five jobs writing one date at once ended some of them `error` on exactly these two races).
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

  it('never reads a date between its write committing and its files moving into place', async () => {
    const root = await makeTempRoot()
    cleanup = root.cleanup
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
    let phase: 'off' | 'armed' | 'committed' | 'moved' = 'off'
    let read: Promise<unknown> | null = null
    let letWriterMove = () => {}
    const writerMayMove = new Promise<void>((resolve) => (letWriterMove = resolve))
    let filesMoved = () => {}
    const moved = new Promise<void>((resolve) => (filesMoved = resolve))
    // Forces the worst interleaving: a read starts right after the write's manifest commit,
    // reads the old district file, and only then do the write's renames happen.
    const racingFs: StorageFs = {
      ...nodeStorageFs,
      async rename(from, to) {
        await nodeStorageFs.rename(from, to)
        if (phase === 'armed' && to.endsWith('manifest.json')) {
          phase = 'committed'
          read = store.readDistrict(D, '61').then(
            (file) => file,
            (error: unknown) => error,
          )
          // A reader that waits for the write cannot get further: go on after a moment.
          await Promise.race([writerMayMove, sleep(300)])
        } else if (phase === 'committed' && from.includes('.pending-district_61')) {
          phase = 'moved'
          filesMoved()
        }
      },
      async readFile(p) {
        const bytes = await nodeStorageFs.readFile(p)
        if (phase === 'committed' && p.endsWith('district_61.json')) {
          letWriterMove()
          await Promise.race([moved, sleep(1000)])
        }
        return bytes
      },
    }
    const store = createFileSnapshotStore({
      dataDir: root.dataDir,
      toolVersion: 'test',
      now: () => FIXED_NOW,
      fs: racingFs,
    })
    await store.writeDistrict(districtFile('61', D))
    phase = 'armed'
    await store.writeDistricts(
      D,
      [districtFile('61', D, { warnings: ['restated'] })],
      metaFor(D, { requestedDate: '2026-02-19' }),
    )
    expect(phase).toBe('moved')
    const result = (await read) as unknown
    expect(result).not.toBeInstanceOf(Error)
    expect((result as { warnings: string[] }).warnings).toEqual(['restated'])
  })
})
