import { describe, expect, it } from 'vitest'
import type { Simulator } from './server.ts'
import { exportPath, get, parseCsvBody, startTestSimulator } from './test-support.ts'

async function call(sim: Simulator, method: string, path: string, body?: string) {
  const init: RequestInit = {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  }
  const r = await fetch(sim.url + path, init)
  return { status: r.status, json: (await r.json()) as Record<string, unknown> }
}

const errorOf = (json: Record<string, unknown>) => json.error as { code: string; message: string }

describe('control endpoint /__sim', () => {
  it('adds, lists, replaces and deletes fault rules', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23' })
    const added = await call(
      sim,
      'POST',
      '/__sim/faults',
      JSON.stringify({ kind: 'reset', id: 'r1', count: 3 }),
    )
    expect(added.status).toBe(201)
    expect(added.json.fault).toMatchObject({ id: 'r1', remaining: 3, applied: 0 })
    await call(sim, 'POST', '/__sim/faults', JSON.stringify({ kind: 'latency', ms: 5 }))
    expect(((await call(sim, 'GET', '/__sim/faults')).json.faults as unknown[]).length).toBe(2)
    const replaced = await call(
      sim,
      'PUT',
      '/__sim/faults',
      JSON.stringify([{ kind: 'server-error', status: 502 }]),
    )
    expect(replaced.json.faults).toMatchObject([{ rule: { kind: 'server-error', status: 502 } }])
    expect((await get(sim, exportPath('districtsummary', '~~'))).status).toBe(502)
    const id = (replaced.json.faults as { id: string }[])[0]?.id ?? ''
    expect((await call(sim, 'DELETE', `/__sim/faults/${id}`)).json.faults).toEqual([])
    expect((await call(sim, 'DELETE', '/__sim/faults/nope')).status).toBe(404)
    await call(sim, 'PUT', '/__sim/faults', JSON.stringify({ faults: [{ kind: 'reset' }] }))
    expect((await call(sim, 'DELETE', '/__sim/faults')).json.faults).toEqual([])
    expect((await get(sim, exportPath('districtsummary', '~~'))).status).toBe(200)
  })

  it('answers 400 on a body that is not JSON', async () => {
    const sim = await startTestSimulator()
    const r = await call(sim, 'POST', '/__sim/faults', '{"kind": "reset"')
    expect(r.status).toBe(400)
    expect(errorOf(r.json).code).toBe('BAD_JSON')
  })

  it('answers 400 with a readable message on invalid rules', async () => {
    const sim = await startTestSimulator()
    const cases: [unknown, RegExp][] = [
      [{ kind: 'explode' }, /kind/],
      [{ kind: 'latency' }, /ms/],
      [{ kind: 'latency', minMs: 50, maxMs: 10 }, /minMs/],
      [{ kind: 'server-error', status: 404 }, /status/],
      [{ kind: 'reset', probability: 2 }, /probability/],
      [{ kind: 'stale', asOf: '2026-02-30' }, /asOf/],
      [{ kind: 'reset', match: { report: 'nosuchreport' } }, /report/],
      [{ kind: 'reset', colour: 'red' }, /colour/],
      [{ kind: 'server-error', firstAttempts: 0 }, /firstAttempts/],
      [{ kind: 'rate-limit', firstAttempts: 1.5 }, /firstAttempts/],
    ]
    for (const [rule, message] of cases) {
      const r = await call(sim, 'POST', '/__sim/faults', JSON.stringify(rule))
      expect(r.status, JSON.stringify(rule)).toBe(400)
      expect(errorOf(r.json).code).toBe('INVALID_INPUT')
      expect(errorOf(r.json).message).toMatch(message)
    }
    expect(sim.faults()).toEqual([])
  })

  it('rejects a duplicate rule id', async () => {
    const sim = await startTestSimulator()
    await call(sim, 'POST', '/__sim/faults', JSON.stringify({ kind: 'reset', id: 'x' }))
    const r = await call(sim, 'POST', '/__sim/faults', JSON.stringify({ kind: 'reset', id: 'x' }))
    expect(r.status).toBe(400)
    expect(errorOf(r.json).message).toContain('"x"')
  })

  it('reports state and moves today', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23', districts: ['61', 'F'] })
    const state = await call(sim, 'GET', '/__sim/state')
    expect(state.json).toMatchObject({
      today: '2026-09-23',
      latestAsOf: '2026-09-22',
      liveProgramYear: '2026-2027',
      archivedProgramYears: ['2024-2025', '2025-2026'],
      districts: { '2026-2027': ['61', 'F'] },
      published: { to: '2026-09-22' },
    })
    const moved = await call(sim, 'PUT', '/__sim/today', JSON.stringify({ today: '2026-10-20' }))
    expect(moved.json.latestAsOf).toBe('2026-10-19')
    const body = (await get(sim, exportPath('districtsummary', '~~'))).body
    expect(parseCsvBody(body).footer).toMatch(/As of 10\/19\/2026$/)
    const bad = await call(sim, 'PUT', '/__sim/today', JSON.stringify({ today: '20-10-2026' }))
    expect(bad.status).toBe(400)
  })

  it('serves and clears the request log without logging control calls', async () => {
    const sim = await startTestSimulator()
    await get(sim, exportPath('districtsummary', '~~'))
    const log = await call(sim, 'GET', '/__sim/log')
    expect(log.json.entries).toMatchObject([{ method: 'GET', status: 200 }])
    await call(sim, 'DELETE', '/__sim/log')
    expect((await call(sim, 'GET', '/__sim/log')).json.entries).toEqual([])
  })

  it('answers 404 for unknown endpoints and 405 for unsupported methods', async () => {
    const sim = await startTestSimulator()
    expect((await call(sim, 'GET', '/__sim/nothing')).status).toBe(404)
    expect((await call(sim, 'POST', '/__sim/state', '{}')).status).toBe(405)
  })
})
