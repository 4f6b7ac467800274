/**
 * Configuration, read once from the environment (docs/architecture.md#configuration), validated and fully defaulted.
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
  /**
   * Names (lower case, no port, IPv6 without brackets) accepted in the `Host` header besides
   * the loopback names: `host` itself unless it is a wildcard address, then `ALLOWED_HOSTS`
   * (the names a reverse proxy forwards under). @default [host]
   */
  allowedHosts: string[]
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
  /** Below this much free space on DATA_DIR's file system, health reports `degraded`. @default 100 */
  storageMinFreeMb: number
  jobs: {
    /** Backfill jobs running at once. @default 2 */
    maxRunning: number
    /** Jobs waiting beyond the running ones; more answer 429. @default 20 */
    maxQueued: number
    /** Finished jobs older than this are removed. @default 7 */
    retentionDays: number
  }
  /** PostgreSQL mode when set (`postgres://…`); null = files in DATA_DIR. */
  databaseUrl: string | null
  /**
   * What `serve` runs: `api` (HTTP, no job work), `worker` (job work, no HTTP) or both; `api`
   * and `worker` need DATABASE_URL. @default 'all'
   */
  role: (typeof ROLES)[number]
  /**
   * PostgreSQL mode: a slice a worker claimed and has not finished after this long is taken
   * to be lost (its worker died) and run by another worker. @default 30
   */
  workerSliceTimeoutSeconds: number
  /**
   * PostgreSQL mode: how often a failed or lost slice is run again before its cells are recorded
   * failed (`SLICE_EXHAUSTED`) and the job goes on to its end. @default 20
   */
  workerSliceRetries: number
}

export const ROLES = ['all', 'api', 'worker'] as const

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
  ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const names = (v ?? '')
        .split(',')
        .map(toHostName)
        .filter((s) => s !== '')
      for (const name of names.filter((n) => !isHostName(n))) {
        ctx.addIssue({
          code: 'custom',
          message: `ALLOWED_HOSTS entries must be host names or IP addresses without scheme, port or path (e.g. tm.example.org), got ${JSON.stringify(name.slice(0, 100))}`,
        })
      }
      return names
    }),
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
  STORAGE_MIN_FREE_MB: intFrom('STORAGE_MIN_FREE_MB', 100, 0, 100_000_000),
  DATABASE_URL: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined || v.trim() === '') return
      const problem = databaseUrlProblem(v.trim())
      if (problem) ctx.addIssue({ code: 'custom', message: `DATABASE_URL ${problem}` })
    }),
  ROLE: z
    .enum(ROLES, { message: `ROLE must be one of ${ROLES.join(', ')}` })
    .optional()
    .default('all'),
  WORKER_SLICE_TIMEOUT_SECONDS: intFrom('WORKER_SLICE_TIMEOUT_SECONDS', 30, 5, 3600),
  WORKER_SLICE_RETRIES: intFrom('WORKER_SLICE_RETRIES', 20, 0, 100),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
    .optional()
    .default('info'),
})

/** Why a DATABASE_URL is unusable, or null. Never echoes the value: it may hold a password. */
function databaseUrlProblem(value: string): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'must be a URL like postgres://user:password@host:5432/database'
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return `must start with postgres:// or postgresql://, got ${url.protocol}//`
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    return 'must name a host (postgres://user@host:5432/database)'
  }
  return null
}

export class ConfigError extends Error {
  override name = 'ConfigError'
  readonly code = 'CONFIG_INVALID'
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.problems = problems
  }
}

const HOST_NAME_RE =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/

/** A DNS name or an IP address (IPv6 with or without brackets). */
function isHostName(name: string): boolean {
  return HOST_NAME_RE.test(name) || isIP(name) !== 0
}

/** Lower case, no trailing dot, IPv6 without brackets: the form the Host check compares. */
export function toHostName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[(.*)\]$/, '$1')
}

/** A wildcard bind address is no name that clients reach the server by. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::'])

/** Beyond loopback a token must be long enough to resist guessing. */
const MIN_EXPOSED_TOKEN_LENGTH = 16
const MIN_LOOPBACK_TOKEN_LENGTH = 8
const MAKE_TOKEN_HINT = 'make one with: openssl rand -hex 32'

/** Problems with ADMIN_TOKEN for a server bound to `host`, each naming the variable. */
function adminTokenProblems(token: string | null, host: string): string[] {
  const exposed = !isLoopbackHost(host)
  if (token === null) {
    return exposed
      ? [
          `HOST=${host} is not a loopback address: set ADMIN_TOKEN before exposing the server (${MAKE_TOKEN_HINT})`,
        ]
      : []
  }
  const problems: string[] = []
  // A bearer credential is one header token: whitespace could not be sent intact.
  if (/\s/.test(token))
    problems.push(`ADMIN_TOKEN must not contain whitespace (${MAKE_TOKEN_HINT})`)
  const min = exposed ? MIN_EXPOSED_TOKEN_LENGTH : MIN_LOOPBACK_TOKEN_LENGTH
  if (token.length < min) {
    problems.push(
      `ADMIN_TOKEN must be at least ${min} characters${exposed ? ` when HOST=${host} is not a loopback address` : ''} (${MAKE_TOKEN_HINT})`,
    )
  }
  return problems
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
  const tokenProblems = adminTokenProblems(adminToken, e.HOST)
  if (tokenProblems.length > 0) throw new ConfigError(tokenProblems)
  const databaseUrl = e.DATABASE_URL?.trim() ? e.DATABASE_URL.trim() : null
  if (e.ROLE !== 'all' && databaseUrl === null) {
    throw new ConfigError([
      `ROLE=${e.ROLE} needs DATABASE_URL: separate api and worker processes share their jobs through PostgreSQL (without it, ROLE must be all)`,
    ])
  }
  const ownHost = toHostName(e.HOST)
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    dashboardUrl: e.TOASTMASTERS_DASHBOARD_URL.replace(/\/+$/, ''),
    adminToken,
    allowedHosts: [
      ...new Set([...(WILDCARD_HOSTS.has(ownHost) ? [] : [ownHost]), ...e.ALLOWED_HOSTS]),
    ],
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
    storageMinFreeMb: e.STORAGE_MIN_FREE_MB,
    alertWebhookUrl: e.ALERT_WEBHOOK_URL ? e.ALERT_WEBHOOK_URL : null,
    jobs: {
      maxRunning: e.MAX_RUNNING_JOBS,
      maxQueued: e.MAX_QUEUED_JOBS,
      retentionDays: e.JOB_RETENTION_DAYS,
    },
    databaseUrl,
    role: e.ROLE,
    workerSliceTimeoutSeconds: e.WORKER_SLICE_TIMEOUT_SECONDS,
    workerSliceRetries: e.WORKER_SLICE_RETRIES,
  }
}
