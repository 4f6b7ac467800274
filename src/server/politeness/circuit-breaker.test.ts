import { describe, expect, it } from 'vitest'
import { createCircuitBreaker } from './circuit-breaker.ts'

function setup() {
  let t = 1_000_000
  const cb = createCircuitBreaker({ failureThreshold: 3, openMs: 10_000, now: () => t })
  const changes: string[] = []
  cb.onChange((s) => changes.push(s.state))
  return { cb, changes, advance: (ms: number) => (t += ms), now: () => t }
}

describe('createCircuitBreaker', () => {
  it('stays closed below the threshold and a success resets the count', () => {
    const { cb } = setup()
    cb.onFailure('503')
    cb.onFailure('503')
    cb.onSuccess()
    cb.onFailure('503')
    cb.onFailure('503')
    expect(cb.status().state).toBe('closed')
    expect(cb.check()).toEqual({ decision: 'go' })
  })

  it('opens after repeated failures and makes callers wait until the probe time', () => {
    const { cb, now, changes } = setup()
    for (let i = 0; i < 3; i++) cb.onFailure('upstream answered 503')
    expect(changes).toEqual(['open'])
    const c = cb.check()
    expect(c).toEqual({
      decision: 'wait',
      untilMs: now() + 10_000,
      reason: 'upstream answered 503',
    })
    expect(cb.status().nextProbeAt).toBe(new Date(now() + 10_000).toISOString())
  })

  it('lets exactly one probe through when half-open; success closes', () => {
    const { cb, advance, changes } = setup()
    for (let i = 0; i < 3; i++) cb.onFailure('reset')
    advance(10_000)
    expect(cb.check().decision).toBe('go')
    expect(cb.check().decision).toBe('wait')
    cb.onSuccess()
    expect(changes).toEqual(['open', 'half-open', 'closed'])
    expect(cb.check().decision).toBe('go')
    expect(cb.status().outageSince).toBeNull()
  })

  it('reopens when the probe fails and keeps the outage start', () => {
    const { cb, advance } = setup()
    for (let i = 0; i < 3; i++) cb.onFailure('reset')
    const since = cb.status().outageSince
    advance(10_000)
    cb.check()
    cb.onFailure('still down')
    expect(cb.status()).toMatchObject({ state: 'open', reason: 'still down', outageSince: since })
  })
})
