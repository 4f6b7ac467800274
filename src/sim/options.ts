/** Simulator options (all optional) resolved once into a fully-defaulted config. */
import { isIsoDate, isProgramYear, todayUtc } from '../shared/iso-date.ts'
import { isDistrictId } from '../shared/district-id.ts'
import type { FaultRuleInput } from './fault-rules.ts'

export interface SimLogger {
  info(obj: object, msg?: string): void
}

export interface SimulatorOptions {
  /** @default 0 (an ephemeral port) */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /** Seeds every generated value. @default 1 */
  seed?: number
  /** Districts present in every program year. @default about 20 realistic ids (see DEFAULT_DISTRICTS) */
  districts?: string[]
  /** Archived years served under `/{PY}/`. @default the two years before the live one */
  programYears?: string[]
  /** Simulated "today" (YYYY-MM-DD) or a function giving it. @default UTC date of `now()` */
  today?: string | (() => string)
  /** Clock in ms, used for "today" by default, the request log and outage deadlines. @default Date.now */
  now?: () => number
  /** First as-of of a new program year (July day). @default 26 */
  firstLiveDayOfJuly?: number
  /** What `/{livePY}/export.aspx` answers. @default '500' */
  liveArchivePathBehaviour?: '500' | '302'
  faults?: FaultRuleInput[]
  /** Overrides of the closing table, `YYYY-MM` → `YYYY-MM-DD`. */
  closingDates?: Record<string, string>
  /** Club-count targets per district (30–250 is realistic). @default drawn from the seed */
  clubCounts?: Record<string, number>
  /**
   * Archived years that kept only each data month's final as-of (its closing day); every other
   * as-of of theirs answers zero rows, as old archives do. @default none
   */
  monthEndOnlyYears?: string[]
  /**
   * Intraday rollover (docs/upstream.md#lessons-of-2026): UTC time of day `HH:MM` at which a closing date that is
   * the latest as-of starts answering for the new data month. With it, every month's list
   * begins on the previous month's closing date, so that as-of carries both months: the
   * closing month until this time on the day after it, the new month from then on (and on
   * every later day, for the new month's requests). `PUT /__sim/rollover` switches at once.
   * @default none: a month's list begins the day after the previous closing date
   */
  rolloverAt?: string
  logger?: SimLogger
}

export interface SimulatorConfig {
  port: number
  host: string
  seed: number
  /** null = the default district set with its realignment history. */
  districts: string[] | null
  programYears: string[] | null
  today: () => string
  now: () => number
  firstLiveDayOfJuly: number
  liveArchivePathBehaviour: '500' | '302'
  faults: FaultRuleInput[]
  closingDates: Record<string, string>
  clubCounts: Record<string, number>
  monthEndOnlyYears: string[]
  /** Minutes after UTC midnight of the intraday rollover; null = no rollover. */
  rolloverAtMinutes: number | null
  logger: SimLogger | null
}

export const DEFAULT_SEED = 1

function assertValid(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(`simulator options: ${message}`)
}

const ROLLOVER_AT_RE = /^([01]\d|2[0-3]):[0-5]\d$/

function checkOptions(o: SimulatorOptions): void {
  assertValid(
    o.port === undefined || (Number.isInteger(o.port) && o.port >= 0 && o.port < 65536),
    'port must be 0-65535',
  )
  assertValid(o.seed === undefined || Number.isInteger(o.seed), 'seed must be an integer')
  assertValid((o.districts ?? []).every(isDistrictId), 'districts must be ids like 02, 61, F')
  assertValid((o.programYears ?? []).every(isProgramYear), 'programYears must look like 2024-2025')
  assertValid(
    (o.monthEndOnlyYears ?? []).every(isProgramYear),
    'monthEndOnlyYears must look like 2024-2025',
  )
  assertValid(typeof o.today !== 'string' || isIsoDate(o.today), 'today must be YYYY-MM-DD')
  const day = o.firstLiveDayOfJuly
  assertValid(
    day === undefined || (Number.isInteger(day) && day >= 1 && day <= 31),
    'firstLiveDayOfJuly must be 1-31',
  )
  assertValid(
    o.rolloverAt === undefined || ROLLOVER_AT_RE.test(o.rolloverAt),
    'rolloverAt must be a UTC time of day HH:MM (00:00-23:59)',
  )
  for (const [month, date] of Object.entries(o.closingDates ?? {}))
    assertValid(
      /^\d{4}-\d{2}$/.test(month) && isIsoDate(date),
      `bad closing date ${month} → ${date}`,
    )
}

export function resolveSimulatorOptions(options: SimulatorOptions = {}): SimulatorConfig {
  checkOptions(options)
  const now = options.now ?? Date.now
  const today = options.today
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    seed: options.seed ?? DEFAULT_SEED,
    districts: options.districts ?? null,
    programYears: options.programYears ?? null,
    today: typeof today === 'function' ? today : today ? () => today : () => todayUtc(now()),
    now,
    firstLiveDayOfJuly: options.firstLiveDayOfJuly ?? 26,
    liveArchivePathBehaviour: options.liveArchivePathBehaviour ?? '500',
    faults: options.faults ?? [],
    closingDates: options.closingDates ?? {},
    clubCounts: options.clubCounts ?? {},
    monthEndOnlyYears: options.monthEndOnlyYears ?? [],
    rolloverAtMinutes:
      options.rolloverAt === undefined
        ? null
        : Number(options.rolloverAt.slice(0, 2)) * 60 + Number(options.rolloverAt.slice(3, 5)),
    logger: options.logger ?? null,
  }
}
