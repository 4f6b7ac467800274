/**
 * Turns one request into an outcome (status, headers, body, or a connection reset), applying
 * the fault rules. No socket work here: the server only writes what this decides.
 */
import { addDays, programYearOf } from '../shared/iso-date.ts'
import type { IsoDate } from '../shared/iso-date.ts'
import {
  URL_REWRITE_ERROR_BODY,
  errorPageHtml,
  errorPageLocation,
  notFoundHtml,
  objectMovedHtml,
  serverErrorHtml,
} from './error-pages.ts'
import type { ExportRequest } from './export-request.ts'
import { EXPORT_PATH_RE, parseExportRequest } from './export-request.ts'
import type { ActiveFault, FaultContext, FaultEngine } from './fault-engine.ts'
import type { RenderTarget, SimModel } from './model.ts'
import type { ExportPlan } from './resolve-export.ts'
import { resolveExport } from './resolve-export.ts'

export interface ResponseOutcome {
  kind: 'response'
  status: number
  headers: Record<string, string>
  body: string
  /** Send only this many bytes of the body, then destroy the socket. */
  abortAfterBytes?: number
}

export type Outcome = ResponseOutcome | { kind: 'reset' }

export interface HandledRequest {
  latencyMs: number
  outcome: Outcome
  /** Kinds (with ids) of the faults applied, for the request log. */
  faults: string[]
}

export interface HandlerDeps {
  model: SimModel
  faults: FaultEngine
  liveArchivePathBehaviour: '500' | '302'
}

const CSV_HEADERS = { 'content-type': 'application/octet-stream' }
const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8' }

const html = (status: number, body: string, extra: Record<string, string> = {}): Outcome => ({
  kind: 'response',
  status,
  headers: { ...HTML_HEADERS, ...extra },
  body,
})

const redirect = (location: string): Outcome => html(302, objectMovedHtml(location), { location })

export function handleRequest(url: URL, deps: HandlerDeps): HandledRequest {
  const path = url.pathname
  if (EXPORT_PATH_RE.test(path)) return handleExport(url, deps)
  const decision = deps.faults.decide(null, path + url.search)
  if (decision.fault)
    return finish(decision.latencyMs, [], decision.fault, faultOutcome(decision.fault, path))
  const outcome = /^\/error\.aspx$/i.test(path)
    ? html(200, errorPageHtml(url.searchParams.get('aspxerrorpath') ?? ''))
    : html(404, notFoundHtml())
  return finish(decision.latencyMs, [], null, outcome)
}

function finish(
  latencyMs: number,
  latencyIds: string[],
  fault: ActiveFault | null,
  outcome: Outcome,
): HandledRequest {
  const faults = latencyIds.map((id) => `latency:${id}`)
  if (fault) faults.push(`${fault.kind}:${fault.id}`)
  return { latencyMs, outcome, faults }
}

function handleExport(url: URL, deps: HandlerDeps): HandledRequest {
  const parsed = parseExportRequest(url.pathname, url.searchParams)
  if (!parsed.ok) {
    // Real behaviour for malformed tokens is unknown; ASP.NET would redirect to its error page.
    const decision = deps.faults.decide(null, url.pathname + url.search)
    if (decision.fault)
      return finish(
        decision.latencyMs,
        [],
        decision.fault,
        faultOutcome(decision.fault, url.pathname),
      )
    return finish(decision.latencyMs, [], null, redirect(errorPageLocation(url.pathname)))
  }
  const req = parsed.request
  const plan = resolveExport(req, deps.model)
  const decision = deps.faults.decide(contextOf(url, req, plan))
  const fault = decision.fault
  const outcome = fault
    ? faultOutcome(fault, url.pathname, plan, deps.model)
    : planOutcome(plan, deps)
  return finish(decision.latencyMs, decision.latencyIds, fault, outcome)
}

function contextOf(url: URL, req: ExportRequest, plan: ExportPlan): FaultContext {
  const isCsv = plan.kind === 'csv'
  return {
    url: url.pathname + url.search,
    report: req.report,
    districtId: req.districtId,
    asOf: req.asOf ?? (isCsv ? plan.target.footerAsOf : null),
    pathKind: req.pathKind,
    isCsv,
    hasData: isCsv && plan.target.dataAsOf !== null,
  }
}

function csvOutcome(body: string): ResponseOutcome {
  return { kind: 'response', status: 200, headers: CSV_HEADERS, body }
}

function planOutcome(plan: ExportPlan, deps: HandlerDeps): Outcome {
  if (plan.kind === 'csv') return csvOutcome(deps.model.render(plan.target))
  const location = errorPageLocation(`/${plan.programYear}/export.aspx`)
  if (plan.kind === 'live-archive-path' && deps.liveArchivePathBehaviour === '500')
    return {
      kind: 'response',
      status: 500,
      headers: { 'content-type': 'text/html' },
      body: URL_REWRITE_ERROR_BODY,
    }
  return redirect(location)
}

function faultOutcome(
  fault: ActiveFault,
  path: string,
  plan?: ExportPlan,
  model?: SimModel,
): Outcome {
  switch (fault.kind) {
    case 'server-error':
      return html(fault.status, serverErrorHtml(fault.status))
    case 'rate-limit':
      return html(429, serverErrorHtml(429), { 'retry-after': String(fault.retryAfterSeconds) })
    case 'html-error':
      return fault.redirect ? redirect(errorPageLocation(path)) : html(200, errorPageHtml(path))
    case 'reset':
      return { kind: 'reset' }
    case 'outage':
      return fault.mode === 'reset'
        ? { kind: 'reset' }
        : html(fault.status, serverErrorHtml(fault.status))
    case 'latency':
      throw new Error('latency is not a response fault')
  }
  if (plan?.kind !== 'csv' || !model) throw new Error(`${fault.kind} needs a CSV answer`)
  return bodyFaultOutcome(fault, plan.target, model)
}

function bodyFaultOutcome(fault: ActiveFault, target: RenderTarget, model: SimModel): Outcome {
  switch (fault.kind) {
    case 'wrong-as-of':
      return csvOutcome(
        model.render({ ...target, footerAsOf: addDays(target.footerAsOf, fault.shiftDays) }),
      )
    case 'stale':
      return csvOutcome(model.render(staleTarget(target, fault.asOf, model)))
    case 'restatement':
      return csvOutcome(model.render(target, fault.shiftDays))
    case 'no-footer': {
      const body = model.render(target)
      return csvOutcome(body.slice(0, body.replace(/\r\n$/, '').lastIndexOf('\r\n') + 2))
    }
    case 'truncate': {
      const body = truncateInDataRow(model.render(target))
      if (fault.mode === 'clean') return csvOutcome(body.text)
      return { ...csvOutcome(body.full), abortAfterBytes: Buffer.byteLength(body.text) }
    }
    default:
      throw new Error(`unexpected fault ${fault.kind}`)
  }
}

/** The snapshot of a fixed as-of, whatever was asked: same report, same district. */
function staleTarget(target: RenderTarget, asOf: IsoDate, model: SimModel): RenderTarget {
  const months = model.calendar.dataMonthsOn(asOf)
  const dataMonth =
    months.filter((m) => programYearOf(m) === target.programYear).at(-1) ??
    months.at(-1) ??
    asOf.slice(0, 7)
  return {
    ...target,
    programYear: programYearOf(dataMonth),
    dataMonth,
    dataAsOf: asOf,
    footerAsOf: asOf,
  }
}

/** Cuts in the middle of the middle data row (of the header when there are no rows). */
export function truncateInDataRow(full: string): { text: string; full: string } {
  const lines = full.split('\r\n')
  const rowCount = Math.max(0, lines.length - 3)
  const lineIndex = rowCount > 0 ? 1 + Math.floor(rowCount / 2) : 0
  let offset = 0
  for (let i = 0; i < lineIndex; i++) offset += (lines[i]?.length ?? 0) + 2
  const cut = offset + Math.max(1, Math.floor((lines[lineIndex]?.length ?? 2) / 2))
  return { text: full.slice(0, cut), full }
}
