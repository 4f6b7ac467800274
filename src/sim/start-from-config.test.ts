import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from './server.ts'
import { parseSimulatorArgs, startSimulatorFromConfig } from './start-from-config.ts'

let started: Simulator | null = null
afterEach(async () => {
  await started?.close()
  started = null
})

describe('simulator CLI entry', () => {
  it('parses --flag value and --flag=value forms', () => {
    expect(
      parseSimulatorArgs([
        '--port',
        '0',
        '--seed=9',
        '--today',
        '2026-09-23',
        '--districts',
        '61,f',
      ]),
    ).toEqual({
      port: 0,
      seed: 9,
      today: '2026-09-23',
      districts: ['61', 'F'],
    })
    expect(() => parseSimulatorArgs(['--port', 'x'])).toThrow(/--port/)
    expect(() => parseSimulatorArgs(['--colour', 'red'])).toThrow(/--colour/)
  })

  it('starts a listening simulator from a config', async () => {
    started = await startSimulatorFromConfig({ port: 0, seed: 3, today: '2026-09-23' })
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const r = await fetch(`${started.url}/export.aspx?type=CSV&report=districtsummary~~~`)
    expect(r.status).toBe(200)
    expect((await r.text()).endsWith('Month of Sep, As of 09/22/2026\r\n')).toBe(true)
  })
})
