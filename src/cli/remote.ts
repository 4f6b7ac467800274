/**
 * Writing commands and the DATA_DIR lock. A command that writes (`backfill`, `refresh`,
 * `rebuild`, `verify --repair`) either finds the server holding DATA_DIR and runs through its
 * HTTP API (so the server's history and page show it), or takes the lock itself for as long as
 * it runs. A DATA_DIR held by another CLI command, or by a server that does not answer, is
 * refused with EXIT_DATA_DIR_BUSY rather than waited for.
 */
import { BACKFILL_ERROR_CODES, ErrorCode, type BackfillErrorCode } from '../shared/error-codes.ts'
import { BackfillError } from '../server/backfill/index.ts'
import type { Config } from '../server/config.ts'
import type { RebuildResult } from '../server/collect/index.ts'
import {
  acquireDataDirLock,
  currentHolder,
  DataDirLockedError,
  describeHolder,
  readDataDirId,
  type DataDirLock,
  type LockHolder,
  type VerifyReport,
} from '../server/storage/index.ts'
import { isTerminal, type BackfillResponse } from '../shared/backfill-api.ts'
import type { RefreshResult, RefreshStatus } from '../shared/refresh-api.ts'
import { configFromFlags, type CommonFlags } from './config-from-flags.ts'
import {
  CliError,
  createBar,
  EXIT,
  EXIT_BY_STATUS,
  payloadOf,
  printJson,
  printPlan,
  printSummary,
  reportRebuild,
  reportRefresh,
  reportVerify,
} from './output.ts'

/** DATA_DIR is held by another writer (a CLI command, or a server that does not answer). */
export const EXIT_DATA_DIR_BUSY = EXIT.BUSY

/** How long a command waits for a server that holds the lock to answer (it may be starting). */
const SERVER_WAIT_MS = 10_000
const RETRY_MS = 250
const HEALTH_TIMEOUT_MS = 3_000
/** How long the follower keeps trying when the server stops answering mid-job. */
const LOST_CONTACT_MS = 15_000

export interface RemoteServer {
  url: string
  holder: LockHolder
  call<T>(method: string, route: string, body?: unknown): Promise<T>
}

export interface WriterPaths<T> {
  remote(server: RemoteServer): Promise<T>
  local(): Promise<T>
  /** false: the local path only reads (a dry run), so it runs without taking the lock. */
  lockLocal?: boolean
}

export async function asDataDirWriter<T>(
  flags: CommonFlags,
  command: string,
  paths: WriterPaths<T>,
): Promise<T> {
  const config = configFromFlags(flags, process.env, { LOG_LEVEL: 'warn' })
  const writer = await findWriter(config, command, paths.lockLocal ?? true)
  if (writer.kind === 'remote') return paths.remote(writer.server)
  try {
    return await paths.local()
  } finally {
    await writer.lock?.release()
  }
}

type Writer = { kind: 'remote'; server: RemoteServer } | { kind: 'local'; lock: DataDirLock | null }

async function findWriter(config: Config, command: string, lockLocal: boolean): Promise<Writer> {
  const deadline = Date.now() + SERVER_WAIT_MS
  for (;;) {
    let holder: LockHolder | null
    if (lockLocal) {
      try {
        return {
          kind: 'local',
          lock: await acquireDataDirLock({ dataDir: config.dataDir, role: 'cli', command }),
        }
      } catch (error) {
        if (!(error instanceof DataDirLockedError)) throw error
        holder = error.holder
      }
    } else {
      const held = await currentHolder(config.dataDir)
      if (!held) return { kind: 'local', lock: null }
      holder = held.holder
    }
    if (holder?.role === 'cli') {
      if (!lockLocal) return { kind: 'local', lock: null }
      throw new CliError(
        `${describeHolder(holder)}; try again once it has finished`,
        EXIT_DATA_DIR_BUSY,
      )
    }
    const server = holder?.url ? await reach(config, holder) : null
    if (server) return { kind: 'remote', server }
    if (Date.now() >= deadline) {
      const silent = holder?.url ? `; it did not answer at ${holder.url}/api/health` : ''
      throw new CliError(
        `${describeHolder(holder)}${silent}; stop it or use its API`,
        EXIT_DATA_DIR_BUSY,
      )
    }
    await sleep(RETRY_MS)
  }
}

/** The holder's server, if it answers and says it serves this very DATA_DIR. */
async function reach(config: Config, holder: LockHolder): Promise<RemoteServer | null> {
  const url = holder.url ?? ''
  const expected = await readDataDirId(config.dataDir)
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
    const health = (await res.json()) as { store?: { dataDirId?: unknown } }
    if (!res.ok || expected === null || health.store?.dataDirId !== expected) return null
  } catch {
    return null
  }
  return {
    url,
    holder,
    call: (method, route, body) => call(url, config.adminToken, method, route, body),
  }
}

async function call<T>(
  url: string,
  adminToken: string | null,
  method: string,
  route: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {}
  if (adminToken) headers.authorization = `Bearer ${adminToken}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`${url}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (error) {
    throw new LostContactError(url, error)
  }
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    throw new CliError(
      `the server at ${url} answered ${method} ${route} with ${res.status}, not JSON`,
    )
  }
  if (res.ok) return json as T
  const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)
    ?.error
  const code = err?.code ?? `HTTP_${res.status}`
  const message = err?.message ?? text
  // The same error the local service throws, so both paths report bad input alike.
  if (BACKFILL_ERROR_CODES.has(code as ErrorCode))
    throw new BackfillError(code as BackfillErrorCode, message, err?.details)
  if (code === ErrorCode.WRITERS_ACTIVE) throw new CliError(message, EXIT_DATA_DIR_BUSY)
  const hint =
    res.status === 401 || res.status === 403 ? ' (set ADMIN_TOKEN to the server’s token)' : ''
  throw new CliError(
    `the server at ${url} refused ${method} ${route}: ${res.status} ${code}: ${message}${hint}`,
  )
}

class LostContactError extends CliError {
  constructor(url: string, cause: unknown) {
    super(
      `lost contact with the server at ${url}: ${cause instanceof Error ? cause.message : String(cause)}`,
    )
  }
}

/** Repeats a read while the server is briefly unreachable (restarting); other errors pass. */
async function patiently<T>(read: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + LOST_CONTACT_MS
  for (;;) {
    try {
      return await read()
    } catch (error) {
      if (!(error instanceof LostContactError) || Date.now() >= giveUpAt) throw error
      await sleep(RETRY_MS * 4)
    }
  }
}

/** A backfill run by the server: the same plan, bar, summary, exit codes and Ctrl-C as locally. */
export async function remoteBackfill(
  server: RemoteServer,
  body: Record<string, unknown>,
  flags: { json?: boolean; progress?: boolean; dryRun?: boolean },
): Promise<number> {
  const started = await server.call<BackfillResponse | Parameters<typeof printPlan>[0]>(
    'POST',
    '/api/districts/backfill',
    body,
  )
  if (!('backfillId' in started)) {
    if (flags.json) printJson(started)
    else printPlan(started)
    return 0
  }
  return followRemoteJob(server, started, flags)
}

/** `retry <jobId>` through the server: a new job over the cells the given job did not finish. */
export async function remoteRetry(
  server: RemoteServer,
  jobId: string,
  flags: { json?: boolean; progress?: boolean },
): Promise<number> {
  const started = await server.call<BackfillResponse>(
    'POST',
    `/api/districts/backfill/${encodeURIComponent(jobId)}/retry`,
  )
  return followRemoteJob(server, started, flags)
}

/** Polls a job the server runs to its end, as the local follower does (Ctrl-C cancels it). */
async function followRemoteJob(
  server: RemoteServer,
  started: BackfillResponse,
  flags: { json?: boolean; progress?: boolean },
): Promise<number> {
  const id = started.backfillId
  const route = `/api/districts/backfill/${encodeURIComponent(id)}`
  const bar = flags.progress !== false && !flags.json ? createBar() : null
  bar?.start(started.progress.total, 0, payloadOf(started))
  let interrupted = false
  const onSigint = () => {
    if (interrupted) process.exit(EXIT.INTERRUPTED)
    interrupted = true
    // A job that finished meanwhile answers 409; the poll below reads its final state.
    void server.call('DELETE', route).catch(() => undefined)
  }
  process.on('SIGINT', onSigint)
  let job = started
  try {
    while (!isTerminal(job.status)) {
      await sleep(POLL_MS)
      job = await patiently(() => server.call<BackfillResponse>('GET', route))
      const p = job.progress
      bar?.setTotal(p.total)
      bar?.update(
        p.completed + p.skipped + p.unavailable + p.notADistrict + p.failed,
        payloadOf(job),
      )
    }
  } finally {
    process.off('SIGINT', onSigint)
    bar?.stop()
  }
  if (flags.json) printJson(job)
  else printSummary(job)
  return EXIT_BY_STATUS[job.status] ?? EXIT.FAILED
}

const POLL_MS = 500

/** A refresh run by the server (joining one already under way, as the service does). */
export async function remoteRefresh(
  server: RemoteServer,
  date: string | undefined,
  json?: boolean,
): Promise<number> {
  let status = await server.call<RefreshStatus>('POST', '/api/refresh', date ? { date } : {})
  while (status.state === 'running') {
    await sleep(POLL_MS)
    status = await patiently(() => server.call<RefreshStatus>('GET', '/api/refresh'))
  }
  const result: RefreshResult | null = status.last
  if (!result) throw new CliError(`the server at ${server.url} finished the refresh with no result`)
  return reportRefresh(result, json)
}

export async function remoteVerifyRepair(server: RemoteServer, json?: boolean): Promise<number> {
  const report = await server.call<VerifyReport>('POST', '/api/verify/repair', {})
  return reportVerify(report, true, json)
}

export async function remoteRebuild(
  server: RemoteServer,
  range: { from: string; to: string },
  json?: boolean,
): Promise<number> {
  return reportRebuild(await server.call<RebuildResult>('POST', '/api/rebuild', range), json)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
