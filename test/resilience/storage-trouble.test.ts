/**
 * Storage trouble is visible: a DATA_DIR that cannot be written stops start-up with its path and
 * errno, health reports the last storage error and low free space, and a backfill whose event
 * log cannot be written is refused (503) instead of accepted and forgotten.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/server/config.ts'
import { createSilentLogger } from '../../src/server/logger.ts'
import { startServer } from '../../src/server/serve.ts'
import { nodeStorageFs, type StorageFs } from '../../src/server/storage/index.ts'
import { createFailingFs } from '../../src/server/storage/faulty-fs.ts'
import type { Stack } from '../helpers/stack.ts'
import { configureDistricts, type Json } from '../helpers/jobs.ts'
import { startResilienceStack } from './resilience-harness.ts'

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code })

/** node:fs with a switch: once `fail` names an operation, every call of it fails with `code`. */
function switchableFs() {
  const fault: { op: keyof StorageFs | null; code: string } = { op: null, code: 'EIO' }
  const fs = Object.fromEntries(
    (Object.keys(nodeStorageFs) as (keyof StorageFs)[]).map((op) => [
      op,
      (...args: unknown[]) =>
        fault.op === op
          ? Promise.reject(errno(fault.code))
          : (nodeStorageFs[op] as (...a: unknown[]) => Promise<unknown>)(...args),
    ]),
  ) as unknown as StorageFs
  return { fs, fault }
}

describe('start-up on a DATA_DIR it cannot write', () => {
  it('refuses a read-only DATA_DIR, naming the path and the errno', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tmb-ro-'))
    try {
      const config = loadConfig({ PORT: '0', DATA_DIR: dataDir })
      const readOnly = createFailingFs(nodeStorageFs, 'writeFile', 'EROFS')
      await expect(
        startServer(config, createSilentLogger(), { storageFs: readOnly }),
      ).rejects.toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
        message: expect.stringMatching(new RegExp(`^DATA_DIR ${dataDir} cannot be written: EROFS`)),
      })
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('refuses a DATA_DIR below a regular file (ENOTDIR, a real failure)', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tmb-notdir-'))
    try {
      await writeFile(path.join(root, 'plain-file'), 'x')
      const dataDir = path.join(root, 'plain-file', 'data')
      const config = loadConfig({ PORT: '0', DATA_DIR: dataDir })
      await expect(startServer(config, createSilentLogger())).rejects.toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
        message: expect.stringContaining(`DATA_DIR ${dataDir} cannot be written: ENOTDIR`),
      })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe('storage trouble while running', () => {
  let stack: Stack
  const { fs, fault } = switchableFs()
  beforeAll(async () => {
    stack = await startResilienceStack({ overrides: { storageFs: fs } })
    await configureDistricts(stack, ['61'])
  }, 60_000)
  afterAll(async () => {
    fault.op = null
    await stack.close()
  })

  it('health is ok with a writable DATA_DIR and reports its free space', async () => {
    const r = await stack.api<Json>('GET', '/api/health')
    expect(r.status).toBe(200)
    expect(r.body.status).toBe('ok')
    expect(r.body.store).toMatchObject({
      ok: true,
      writable: true,
      lastError: null,
      failingOperations: [],
      minFreeBytes: 100 * 1024 * 1024,
      lowSpace: false,
    })
    expect(r.body.store.freeBytes).toBeGreaterThan(0)
  })

  it('refuses a backfill whose event log cannot be written (503), and keeps no such job', async () => {
    fault.op = 'appendFile'
    fault.code = 'ENOSPC'
    const r = await stack.api<Json>('POST', '/api/districts/backfill', { startDate: '2026-10-01' })
    expect(r.status).toBe(503)
    expect(r.body.error.code).toBe('STORAGE_UNAVAILABLE')
    expect(r.body.error.message).toMatch(
      /^the job event log .*\/jobs\/bf_\S+\.jsonl cannot be written: ENOSPC/,
    )
    expect((await stack.api<Json>('GET', '/api/districts/backfill')).body.total).toBe(0)
    const health = await stack.api<Json>('GET', '/api/health')
    expect(health.body.status).toBe('degraded')
    expect(health.body.store).toMatchObject({
      ok: false,
      writable: true,
      failingOperations: ['appendFile'],
      lastError: { code: 'ENOSPC', operation: 'appendFile' },
    })
    expect(Date.parse(health.body.store.lastError.at)).not.toBeNaN()
  })

  it('health turns degraded when DATA_DIR becomes read-only, and ok again once it is writable', async () => {
    fault.op = 'writeFile'
    fault.code = 'EROFS'
    const health = await stack.api<Json>('GET', '/api/health')
    expect(health.body.status).toBe('degraded')
    expect(health.body.store).toMatchObject({
      ok: false,
      writable: false,
      lastError: { code: 'EROFS', operation: 'writeFile' },
    })
    fault.op = null
    const r = await stack.api<Json>('POST', '/api/districts/backfill', { startDate: '2026-10-01' })
    expect(r.status).toBe(202)
    await stack.server.services.backfills.idle()
    const after = await stack.api<Json>('GET', '/api/health')
    expect(after.body.status).toBe('ok')
    // The last error stays visible as history.
    expect(after.body.store).toMatchObject({ ok: true, lastError: { code: 'EROFS' } })
  })
})

describe('low free space', () => {
  let stack: Stack
  beforeAll(async () => {
    // No disk here has 100 TB free: the threshold is always crossed.
    stack = await startResilienceStack({ env: { STORAGE_MIN_FREE_MB: '100000000' } })
  }, 60_000)
  afterAll(() => stack.close())

  it('degrades health and says why', async () => {
    const r = await stack.api<Json>('GET', '/api/health')
    expect(r.body.status).toBe('degraded')
    expect(r.body.store).toMatchObject({ ok: false, writable: true, lowSpace: true })
    expect(r.body.store.freeBytes).toBeLessThan(r.body.store.minFreeBytes)
  })
})
