/** One line of text for a recorded job event (the page's event log). */
import type { JobEventPage } from '../api/types.ts'

type EventView = JobEventPage['events'][number]

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

export function describeEvent(e: EventView): string {
  const r = e as Record<string, unknown>
  const cell = [str(r['districtId']) && `district ${str(r['districtId'])}`, str(r['date'])]
    .filter(Boolean)
    .join(' on ')
  const error = r['error'] as { code?: unknown; message?: unknown } | undefined
  const parts: string[] = []
  if (cell) parts.push(cell)
  if (typeof r['attempt'] === 'number') parts.push(`attempt ${r['attempt']}`)
  if (error && typeof error === 'object')
    parts.push(`${str(error.code) ?? 'ERROR'}: ${str(error.message) ?? ''}`.trim())
  if (str(r['reason'])) parts.push(str(r['reason'])!)
  if (str(r['message'])) parts.push(str(r['message'])!)
  if (Array.isArray(r['districtIds'])) parts.push(`${r['districtIds'].length} districts`)
  return parts.join(' · ')
}
