/**
 * Helpers shared by the simulator's tests: an independent CSV reader (csv-parse, not the
 * simulator's own writer) and a simulator factory that the tests' afterEach closes.
 */
import { parse } from 'csv-parse/sync'
import { afterEach } from 'vitest'
import { createSimModel } from './model.ts'
import type { SimModel } from './model.ts'
import type { SimulatorOptions } from './options.ts'
import { resolveSimulatorOptions } from './options.ts'
import type { Simulator } from './server.ts'
import { startSimulator } from './server.ts'
import type { SimulatorTruth } from './truth.ts'
import { createSimulatorTruth } from './truth.ts'

export interface ParsedCsv {
  header: string[]
  rows: Record<string, string>[]
  footer: string | null
}

export const FOOTER_RE =
  /^Month of (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec), As of (\d{2})\/(\d{2})\/(\d{4})$/

export function parseCsvBody(body: string): ParsedCsv {
  const lines = body.split('\r\n')
  const footerIndex = lines.length - 2
  const footer = lines[footerIndex] ?? null
  const hasFooter = footer !== null && FOOTER_RE.test(footer)
  const csvText = (hasFooter ? lines.slice(0, footerIndex) : lines).join('\r\n')
  const records = parse(csvText, {
    relax_column_count: false,
    skip_empty_lines: true,
  }) as string[][]
  const [header = [], ...data] = records
  const rows = data.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])))
  return { header, rows, footer: hasFooter ? footer : null }
}

/** `Month of Sep, As of 09/22/2026` → { month: 'Sep', asOf: '2026-09-22' }. */
export function parseFooter(footer: string | null): { month: string; asOf: string } | null {
  const m = footer === null ? null : FOOTER_RE.exec(footer)
  return m ? { month: m[1] ?? '', asOf: `${m[4]}-${m[2]}-${m[3]}` } : null
}

export function createTestModel(options: SimulatorOptions = {}): {
  model: SimModel
  truth: SimulatorTruth
} {
  const model = createSimModel(resolveSimulatorOptions(options))
  return { model, truth: createSimulatorTruth(model) }
}

const open: Simulator[] = []

afterEach(async () => {
  const closing = open.splice(0).map((s) => s.close())
  await Promise.all(closing)
})

/** Starts a simulator on 127.0.0.1:0 that is closed after the current test. */
export async function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await startSimulator({ host: '127.0.0.1', port: 0, ...options })
  open.push(simulator)
  return simulator
}

export async function get(
  simulator: Simulator,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(simulator.url + path, { redirect: 'manual', ...init })
  return { status: response.status, headers: response.headers, body: await response.text() }
}

export function exportPath(
  report: string,
  token: string,
  programYear: string | null = null,
): string {
  const prefix = programYear === null ? '' : `/${programYear}`
  return `${prefix}/export.aspx?type=CSV&report=${report}~${token}`
}
