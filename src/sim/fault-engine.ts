/**
 * Decides, per request, which fault rules fire. Rules are checked in order: every firing
 * latency rule adds its delay, then the first other rule that fires decides the answer.
 * Probabilities use one seeded generator per rule, so a test replays the same pattern.
 */
import type { IsoDate } from '../shared/iso-date.ts'
import type { ReportKind } from '../shared/snapshot-types.ts'
import type { PathKind } from './export-request.ts'
import type { FaultRule } from './fault-rules.ts'
import type { Rng } from './rng.ts'
import { rngFor } from './rng.ts'

/** Facts about an export request; null for any other page (only outages apply there). */
export interface FaultContext {
  /** Path and query of the request (the key of `firstAttempts`). */
  url: string
  report: ReportKind
  districtId: string | null
  asOf: IsoDate | null
  pathKind: PathKind
  /** The answer is a CSV body (body faults need one). */
  isCsv: boolean
  /** The CSV holds data rows (a restatement needs some). */
  hasData: boolean
}

export type ActiveFault = FaultRule & { id: string }

export interface FaultRuleView {
  id: string
  rule: ActiveFault
  /** Applications left; null = unlimited. */
  remaining: number | null
  applied: number
}

export interface FaultDecision {
  latencyMs: number
  latencyIds: string[]
  fault: ActiveFault | null
}

export interface FaultEngine {
  list(): FaultRuleView[]
  replace(rules: readonly FaultRule[]): FaultRuleView[]
  add(rule: FaultRule): FaultRuleView
  remove(id: string): boolean
  clear(): void
  /** `ctx` is null for any page other than a parsable export request; `url` is its path + query. */
  decide(ctx: FaultContext | null, url?: string): FaultDecision
}

export class FaultIdConflictError extends Error {
  override name = 'FaultIdConflictError'
  readonly code = 'FAULT_ID_CONFLICT'
  constructor(id: string) {
    super(`a fault rule with id ${JSON.stringify(id)} already exists`)
  }
}

interface Entry extends FaultRuleView {
  rng: Rng
  /** Matching requests seen per URL, for `firstAttempts`. */
  attemptsByUrl: Map<string, number>
}

function matches(rule: ActiveFault, ctx: FaultContext | null): boolean {
  if (ctx === null) return rule.kind === 'outage' && rule.match === undefined
  const m = rule.match
  if (m?.report !== undefined && m.report !== ctx.report) return false
  if (m?.districtId !== undefined && m.districtId.toUpperCase() !== ctx.districtId) return false
  if (m?.asOf !== undefined && m.asOf !== ctx.asOf) return false
  if (m?.pathKind !== undefined && m.pathKind !== ctx.pathKind) return false
  if (
    rule.kind === 'truncate' ||
    rule.kind === 'wrong-as-of' ||
    rule.kind === 'stale' ||
    rule.kind === 'no-footer'
  )
    return ctx.isCsv
  if (rule.kind === 'restatement') return ctx.isCsv && ctx.hasData
  return true
}

function latencyOf(rule: ActiveFault, rng: Rng): number {
  if (rule.kind !== 'latency') return 0
  if (rule.minMs !== undefined && rule.maxMs !== undefined) return rng.int(rule.minMs, rule.maxMs)
  return rule.ms ?? 0
}

export function createFaultEngine(deps: { seed: number; now: () => number }): FaultEngine {
  let entries: Entry[] = []
  let nextId = 1
  const view = ({ id, rule, remaining, applied }: Entry): FaultRuleView => ({
    id,
    rule,
    remaining,
    applied,
  })

  const makeEntry = (rule: FaultRule, taken: Set<string>): Entry => {
    let id = rule.id
    if (id === undefined) {
      do id = `fault-${nextId++}`
      while (taken.has(id))
    } else if (taken.has(id)) throw new FaultIdConflictError(id)
    taken.add(id)
    const active: ActiveFault = { ...rule, id }
    return {
      id,
      rule: active,
      remaining: rule.count ?? null,
      applied: 0,
      rng: rngFor(deps.seed, 'fault', id),
      attemptsByUrl: new Map(),
    }
  }

  const isExpired = (e: Entry): boolean =>
    e.rule.kind === 'outage' && e.rule.until !== undefined && Date.parse(e.rule.until) <= deps.now()

  /**
   * Counts a matching request against the rule's per-URL attempts (whether or not an earlier
   * rule decided the answer); true while the URL is within its first `firstAttempts`.
   */
  const withinFirstAttempts = (e: Entry, ctx: FaultContext | null, url: string): boolean => {
    const limit = e.rule.firstAttempts
    if (limit === undefined) return true
    if (!matches(e.rule, ctx)) return false
    const seen = e.attemptsByUrl.get(url) ?? 0
    e.attemptsByUrl.set(url, seen + 1)
    return seen < limit
  }

  /** Consumes one application when the rule matches, has budget and wins its dice roll. */
  const fires = (e: Entry, ctx: FaultContext | null): boolean => {
    if (e.remaining === 0 || !matches(e.rule, ctx)) return false
    if (e.rule.probability !== undefined && e.rng.next() >= e.rule.probability) return false
    if (e.remaining !== null) e.remaining--
    e.applied++
    return true
  }

  return {
    list: () => entries.map(view),
    replace(rules) {
      const taken = new Set<string>()
      entries = rules.map((r) => makeEntry(r, taken))
      return entries.map(view)
    },
    add(rule) {
      const entry = makeEntry(rule, new Set(entries.map((e) => e.id)))
      entries.push(entry)
      return view(entry)
    },
    remove(id) {
      const before = entries.length
      entries = entries.filter((e) => e.id !== id)
      return entries.length < before
    },
    clear() {
      entries = []
    },
    decide(ctx, url = ctx?.url ?? '') {
      entries = entries.filter((e) => !isExpired(e))
      const decision: FaultDecision = { latencyMs: 0, latencyIds: [], fault: null }
      for (const e of entries) {
        if (!withinFirstAttempts(e, ctx, url)) continue
        if (e.rule.kind === 'latency') {
          if (fires(e, ctx)) {
            decision.latencyMs += latencyOf(e.rule, e.rng)
            decision.latencyIds.push(e.id)
          }
        } else if (decision.fault === null && fires(e, ctx)) decision.fault = e.rule
      }
      return decision
    },
  }
}
