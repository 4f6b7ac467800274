import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.ts'

let stack: Stack

beforeAll(async () => {
  stack = await startStack()
})

afterAll(async () => {
  await stack?.close()
})

const get = async (path: string) => {
  const res = await fetch(`${stack.url}${path}`)
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}

describe('the server serves the built page next to the API', () => {
  it('answers the page at / and at any other non-API path (SPA fallback)', async () => {
    for (const path of ['/', '/?district=61', '/districts/61/anything']) {
      const page = await get(path)
      expect(page.status, path).toBe(200)
      expect(page.type, path).toMatch(/^text\/html/)
      expect(page.text, path).toContain('<div id="root"></div>')
    }
  })

  it('serves the bundled script the page refers to', async () => {
    const html = (await get('/')).text
    const src = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1]
    expect(src).toMatch(/^\/assets\//)
    const script = await get(src!)
    expect(script.status).toBe(200)
    expect(script.type).toMatch(/javascript/)
  })

  it('keeps the JSON 404 for unknown API routes', async () => {
    for (const path of ['/api/nothing-here', '/api']) {
      const res = await get(path)
      expect(res.status, path).toBe(404)
      expect(JSON.parse(res.text).error.code, path).toBe('NOT_FOUND')
    }
  })
})
