import type { Page, Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  backgroundColor,
  coverageMap,
  mapCellColor,
  startBrowserStack,
  type BrowserStack,
} from './harness.ts'

let env: BrowserStack

beforeAll(async () => {
  env = await startBrowserStack()
})

afterAll(async () => {
  await env?.close()
})

const configured = async () =>
  (await env.stack.api<{ configured: string[] }>('GET', '/api/districts')).body.configured

/** Every request that changes the configured districts, in the order the page sent them. */
function recordDistrictChanges(page: Page): string[] {
  const sent: string[] = []
  page.on('request', (r: Request) => {
    const { pathname } = new URL(r.url())
    if (r.method() !== 'GET' && pathname.startsWith('/api/districts') && !/backfill/.test(pathname))
      sent.push(`${r.method()} ${pathname}`)
  })
  return sent
}

function answerTo(page: Page, method: string, pathname: string) {
  return page.waitForResponse(
    (r) => r.request().method() === method && new URL(r.url()).pathname === pathname,
  )
}

async function clickCollect(page: Page) {
  const [response] = await Promise.all([
    answerTo(page, 'POST', '/api/refresh'),
    page.getByRole('button', { name: 'Collect latest now' }).click(),
  ])
  expect(response.status()).toBe(200)
  return (await response.json()) as { status: string; asOf: string; message: string }
}

describe('configured districts and refresh in Chromium', () => {
  it('edits the districts, removes one, collects the latest as-of and adds an available one', async () => {
    const page = await env.open()
    const sent = recordDistrictChanges(page)
    const panel = page.locator('section.districts')
    const field = page.getByLabel('District ids')
    const fieldError = page.locator('#configured-districts-error')
    expect(await configured()).toEqual([])
    await panel.getByText(/None configured/).waitFor()

    // Nothing is stored yet: the available-districts 404 shows no chips.
    await panel.getByRole('button', { name: 'Edit' }).click()
    await field.waitFor()
    expect(await page.getByRole('list', { name: 'Available districts' }).count()).toBe(0)
    await field.fill('61, 21')
    const [put] = await Promise.all([
      answerTo(page, 'PUT', '/api/districts'),
      panel.getByRole('button', { name: 'Save' }).click(),
    ])
    expect(put.status()).toBe(200)
    expect(put.request().postDataJSON()).toEqual({ districts: ['61', '21'] })
    expect(await configured()).toEqual(['21', '61'])
    const shown = panel.getByTestId('configured-list')
    await shown.getByRole('link', { name: '61' }).waitFor()
    expect(await shown.getByRole('link').allTextContents()).toEqual(['21', '61'])

    // A bad id is shown at the field and nothing is sent.
    await panel.getByRole('button', { name: 'Edit' }).click()
    expect(await field.inputValue()).toBe('21, 61')
    await field.fill('61, ../x')
    await panel.getByRole('button', { name: 'Save' }).click()
    await fieldError.waitFor()
    expect(await fieldError.textContent()).toContain('“../x”')
    expect(await field.getAttribute('aria-invalid')).toBe('true')

    // Remove 21 with its own button; the draft text forgets it too.
    await field.fill('21, 61')
    await fieldError.waitFor({ state: 'detached' })
    const [del] = await Promise.all([
      answerTo(page, 'DELETE', '/api/districts/21'),
      panel.getByRole('button', { name: 'Remove district 21' }).click(),
    ])
    expect(del.status()).toBe(200)
    // The bad save would have gone out before this DELETE: only the PUT and the DELETE did.
    expect(sent).toEqual(['PUT /api/districts', 'DELETE /api/districts/21'])
    expect(await configured()).toEqual(['61'])
    await panel.getByRole('button', { name: 'Remove district 21' }).waitFor({ state: 'detached' })
    expect(await field.inputValue()).toBe('61')

    const newest = env.stack.sim.truth.latestAsOf()
    await showCoverage(page, newest)
    await page.getByText(`Nothing stored between ${newest} and ${newest}.`).waitFor()
    expect(await coverageMap(page).count()).toBe(0)

    // Collect latest now: busy while the server works, then the result, the grid, the chips.
    const refresh = page.locator('section.refresh')
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    await page.route('**/api/refresh?wait=true', async (route) => {
      await held
      await route.continue()
    })
    const first = clickCollect(page)
    await refresh.getByRole('button', { name: 'Collecting…' }).waitFor()
    expect(await refresh.getByRole('button', { name: 'Collecting…' }).isDisabled()).toBe(true)
    expect(await refresh.getAttribute('aria-busy')).toBe('true')
    expect(await refresh.getByRole('status').textContent()).toMatch(/Collecting/)
    release()
    const written = await first
    await page.unroute('**/api/refresh?wait=true')
    expect(written).toMatchObject({ status: 'written', asOf: newest })
    const result = refresh.getByTestId('refresh-result')
    await refresh.locator('[data-testid="refresh-result"][data-status="written"]').waitFor()
    expect(await result.getByTestId('refresh-message').textContent()).toBe(written.message)
    expect(await result.textContent()).toContain(`as-of ${newest}`)

    const stored = await env.stack.api<{ current: string | null; snapshots: { asOf: string }[] }>(
      'GET',
      '/api/snapshots',
    )
    expect(stored.body.current).toBe(newest)
    expect(stored.body.snapshots.map((s) => s.asOf)).toContain(newest)
    // The map refetched on its own: no click on "Show".
    await page
      .locator(`canvas.coverage-map__overlay[data-district-ids="61"]`)
      .waitFor({ timeout: 10_000 })
    expect(await mapCellColor(page, newest, '61')).toBe(
      await backgroundColor(page.locator('.legend .cov--full')),
    )

    const chips = page.getByRole('list', { name: 'Available districts' })
    await chips.waitFor({ timeout: 10_000 })
    expect(await chips.getByRole('button', { name: '61', exact: true }).isDisabled()).toBe(true)
    await chips.getByRole('button', { name: '21', exact: true }).click()
    expect(await field.inputValue()).toBe('61, 21')
    expect(await chips.getByRole('button', { name: '21', exact: true }).isDisabled()).toBe(true)

    // The same as-of again: nothing new to write.
    const again = await clickCollect(page)
    expect(again.status).toBe('unchanged')
    await refresh.locator('[data-testid="refresh-result"][data-status="unchanged"]').waitFor()
    expect(await result.textContent()).toMatch(/unchanged/)
    const status = await env.stack.api<{ state: string; last: { status: string } }>(
      'GET',
      '/api/refresh',
    )
    expect(status.body).toMatchObject({ state: 'idle', last: { status: 'unchanged' } })

    // A configured district the newest stored summary (2026-27) no longer lists is flagged.
    const replaced = await env.stack.api('PUT', '/api/districts', { districts: ['61', '13'] })
    expect(replaced.status).toBe(200)
    await page.reload()
    const hint = `13 is not in the 2026-2027 summary (as of ${newest})`
    const flags = panel.getByTestId('not-in-summary')
    await flags.waitFor({ timeout: 10_000 })
    expect(await flags.textContent()).toBe(hint)
    expect(await panel.locator('li[data-not-in-summary="true"]').getAttribute('title')).toBe(hint)
    expect(await panel.locator('li[data-not-in-summary="true"]').count()).toBe(1)

    await page.screenshot({ path: '/tmp/web-districts.png', fullPage: true })
    await page.context().close()
  })
})

async function showCoverage(page: Page, asOf: string): Promise<void> {
  await page.locator('input[name="coverage-from"]').fill(asOf)
  await page.locator('input[name="coverage-to"]').fill(asOf)
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/coverage' && r.ok()),
    page.getByRole('button', { name: 'Show' }).click(),
  ])
}
