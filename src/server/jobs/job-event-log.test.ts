import { appendFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nodeStorageFs, type StorageFs } from '../storage/index.ts'
import {
  createFileJobEventLog,
  createMemoryJobEventLog,
  type JobEventLog,
} from './job-event-log.ts'

type Ev = { n: number; text: string }
let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tmb-jobs-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const impls: [string, () => JobEventLog<Ev>][] = [
  ['file', () => createFileJobEventLog<Ev>({ dir, flushEveryMs: 5 })],
  ['memory', () => createMemoryJobEventLog<Ev>()],
]

describe.each(impls)('%s job event log', (_name, make) => {
  it('keeps events in order per job and lists jobs', async () => {
    const log = make()
    for (let i = 0; i < 50; i++) log.append(i % 2 ? 'job-a' : 'job-b', { n: i, text: `é ${i}` })
    await log.flush()
    expect((await log.load('job-a')).map((e) => e.n)).toEqual(
      [...Array(25).keys()].map((i) => i * 2 + 1),
    )
    expect((await log.list()).sort()).toEqual(['job-a', 'job-b'])
    await log.remove('job-a')
    expect(await log.list()).toEqual(['job-b'])
    expect(await log.load('job-a')).toEqual([])
  })

  it('refuses job ids that could escape the directory', () => {
    const log = make()
    expect(() => log.append('../x', { n: 1, text: '' })).toThrow(/job id/)
  })
})

describe('file job event log', () => {
  it('survives a reopen and ignores a torn last line', async () => {
    const log = createFileJobEventLog<Ev>({ dir })
    log.append('j1', { n: 1, text: 'a' })
    log.append('j1', { n: 2, text: 'b' })
    await log.close()
    await appendFile(path.join(dir, 'j1.jsonl'), '{"n":3,"te')
    const reopened = createFileJobEventLog<Ev>({ dir })
    expect((await reopened.load('j1')).map((e) => e.n)).toEqual([1, 2])
    reopened.append('j1', { n: 4, text: 'after the crash' })
    await reopened.flush()
    expect((await reopened.load('j1')).map((e) => e.n)).toEqual([1, 2, 4])
  })
})

describe('persist', () => {
  /** Appends to `j-bad.jsonl` fail with ENOSPC; everything else is the real disk. */
  const fullForOneJob: StorageFs = {
    ...nodeStorageFs,
    appendFile: (p, data) =>
      p.endsWith('j-bad.jsonl')
        ? Promise.reject(Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' }))
        : nodeStorageFs.appendFile(p, data),
  }

  it('resolves once the event is on disk, rejects naming the file and errno when not, and spares the other jobs', async () => {
    const log = createFileJobEventLog<Ev>({ dir, fs: fullForOneJob, onError: () => undefined })
    // The failing job comes first in the batch: the job after it still gets its line.
    log.append('j-bad', { n: 1, text: 'lost' })
    await log.persist('j-good', { n: 2, text: 'kept' })
    await expect(log.persist('j-bad', { n: 3, text: 'x' })).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: expect.stringMatching(
        /^the job event log \S+j-bad\.jsonl cannot be written: ENOSPC/,
      ),
    })
    await log.persist('j-good', { n: 4, text: 'y' })
    const reopened = createFileJobEventLog<Ev>({ dir })
    expect((await reopened.load('j-good')).map((e) => e.n)).toEqual([2, 4])
    expect(await reopened.list()).toEqual(['j-good'])
  })
})
