import { describe, expect, it } from 'vitest'
import { configFromFlags } from './config-from-flags.ts'
import { UsageError } from './output.ts'

describe('configFromFlags --role', () => {
  it('takes --role over ROLE and names the flag and the allowed values for a bad one', () => {
    const env = { DATABASE_URL: 'postgres://tm@db/tm', ROLE: 'api' }
    expect(configFromFlags({}, env).role).toBe('api')
    expect(configFromFlags({ role: 'worker' }, env).role).toBe('worker')
    const error = (() => {
      try {
        configFromFlags({ role: 'both' }, env)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toBe('--role must be one of all, api, worker')
  })
})
