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
      ADMIN_TOKEN: 'secret-token',
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

  it('refuses a non-loopback host without an admin token', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/ADMIN_TOKEN/)
    expect(loadConfig({ HOST: '0.0.0.0', ADMIN_TOKEN: 'long-enough' }).host).toBe('0.0.0.0')
  })

  it('knows which hosts are loopback', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true)
    expect(isLoopbackHost('127.1.2.3')).toBe(true)
    expect(isLoopbackHost('::1')).toBe(true)
    expect(isLoopbackHost('localhost')).toBe(true)
    expect(isLoopbackHost('0.0.0.0')).toBe(false)
    expect(isLoopbackHost('192.168.1.4')).toBe(false)
  })
})
