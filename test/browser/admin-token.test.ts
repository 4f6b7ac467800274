import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.ts'
import { clickStart, connectChromium, setDates } from './harness.ts'

const TOKEN = 'browser-test-token'
let stack: Stack
let browser: Browser

beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKEN: TOKEN } })
  browser = await connectChromium()
})

afterAll(async () => {
  await browser?.close()
  await stack?.close()
})

describe('admin token in Chromium', () => {
  it('explains 401 and 403, then starts the backfill once the right token is entered', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(stack.url)
    await setDates(page, '2026-11-20', '2026-11-20')
    const alert = page.locator('.backfill-form [role="alert"]')

    await page.getByRole('button', { name: 'Start backfill' }).click()
    await alert.filter({ hasText: '401' }).waitFor()
    expect(await alert.textContent()).toMatch(/Admin token/)

    await page.getByLabel('Admin token').fill('wrong-token')
    await page.getByRole('button', { name: 'Start backfill' }).click()
    await alert.filter({ hasText: '403' }).waitFor()

    await page.getByLabel('Admin token').fill(TOKEN)
    const { job } = await clickStart(page)
    expect(job.status).not.toBe('error')
    expect(await page.evaluate('sessionStorage.getItem("tm-backfill.admin-token")')).toBe(TOKEN)
    await stack.server.services.backfills.idle()
    await context.close()
  })
})
