import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createSilentLogger } from '../logger.ts'
import { createBaseApp, type App } from './create-app.ts'
import { HttpError } from './errors.ts'

let app: App | null = null
afterEach(async () => {
  await app?.close()
  app = null
})

async function build(adminToken: string | null = null): Promise<App> {
  const a = await createBaseApp({ logger: createSilentLogger(), adminToken, bodyLimitBytes: 1024 })
  app = a
  a.post(
    '/things',
    {
      schema: { body: z.strictObject({ name: z.string().min(1), count: z.number().int() }) },
    },
    async (req) => ({ ok: true, name: req.body.name }),
  )
  a.get('/boom', async () => {
    throw new Error('secret internals')
  })
  a.get('/teapot', async () => {
    throw new HttpError(418, 'TEAPOT', 'short and stout', { spout: true })
  })
  return a
}

const post = (a: App, payload: string, headers: Record<string, string> = {}) =>
  a.inject({
    method: 'POST',
    url: '/things',
    payload,
    headers: { 'content-type': 'application/json', ...headers },
  })

describe('createBaseApp error handling', () => {
  it('answers a schema violation with 400 naming the field', async () => {
    const res = await post(await build(), JSON.stringify({ name: 'x', count: 'three' }))
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('VALIDATION_ERROR')
    expect(res.json().error.message).toContain('body.count')
  })

  it('rejects unknown fields', async () => {
    const res = await post(await build(), JSON.stringify({ name: 'x', count: 1, extra: true }))
    expect(res.statusCode).toBe(400)
    expect(JSON.stringify(res.json().error)).toContain('extra')
  })

  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    const res = await post(await build(), '{"name":')
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('INVALID_JSON')
  })

  it('answers an oversized body with 413', async () => {
    const res = await post(await build(), JSON.stringify({ name: 'x'.repeat(5000), count: 1 }))
    expect(res.statusCode).toBe(413)
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('hides internals of unexpected errors behind a 500', async () => {
    const res = await (await build()).inject({ method: 'GET', url: '/boom' })
    expect(res.statusCode).toBe(500)
    expect(res.body).not.toContain('secret')
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } })
  })

  it('passes HttpError status, code and details through', async () => {
    const res = await (await build()).inject({ method: 'GET', url: '/teapot' })
    expect(res.statusCode).toBe(418)
    expect(res.json()).toEqual({
      error: { code: 'TEAPOT', message: 'short and stout', details: { spout: true } },
    })
  })

  it('answers unknown routes with 404 in the same error shape', async () => {
    const res = await (await build()).inject({ method: 'GET', url: '/nope?x=1' })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('NOT_FOUND')
  })
})

describe('admin token', () => {
  const body = JSON.stringify({ name: 'x', count: 1 })
  it('lets everything through when no token is configured', async () => {
    expect((await post(await build(null), body)).statusCode).toBe(200)
  })
  it('answers 401 without a token and 403 with a wrong one', async () => {
    const a = await build('the-right-token')
    expect((await post(a, body)).statusCode).toBe(401)
    expect((await post(a, body, { authorization: 'Bearer wrong-token-x' })).statusCode).toBe(403)
    expect((await post(a, body, { authorization: 'Basic abc' })).statusCode).toBe(403)
    expect((await post(a, body, { authorization: 'Bearer the-right-token' })).statusCode).toBe(200)
  })
})
