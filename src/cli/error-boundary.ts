/**
 * The one place where a failed command becomes an exit code and a message for people: one line,
 * no stack, flags rather than API field names. Only an error nobody anticipated (a bug) keeps
 * its stack, because that is what a bug report needs.
 */
import { CommanderError } from 'commander'
import { ConfigError } from '../server/config.ts'
import { BackfillError } from '../server/backfill/index.ts'
import { ErrorCode } from '../shared/error-codes.ts'
import { inFlagTerms } from './flag-names.ts'
import { CliError, EXIT } from './output.ts'

export interface CliFailure {
  exitCode: number
  /** What to print on stderr; null when commander already printed it. */
  message: string | null
}

/** Backfill errors caused by the request itself: the invocation is wrong, nothing ran. */
const USAGE_BACKFILL_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.VALIDATION_ERROR,
  ErrorCode.SCOPE_EMPTY,
])

function issuesOf(error: BackfillError): string[] {
  const details = error.details
  if (!Array.isArray(details)) return [error.message]
  const lines = details.flatMap((d: unknown) =>
    typeof (d as { message?: unknown })?.message === 'string'
      ? [(d as { message: string }).message]
      : [],
  )
  return lines.length > 0 ? lines : [error.message]
}

export function describeCliFailure(error: unknown): CliFailure {
  if (error instanceof CommanderError) {
    // Commander printed its message (and the help); `--help` and `--version` end with 0.
    return { exitCode: error.exitCode === 0 ? EXIT.OK : EXIT.USAGE, message: null }
  }
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message }
  if (error instanceof ConfigError)
    return { exitCode: EXIT.USAGE, message: error.problems.join('; ') }
  if (error instanceof BackfillError) {
    const usage = USAGE_BACKFILL_CODES.has(error.code)
    const text = usage ? issuesOf(error).map(inFlagTerms).join('; ') : error.message
    return { exitCode: usage ? EXIT.USAGE : EXIT.FAILED, message: text }
  }
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string') {
    // A system error (EADDRINUSE, EACCES, …): its message says what and where.
    return { exitCode: EXIT.FAILED, message: error.message }
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
  return { exitCode: EXIT.FAILED, message: `unexpected error: ${text}` }
}
