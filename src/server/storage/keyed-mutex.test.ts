import { describe, expect, it } from 'vitest'
import { createKeyedMutex } from './keyed-mutex.ts'

describe('keyed mutex', () => {
  it('runs work of one key one at a time, in order, even after a failure', async () => {
    const mutex = createKeyedMutex()
    const log: string[] = []
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const a = mutex.run('k', async () => {
      log.push('a:start')
      await gate
      log.push('a:end')
      throw new Error('a failed')
    })
    const b = mutex.run('k', () => {
      log.push('b')
      return Promise.resolve('b')
    })
    const other = mutex.run('other', () => {
      log.push('other')
      return Promise.resolve()
    })
    await other
    expect(log).toEqual(['a:start', 'other'])
    release()
    await expect(a).rejects.toThrow('a failed')
    expect(await b).toBe('b')
    expect(log).toEqual(['a:start', 'other', 'a:end', 'b'])
  })
})
