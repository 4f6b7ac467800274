/**
 * The simulator's HTTP server (node:http: it must be able to reset sockets and send
 * truncated bodies, which a framework would fight).
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import type { IsoDate } from '../shared/iso-date.ts'
import { isIsoDate } from '../shared/iso-date.ts'
import type { SimulatorState } from './control.ts'
import { handleControl, simulatorState } from './control.ts'
import type { HandledRequest } from './export-handler.ts'
import { handleRequest } from './export-handler.ts'
import type { FaultRuleView } from './fault-engine.ts'
import { createFaultEngine } from './fault-engine.ts'
import type { FaultRuleInput } from './fault-rules.ts'
import { faultRuleListSchema, faultRuleSchema } from './fault-rules.ts'
import { createSimModel } from './model.ts'
import type { SimulatorOptions } from './options.ts'
import { resolveSimulatorOptions } from './options.ts'
import type { RequestLog, RequestLogEntry } from './request-log.ts'
import { createRequestLog } from './request-log.ts'
import type { SimulatorTruth } from './truth.ts'
import { createSimulatorTruth } from './truth.ts'

export interface Simulator {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string
  port: number
  close(): Promise<void>
  /** Replaces every rule (validated; throws a ZodError on bad input). */
  setFaults(rules: FaultRuleInput[]): FaultRuleView[]
  addFault(rule: FaultRuleInput): FaultRuleView
  clearFaults(): void
  faults(): FaultRuleView[]
  requestLog(): RequestLogEntry[]
  clearLog(): void
  /** Moves the simulated today; null returns to the configured clock. */
  setToday(date: IsoDate | null): void
  state(): SimulatorState
  truth: SimulatorTruth
}

const MAX_CONTROL_BODY_BYTES = 1_000_000

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_CONTROL_BODY_BYTES) chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function writeOutcome(
  res: ServerResponse,
  handled: HandledRequest,
): { status: number; bytes: number } {
  const outcome = handled.outcome
  if (outcome.kind === 'reset') {
    res.socket?.destroy()
    return { status: 0, bytes: 0 }
  }
  const body = Buffer.from(outcome.body, 'utf8')
  res.writeHead(outcome.status, { ...outcome.headers, 'content-length': String(body.length) })
  if (outcome.abortAfterBytes === undefined) {
    res.end(body)
    return { status: outcome.status, bytes: body.length }
  }
  // Announce the full length, send part of it, then drop the connection mid-body.
  res.write(body.subarray(0, outcome.abortAfterBytes), () => res.socket?.destroy())
  return { status: outcome.status, bytes: outcome.abortAfterBytes }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const config = resolveSimulatorOptions(options)
  const model = createSimModel(config)
  const faults = createFaultEngine({ seed: config.seed, now: config.now })
  faults.replace(faultRuleListSchema.parse(config.faults))
  const log = createRequestLog()
  const deps = { model, faults, log, liveArchivePathBehaviour: config.liveArchivePathBehaviour }

  const server = createServer((req, res) => {
    handle(req, res, deps, config.now).catch((e: unknown) => {
      config.logger?.info({ err: String(e) }, 'simulator request failed')
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end('simulator internal error')
    })
  })
  const port = await listen(server, config.port, config.host)
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  config.logger?.info({ url, seed: config.seed }, 'dashboard simulator listening')

  return {
    url,
    port,
    close: () => closeServer(server),
    setFaults: (rules) => faults.replace(faultRuleListSchema.parse(rules)),
    addFault: (rule) => faults.add(faultRuleSchema.parse(rule)),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    requestLog: () => log.entries(),
    clearLog: () => log.clear(),
    setToday: (date) => {
      if (date !== null && !isIsoDate(date))
        throw new RangeError(`today must be YYYY-MM-DD, got ${date}`)
      model.setToday(date)
    },
    state: () => simulatorState(model),
    truth: createSimulatorTruth(model),
  }
}

interface ServerDeps {
  model: ReturnType<typeof createSimModel>
  faults: ReturnType<typeof createFaultEngine>
  log: RequestLog
  liveArchivePathBehaviour: '500' | '302'
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ServerDeps,
  now: () => number,
): Promise<void> {
  const receivedTime = new Date(now()).toISOString()
  const url = new URL(req.url ?? '/', 'http://simulator.local')
  const method = req.method ?? 'GET'
  if (url.pathname.startsWith('/__sim/')) {
    const raw = await readBody(req)
    const { status, body } = handleControl(method, url.pathname, raw, deps)
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify(body))
    return
  }
  req.resume()
  const handled = handleRequest(url, deps)
  if (handled.latencyMs > 0) await delay(handled.latencyMs)
  const { status, bytes } = writeOutcome(res, handled)
  deps.log.add({
    time: new Date(now()).toISOString(),
    receivedTime,
    method,
    url: req.url ?? '/',
    status,
    bytes,
    faults: handled.faults,
    fault: handled.faults.at(-1)?.split(':')[0] ?? null,
  })
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()))
    // Keep-alive sockets would hold close() open until they time out.
    server.closeAllConnections()
  })
}
