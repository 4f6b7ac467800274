/**
 * Configuration, read once from the environment (SPEC §2), validated and fully defaulted.
 * Nothing else in the product reads `process.env`.
 */
import { isIP } from 'node:net'
import { z } from 'zod'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export interface Config {
  /** @default 5001 */
  port: number
  /** @default '127.0.0.1' */
  host: string
  /** @default './data' */
  dataDir: string
  /** @default 'https://dashboards.toastmasters.org' */
  dashboardUrl: string
  /** When set, every mutating endpoint needs `Authorization: Bearer <token>`. */
  adminToken: string | null
  upstream: {
    /** Requests allowed per window; 0 = no rate limit (local simulator only). @default 2 */
    maxRequests: number
    /** @default 1000 */
    windowMs: number
    /** @default 4 */
    maxConcurrent: number
    /** @default 30000 */
    timeoutMs: number
    /**
     * Retries of an answer whose footer names another as-of or data month (wrong-date or stale
     * body), on top of the first request; then the cell fails with that code. @default 3
     */
    wrongAsOfRetries: number
  }
  logLevel: (typeof LOG_LEVELS)[number]
  circuit: {
    /** Consecutive upstream failures that open the circuit. @default 5 */
    failureThreshold: number
    /** How long it stays open before one probe. @default 30000 */
    openMs: number
    /** Open longer than this, jobs end `error` (finished cells kept). @default 900000 */
    maxOutageMs: number
  }
  /** Run the refresh every this many minutes while the server runs; 0 = only when asked. @default 0 */
  refreshIntervalMinutes: number
  /** Alerts are POSTed here as JSON when set. */
  alertWebhookUrl: string | null
  jobs: {
    /** Backfill jobs running at once. @default 2 */
    maxRunning: number
    /** Jobs waiting beyond the running ones; more answer 429. @default 20 */
    maxQueued: number
    /** Finished jobs older than this are removed. @default 7 */
    retentionDays: number
  }
}

const intFrom = (name: string, def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def
      if (!/^\d+$/.test(v.trim())) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number, got ${JSON.stringify(v)}`,
        })
        return z.NEVER
      }
      const n = Number(v)
      if (n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be between ${min} and ${max}, got ${n}`,
        })
        return z.NEVER
      }
      return n
    })

const envSchema = z.object({
  PORT: intFrom('PORT', 5001, 0, 65535),
  HOST: z.string().optional().default('127.0.0.1'),
  DATA_DIR: z.string().optional().default('./data'),
  TOASTMASTERS_DASHBOARD_URL: z
    .string()
    .optional()
    .default('https://dashboards.toastmasters.org')
    .refine((v) => /^https?:\/\/[^\s/]+(\/.*)?$/.test(v), {
      message: 'TOASTMASTERS_DASHBOARD_URL must be an http(s) URL',
    }),
  ADMIN_TOKEN: z.string().optional(),
  UPSTREAM_MAX_REQUESTS: intFrom('UPSTREAM_MAX_REQUESTS', 2, 0, 10_000),
  UPSTREAM_WINDOW_MS: intFrom('UPSTREAM_WINDOW_MS', 1000, 1, 3_600_000),
  UPSTREAM_MAX_CONCURRENT: intFrom('UPSTREAM_MAX_CONCURRENT', 4, 1, 64),
  UPSTREAM_TIMEOUT_MS: intFrom('UPSTREAM_TIMEOUT_MS', 30_000, 100, 600_000),
  UPSTREAM_WRONG_AS_OF_RETRIES: intFrom('UPSTREAM_WRONG_AS_OF_RETRIES', 3, 0, 20),
  CIRCUIT_FAILURE_THRESHOLD: intFrom('CIRCUIT_FAILURE_THRESHOLD', 5, 1, 1000),
  CIRCUIT_OPEN_MS: intFrom('CIRCUIT_OPEN_MS', 30_000, 10, 3_600_000),
  CIRCUIT_MAX_OUTAGE_MS: intFrom('CIRCUIT_MAX_OUTAGE_MS', 900_000, 10, 86_400_000),
  ALERT_WEBHOOK_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^https?:\/\/[^\s/]+(\/.*)?$/.test(v), {
      message: 'ALERT_WEBHOOK_URL must be an http(s) URL',
    }),
  REFRESH_INTERVAL_MINUTES: intFrom('REFRESH_INTERVAL_MINUTES', 0, 0, 10_080),
  MAX_RUNNING_JOBS: intFrom('MAX_RUNNING_JOBS', 2, 1, 16),
  MAX_QUEUED_JOBS: intFrom('MAX_QUEUED_JOBS', 20, 0, 1000),
  JOB_RETENTION_DAYS: intFrom('JOB_RETENTION_DAYS', 7, 1, 3650),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
    .optional()
    .default('info'),
})

export class ConfigError extends Error {
  override name = 'ConfigError'
  readonly code = 'CONFIG_INVALID'
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.problems = problems
  }
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) return host === '::1'
  return false
}

/** Validates the environment and returns a complete Config, or throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) =>
        i.message.includes(String(i.path[0] ?? ''))
          ? i.message
          : `${String(i.path[0])}: ${i.message}`,
      ),
    )
  }
  const e = parsed.data
  const adminToken = e.ADMIN_TOKEN && e.ADMIN_TOKEN.length > 0 ? e.ADMIN_TOKEN : null
  if (adminToken !== null && adminToken.length < 8) {
    throw new ConfigError(['ADMIN_TOKEN must be at least 8 characters'])
  }
  if (!isLoopbackHost(e.HOST) && adminToken === null) {
    throw new ConfigError([
      `HOST=${e.HOST} is not a loopback address: set ADMIN_TOKEN before exposing the server`,
    ])
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    dashboardUrl: e.TOASTMASTERS_DASHBOARD_URL.replace(/\/+$/, ''),
    adminToken,
    upstream: {
      maxRequests: e.UPSTREAM_MAX_REQUESTS,
      windowMs: e.UPSTREAM_WINDOW_MS,
      maxConcurrent: e.UPSTREAM_MAX_CONCURRENT,
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      wrongAsOfRetries: e.UPSTREAM_WRONG_AS_OF_RETRIES,
    },
    logLevel: e.LOG_LEVEL,
    circuit: {
      failureThreshold: e.CIRCUIT_FAILURE_THRESHOLD,
      openMs: e.CIRCUIT_OPEN_MS,
      maxOutageMs: e.CIRCUIT_MAX_OUTAGE_MS,
    },
    refreshIntervalMinutes: e.REFRESH_INTERVAL_MINUTES,
    alertWebhookUrl: e.ALERT_WEBHOOK_URL ? e.ALERT_WEBHOOK_URL : null,
    jobs: {
      maxRunning: e.MAX_RUNNING_JOBS,
      maxQueued: e.MAX_QUEUED_JOBS,
      retentionDays: e.JOB_RETENTION_DAYS,
    },
  }
}
