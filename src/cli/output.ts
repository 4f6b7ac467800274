/** Human output of the CLI: plain tables on stdout, JSON on request. */

/** Exit codes of every command (sysexits' EX_USAGE for usage errors). */
export const EXIT = {
  /** Done: job complete, refresh written or unchanged, nothing wrong found. */
  OK: 0,
  /** The job or command failed (or `verify` found problems). */
  FAILED: 1,
  /** Partly done: some cells or districts failed, the rest is stored. */
  PARTIAL: 2,
  /** Bad invocation: unknown or missing flag, bad flag value, bad setting. Nothing was done. */
  USAGE: 64,
  /** Interrupted (Ctrl-C); a backfill is cancelled cleanly, finished cells stay stored. */
  INTERRUPTED: 130,
} as const

/** A failure to report to the user as one line, with the exit code it ends the process with. */
export class CliError extends Error {
  override name = 'CliError'
  readonly exitCode: number
  constructor(message: string, exitCode: number = EXIT.FAILED) {
    super(message)
    this.exitCode = exitCode
  }
}

/** Bad flags or values: exit 64, before any work starts. */
export class UsageError extends CliError {
  override name = 'UsageError'
  constructor(message: string) {
    super(message, EXIT.USAGE)
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  process.stdout.write(`${line(header)}\n`)
  for (const r of rows) process.stdout.write(`${line(r)}\n`)
  if (rows.length === 0) process.stdout.write('(none)\n')
}
