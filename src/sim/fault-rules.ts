/**
 * Fault rules: what can go wrong, on which requests, how often. Validated with zod both for
 * start-up options and for the control endpoint, so a typo is a 400, not a silent no-op.
 */
import { z } from 'zod'
import { REPORT_KINDS } from '../shared/snapshot-types.ts'

const isoDate = z.iso.date()
const serverStatus = z.number().int().min(500).max(599)

export const faultMatchSchema = z
  .object({
    report: z.enum(REPORT_KINDS as ['districtsummary', ...string[]]).optional(),
    districtId: z
      .string()
      .regex(/^[A-Za-z0-9]{1,4}$/)
      .optional(),
    /** The requested as-of (or, for requests without one, the as-of the answer carries). */
    asOf: isoDate.optional(),
    pathKind: z.enum(['root', 'archive']).optional(),
  })
  .strict()

const common = {
  id: z.string().min(1).max(64).optional(),
  match: faultMatchSchema.optional(),
  /** Apply to at most this many matching requests. */
  count: z.number().int().positive().optional(),
  /** Apply to each matching request with this probability (seeded, reproducible). */
  probability: z.number().min(0).max(1).optional(),
  /**
   * Apply only to the first N requests of each distinct URL (path + query) that the rule
   * matches; later attempts of the same URL pass. A retrying client then succeeds on attempt N+1.
   */
  firstAttempts: z.number().int().min(1).max(100).optional(),
}

const rule = <T extends z.ZodRawShape>(shape: T) => z.object({ ...common, ...shape }).strict()

export const faultRuleSchema = z
  .discriminatedUnion('kind', [
    rule({
      kind: z.literal('latency'),
      ms: z.number().int().min(0).max(120_000).optional(),
      minMs: z.number().int().min(0).max(120_000).optional(),
      maxMs: z.number().int().min(0).max(120_000).optional(),
    }),
    rule({ kind: z.literal('server-error'), status: serverStatus.default(500) }),
    rule({ kind: z.literal('rate-limit'), retryAfterSeconds: z.number().int().min(0).default(1) }),
    rule({ kind: z.literal('html-error'), redirect: z.boolean().default(false) }),
    rule({ kind: z.literal('truncate'), mode: z.enum(['clean', 'abort']).default('clean') }),
    rule({ kind: z.literal('reset') }),
    /** The body without its footer line, as some old archive exports are reported to come. */
    rule({ kind: z.literal('no-footer') }),
    rule({
      kind: z.literal('wrong-as-of'),
      shiftDays: z.number().int().min(-400).max(400).default(-1),
    }),
    rule({ kind: z.literal('stale'), asOf: isoDate }),
    rule({
      kind: z.literal('outage'),
      mode: z.enum(['status', 'reset']).default('status'),
      status: serverStatus.default(503),
      until: z.iso.datetime({ offset: true }).optional(),
    }),
    rule({ kind: z.literal('restatement'), shiftDays: z.number().int().min(1).max(60).default(3) }),
  ])
  .superRefine((r, ctx) => {
    if (r.kind === 'latency') {
      const range = r.minMs !== undefined && r.maxMs !== undefined
      if (r.ms === undefined && !range)
        ctx.addIssue({ code: 'custom', message: 'latency needs ms, or minMs and maxMs' })
      if (range && r.minMs! > r.maxMs!)
        ctx.addIssue({ code: 'custom', message: 'latency minMs must not exceed maxMs' })
    }
    if (r.kind === 'wrong-as-of' && r.shiftDays === 0)
      ctx.addIssue({ code: 'custom', message: 'wrong-as-of shiftDays must not be 0' })
  })

export const faultRuleListSchema = z.array(faultRuleSchema).max(200)

export type FaultRuleInput = z.input<typeof faultRuleSchema>
/** A validated rule; `id` is assigned by the engine when missing. */
export type FaultRule = z.output<typeof faultRuleSchema>
export type FaultKind = FaultRule['kind']
export type FaultMatch = z.output<typeof faultMatchSchema>

/** Turns a zod failure into one readable line per problem. */
export function describeZodError(error: z.ZodError): string {
  return z.prettifyError(error)
}
