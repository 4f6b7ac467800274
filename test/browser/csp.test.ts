/**
 * The page under the server's Content-Security-Policy in Chromium: it loads and works (its
 * mutating requests pass the Origin check) with no policy violation, while an inline script
 * and framing by another page are refused.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  clickStart,
  setDates,
  startBrowserStack,
  waitForCardStatus,
  type BrowserStack,
} from './harness.ts'

let env: BrowserStack

beforeAll(async () => {
  env = await startBrowserStack()
})
afterAll(async () => {
  await env?.close()
})

/** Opens the page with every `securitypolicyviolation` recorded from the first byte on. */
async function openRecording(): Promise<{ page: Page; violations: () => Promise<string[]> }> {
  const context = await env.browser.newContext()
  // A string, as it runs in the page: this file is type-checked without the DOM library.
  await context.addInitScript(`{
    const seen = []
    globalThis.__cspViolations = seen
    globalThis.addEventListener('securitypolicyviolation', (e) => {
      seen.push(e.violatedDirective + ' ' + e.blockedURI)
    })
  }`)
  const page = await context.newPage()
  const response = await page.goto(env.stack.url)
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
  await page.getByRole('heading', { name: 'Start a backfill' }).waitFor()
  return {
    page,
    violations: () => page.evaluate('globalThis.__cspViolations') as Promise<string[]>,
  }
}

describe('the page under its CSP', () => {
  it('works with no policy violation: a backfill starts, runs and shows its progress', async () => {
    const { page, violations } = await openRecording()
    await setDates(page, '2026-11-20', '2026-11-21')
    const { job } = await clickStart(page)
    await waitForCardStatus(page, job.backfillId, 'complete', 30_000)
    // React sets the bar's width through the DOM, which style-src 'self' allows.
    const width = await page
      .locator(`article[data-job-id="${job.backfillId}"] .progress__fill`)
      .evaluate((el) => el.style.width)
    expect(width).toBe('100%')
    await env.stack.server.services.backfills.idle()
    expect(await violations()).toEqual([])
    await page.context().close()
  })

  it('refuses an inline script, so the violation listener above is live', async () => {
    const { page, violations } = await openRecording()
    await page.evaluate(`{
      const script = document.createElement('script')
      script.textContent = 'globalThis.__inlineRan = true'
      document.body.append(script)
    }`)
    await expect.poll(violations).toEqual([expect.stringMatching(/^script-src/)])
    expect(await page.evaluate('globalThis.__inlineRan')).toBeUndefined()
    await page.context().close()
  })

  it('cannot be framed by another page', async () => {
    const context = await env.browser.newContext()
    const page = await context.newPage()
    const refused: string[] = []
    page.on('console', (m) => {
      if (/frame-ancestors/.test(m.text())) refused.push(m.text())
    })
    await page.setContent(`<iframe src="${env.stack.url}/"></iframe>`)
    await expect.poll(() => refused.length, { timeout: 15_000 }).toBeGreaterThan(0)
    // A refused frame shows Chromium's error page instead of ours.
    const frame = page.frames().find((f) => f !== page.mainFrame())
    expect(frame?.url()).toMatch(/^chrome-error:/)
    expect(await frame?.getByRole('heading', { name: 'Start a backfill' }).count()).toBe(0)
    await context.close()
  })
})
