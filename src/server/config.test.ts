import { describe, expect, it } from 'vitest'
import { ConfigError, isLoopbackHost, loadConfig } from './config.ts'

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({
      port: 5001,
      host: '127.0.0.1',
      dataDir: './data',
      dashboardUrl: 'https://dashboards.toastmasters.org',
      adminToken: null,
      upstream: {
        maxRequests: 2,
        windowMs: 1000,
        maxConcurrent: 4,
        timeoutMs: 30000,
        wrongAsOfRetries: 3,
      },
      logLevel: 'info',
    })
  })

  it('reads every variable it documents', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      ADMIN_TOKEN: 'secret-token-of-24-chars',
      DATA_DIR: '/tmp/x',
      TOASTMASTERS_DASHBOARD_URL: 'http://127.0.0.1:9999/',
      UPSTREAM_MAX_REQUESTS: '0',
      UPSTREAM_WINDOW_MS: '500',
      UPSTREAM_MAX_CONCURRENT: '8',
      UPSTREAM_TIMEOUT_MS: '1000',
      UPSTREAM_WRONG_AS_OF_RETRIES: '0',
      LOG_LEVEL: 'debug',
      REFRESH_INTERVAL_MINUTES: '360',
    })
    expect(c.refreshIntervalMinutes).toBe(360)
    expect(c.port).toBe(8080)
    expect(c.dashboardUrl).toBe('http://127.0.0.1:9999')
    expect(c.upstream).toEqual({
      maxRequests: 0,
      windowMs: 500,
      maxConcurrent: 8,
      timeoutMs: 1000,
      wrongAsOfRetries: 0,
    })
    expect(c.logLevel).toBe('debug')
  })

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ UPSTREAM_MAX_CONCURRENT: '0' }, 'UPSTREAM_MAX_CONCURRENT'],
    [{ UPSTREAM_WINDOW_MS: '-5' }, 'UPSTREAM_WINDOW_MS'],
    [{ UPSTREAM_WRONG_AS_OF_RETRIES: '21' }, 'UPSTREAM_WRONG_AS_OF_RETRIES'],
    [{ UPSTREAM_WRONG_AS_OF_RETRIES: 'many' }, 'UPSTREAM_WRONG_AS_OF_RETRIES'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ TOASTMASTERS_DASHBOARD_URL: 'ftp://x' }, 'TOASTMASTERS_DASHBOARD_URL'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(name)
  })

  it('reads an optional DATABASE_URL, null when unset or empty', () => {
    expect(loadConfig({}).databaseUrl).toBeNull()
    expect(loadConfig({ DATABASE_URL: '  ' }).databaseUrl).toBeNull()
    const url = 'postgresql://tm:secret@db.internal:5432/backfill'
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url)
    expect(loadConfig({ DATABASE_URL: 'postgres:///tm?host=/run/pg' }).databaseUrl).toBe(
      'postgres:///tm?host=/run/pg',
    )
  })

  it.each([
    [
      'mysql://u:pw@h/db',
      /DATABASE_URL must start with postgres:\/\/ or postgresql:\/\/, got mysql:/,
    ],
    ['not a url', /DATABASE_URL must be a URL like postgres:/],
    ['postgres:///db', /DATABASE_URL must name a host/],
  ])('rejects DATABASE_URL=%s naming the variable and the rule', (value, message) => {
    expect(() => loadConfig({ DATABASE_URL: value })).toThrow(ConfigError)
    expect(() => loadConfig({ DATABASE_URL: value })).toThrow(message)
  })

  it('reads ROLE (default all) and refuses another value or api/worker without DATABASE_URL, naming the rule', () => {
    const url = 'postgres://tm@db.internal/backfill'
    expect(loadConfig({}).role).toBe('all')
    expect(loadConfig({ ROLE: 'worker', DATABASE_URL: url }).role).toBe('worker')
    expect(() => loadConfig({ ROLE: 'both', DATABASE_URL: url })).toThrow(
      /ROLE must be one of all, api, worker/,
    )
    expect(() => loadConfig({ ROLE: 'api' })).toThrow(/ROLE=api needs DATABASE_URL/)
  })

  it('reads WORKER_SLICE_TIMEOUT_SECONDS (default 30, 5 to 3600) and WORKER_SLICE_RETRIES (default 20, 0 to 100)', () => {
    expect(loadConfig({}).workerSliceTimeoutSeconds).toBe(30)
    expect(loadConfig({ WORKER_SLICE_TIMEOUT_SECONDS: '12' }).workerSliceTimeoutSeconds).toBe(12)
    expect(loadConfig({}).workerSliceRetries).toBe(20)
    expect(loadConfig({ WORKER_SLICE_RETRIES: '0' }).workerSliceRetries).toBe(0)
    expect(() => loadConfig({ WORKER_SLICE_RETRIES: '101' })).toThrow(/WORKER_SLICE_RETRIES/)
    expect(() => loadConfig({ WORKER_SLICE_TIMEOUT_SECONDS: '2' })).toThrow(
      /WORKER_SLICE_TIMEOUT_SECONDS/,
    )
  })

  it('never repeats the password of a rejected DATABASE_URL', () => {
    const error = (() => {
      try {
        loadConfig({ DATABASE_URL: 'mysql://u:hunter2-secret@h/db' })
      } catch (e) {
        return e as Error
      }
    })()
    expect(error?.message).toContain('DATABASE_URL')
    expect(error?.message).not.toContain('hunter2')
  })

  it('refuses a non-loopback host without an admin token', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/ADMIN_TOKEN/)
    expect(loadConfig({ HOST: '0.0.0.0', ADMIN_TOKEN: 'long-enough-for-lan' }).host).toBe('0.0.0.0')
  })

  it.each([
    ['        ', 'whitespace'],
    ['12345678', 'at least 16 characters'],
    ['fifteen-chars-x', 'at least 16 characters'],
    ['sixteen chars ok', 'whitespace'],
  ])('refuses ADMIN_TOKEN %j beyond loopback, saying how to make one', (token, rule) => {
    for (const host of ['0.0.0.0', '192.168.1.4', '::']) {
      const attempt = () => loadConfig({ HOST: host, ADMIN_TOKEN: token })
      expect(attempt).toThrow(ConfigError)
      expect(attempt).toThrow(rule)
      expect(attempt).toThrow('openssl rand -hex 32')
    }
  })

  it('keeps the 8-character minimum on loopback, but never accepts whitespace', () => {
    expect(loadConfig({ ADMIN_TOKEN: '12345678' }).adminToken).toBe('12345678')
    expect(() => loadConfig({ ADMIN_TOKEN: 'with space' })).toThrow(/ADMIN_TOKEN.*whitespace/)
    expect(loadConfig({ HOST: '0.0.0.0', ADMIN_TOKEN: 'a'.repeat(16) }).adminToken).toBe(
      'a'.repeat(16),
    )
  })

  it('accepts the bind address and ALLOWED_HOSTS as Host names, never a wildcard', () => {
    expect(loadConfig({}).allowedHosts).toEqual(['127.0.0.1'])
    expect(
      loadConfig({
        HOST: '0.0.0.0',
        ADMIN_TOKEN: 'a'.repeat(16),
        ALLOWED_HOSTS: ' TM.Example.org. , 192.168.1.4,[fd00::1]',
      }).allowedHosts,
    ).toEqual(['tm.example.org', '192.168.1.4', 'fd00::1'])
    expect(loadConfig({ HOST: '::', ADMIN_TOKEN: 'a'.repeat(16) }).allowedHosts).toEqual([])
  })

  it.each(['http://tm.example.org', 'tm.example.org:8443', 'tm.example.org/app', 'a b', '*'])(
    'refuses ALLOWED_HOSTS entry %j naming the variable',
    (entry) => {
      expect(() => loadConfig({ ALLOWED_HOSTS: entry })).toThrow(/ALLOWED_HOSTS/)
    },
  )

  it('knows which hosts are loopback', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true)
    expect(isLoopbackHost('127.1.2.3')).toBe(true)
    expect(isLoopbackHost('::1')).toBe(true)
    expect(isLoopbackHost('localhost')).toBe(true)
    expect(isLoopbackHost('0.0.0.0')).toBe(false)
    expect(isLoopbackHost('192.168.1.4')).toBe(false)
  })
})
