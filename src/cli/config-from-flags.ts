/**
 * CLI flags are the same settings as the environment variables (docs/architecture.md#configuration): a flag overrides the
 * variable, and both go through the one validating `loadConfig`.
 */
import { ConfigError, loadConfig, type Config } from '../server/config.ts'
import { settingInFlagTerms } from './flag-names.ts'
import { UsageError } from './output.ts'

export interface CommonFlags {
  dataDir?: string
  dashboardUrl?: string
  logLevel?: string
  port?: string
  host?: string
  maxRequests?: string
  windowMs?: string
  maxConcurrent?: string
  timeoutMs?: string
  role?: string
}

const FLAG_TO_ENV: Record<keyof CommonFlags, string> = {
  dataDir: 'DATA_DIR',
  dashboardUrl: 'TOASTMASTERS_DASHBOARD_URL',
  logLevel: 'LOG_LEVEL',
  port: 'PORT',
  host: 'HOST',
  maxRequests: 'UPSTREAM_MAX_REQUESTS',
  windowMs: 'UPSTREAM_WINDOW_MS',
  maxConcurrent: 'UPSTREAM_MAX_CONCURRENT',
  timeoutMs: 'UPSTREAM_TIMEOUT_MS',
  role: 'ROLE',
}

/** Commands other than `serve` log warnings only unless asked: their output is for people. */
export function configFromFlags(
  flags: CommonFlags,
  env: Record<string, string | undefined>,
  defaults: Record<string, string> = {},
): Config {
  const merged: Record<string, string | undefined> = { ...defaults, ...env }
  const typed = new Map<string, string>()
  for (const [flag, name] of Object.entries(FLAG_TO_ENV) as [keyof CommonFlags, string][]) {
    const value = flags[flag]
    if (value === undefined) continue
    merged[name] = value
    typed.set(name, `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)
  }
  try {
    return loadConfig(merged)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    throw new UsageError(error.problems.map((p) => settingInFlagTerms(p, typed)).join('; '))
  }
}
