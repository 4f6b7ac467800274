/**
 * The `/__sim/*` control API (JSON): fault rules, request log, state and simulated today.
 * Inputs are validated with zod; bad JSON or bad shapes answer 400 with a readable message.
 */
import { z } from 'zod'
import type { IsoDate } from '../shared/iso-date.ts'
import type { FaultEngine } from './fault-engine.ts'
import { FaultIdConflictError } from './fault-engine.ts'
import { describeZodError, faultRuleListSchema, faultRuleSchema } from './fault-rules.ts'
import type { SimModel } from './model.ts'
import type { RequestLog } from './request-log.ts'

export interface SimulatorState {
  today: IsoDate
  latestAsOf: IsoDate
  liveProgramYear: string
  liveDataMonth: string
  archivedProgramYears: string[]
  districts: Record<string, string[]>
  /** Range of as-of days with published data across the served years. */
  published: { from: IsoDate; to: IsoDate }
  /**
   * The intraday rollover (options.rolloverAt): its time, a forced state (PUT /__sim/rollover),
   * and whether the new month shows now; null when none is configured.
   */
  rollover: { at: string; forced: boolean | null; rolledOver: boolean } | null
}

export interface ControlDeps {
  faults: FaultEngine
  log: RequestLog
  model: SimModel
}

export interface ControlResponse {
  status: number
  body: unknown
}

const todaySchema = z.object({ today: z.iso.date().nullable() }).strict()
const rolloverSchema = z.object({ rolledOver: z.boolean().nullable() }).strict()
const faultListBodySchema = z.union([
  faultRuleListSchema,
  z.object({ faults: faultRuleListSchema }).strict(),
])

class BadRequest extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch (e) {
    throw new BadRequest('BAD_JSON', `request body is not valid JSON: ${(e as Error).message}`)
  }
}

function validate<T>(schema: z.ZodType<T>, raw: string): T {
  const result = schema.safeParse(parseJson(raw))
  if (!result.success) throw new BadRequest('INVALID_INPUT', describeZodError(result.error))
  return result.data
}

export function simulatorState(model: SimModel): SimulatorState {
  const cal = model.calendar
  const live = cal.liveProgramYear()
  const years = [...model.archivedProgramYears(), live]
  const first = years[0] ?? live
  return {
    today: cal.today(),
    latestAsOf: cal.latestAsOf(),
    liveProgramYear: live,
    liveDataMonth: cal.liveDataMonth(),
    archivedProgramYears: model.archivedProgramYears(),
    districts: Object.fromEntries(years.map((py) => [py, model.districtsFor(py)])),
    published: { from: cal.firstAsOf(`${first.slice(0, 4)}-07`), to: cal.latestAsOf() },
    rollover: model.rollover(),
  }
}

type Route = (raw: string, deps: ControlDeps, id: string | undefined) => ControlResponse

const ROUTES: Record<string, Partial<Record<string, Route>>> = {
  faults: {
    GET: (_raw, d) => ({ status: 200, body: { faults: d.faults.list() } }),
    PUT: (raw, d) => {
      const body = validate(faultListBodySchema, raw)
      return {
        status: 200,
        body: { faults: d.faults.replace(Array.isArray(body) ? body : body.faults) },
      }
    },
    POST: (raw, d) => ({
      status: 201,
      body: { fault: d.faults.add(validate(faultRuleSchema, raw)) },
    }),
    DELETE: (_raw, d, id) => {
      if (id === undefined) {
        d.faults.clear()
        return { status: 200, body: { faults: [] } }
      }
      return d.faults.remove(id)
        ? { status: 200, body: { faults: d.faults.list() } }
        : errorBody(404, 'NOT_FOUND', `no fault rule with id ${JSON.stringify(id)}`)
    },
  },
  log: {
    GET: (_raw, d) => ({ status: 200, body: { entries: d.log.entries() } }),
    DELETE: (_raw, d) => {
      d.log.clear()
      return { status: 200, body: { entries: [] } }
    },
  },
  state: { GET: (_raw, d) => ({ status: 200, body: simulatorState(d.model) }) },
  rollover: {
    GET: (_raw, d) => ({ status: 200, body: simulatorState(d.model) }),
    PUT: (raw, d) => {
      const { rolledOver } = validate(rolloverSchema, raw)
      if (!d.model.setRolledOver(rolledOver))
        throw new BadRequest(
          'NO_ROLLOVER',
          'no intraday rollover is configured: start the simulator with rolloverAt (HH:MM)',
        )
      return { status: 200, body: simulatorState(d.model) }
    },
  },
  today: {
    GET: (_raw, d) => ({ status: 200, body: simulatorState(d.model) }),
    PUT: (raw, d) => {
      d.model.setToday(validate(todaySchema, raw).today)
      return { status: 200, body: simulatorState(d.model) }
    },
  },
}

function errorBody(status: number, code: string, message: string): ControlResponse {
  return { status, body: { error: { code, message } } }
}

export function handleControl(
  method: string,
  pathname: string,
  raw: string,
  deps: ControlDeps,
): ControlResponse {
  const m = /^\/__sim\/([a-z]+)(?:\/([^/]+))?\/?$/.exec(pathname)
  const resource = m?.[1] ?? ''
  const id = m?.[2] === undefined ? undefined : decodeURIComponent(m[2])
  const routes = ROUTES[resource]
  if (!routes || (id !== undefined && resource !== 'faults'))
    return errorBody(404, 'NOT_FOUND', `no control endpoint ${pathname}`)
  const route = routes[method]
  if (!route || (id !== undefined && method !== 'DELETE'))
    return errorBody(405, 'METHOD_NOT_ALLOWED', `${method} is not supported on ${pathname}`)
  try {
    return route(raw, deps, id)
  } catch (e) {
    if (e instanceof BadRequest) return errorBody(400, e.code, e.message)
    if (e instanceof FaultIdConflictError) return errorBody(400, e.code, e.message)
    throw e
  }
}
