import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import {
  backgroundColor,
  clickMapCell,
  clickStart,
  coverageMap,
  jobCard,
  mapCellColor,
  saveScreenshot,
  setDates,
  startBrowserStack,
  waitForCardStatus,
  type BrowserStack,
} from './harness.ts'

let env: BrowserStack

/** Waits until the map has drawn the report of `from`..`to`. */
async function painted(page: Page, from: string, to: string): Promise<void> {
  await page.locator(`.coverage-map__stack canvas[data-painted^="${from}|${to}|"]`).waitFor()
}

beforeAll(async () => {
  env = await startBrowserStack()
})

afterAll(async () => {
  await env?.close()
})

async function runJob(body: Record<string, unknown>): Promise<BackfillResponse> {
  const started = await env.stack.api<BackfillResponse>('POST', '/api/districts/backfill', body)
  expect(started.status).toBe(202)
  await env.stack.server.services.backfills.idle()
  return started.body
}

describe('coverage view in Chromium', () => {
  it('colors stored cells by detail and status, and shows a clicked cell’s file', async () => {
    const targets = ['02', '61']
    await runJob({
      startDate: '2026-11-10',
      targetDistricts: targets,
      collectionType: 'per-district',
    })
    await runJob({
      startDate: '2026-11-11',
      targetDistricts: targets,
      collectionType: 'system-wide',
    })
    env.stack.sim.addFault({ kind: 'server-error', status: 500, match: { districtId: '61' } })
    try {
      await runJob({
        startDate: '2026-11-12',
        targetDistricts: targets,
        collectionType: 'per-district',
        retryFailures: false,
      })
    } finally {
      env.stack.sim.clearFaults()
    }

    const page = await env.open()
    await page.locator('input[name="coverage-from"]').fill('2026-11-10')
    await page.locator('input[name="coverage-to"]').fill('2026-11-13')
    await page.getByRole('button', { name: 'Show' }).click()
    await painted(page, '2026-11-10', '2026-11-13')

    const expected: [string, string, string][] = [
      ['2026-11-10', '61', 'full'],
      ['2026-11-10', '02', 'full'],
      ['2026-11-11', '61', 'summary'],
      ['2026-11-12', '61', 'failed'],
      ['2026-11-12', '02', 'full'],
      ['2026-11-13', '61', 'missing'],
    ]
    const swatches: Record<string, string> = {}
    for (const kind of ['full', 'summary', 'failed', 'missing']) {
      swatches[kind] = await backgroundColor(page.locator(`.legend .cov--${kind}`))
    }
    expect(new Set(Object.values(swatches)).size).toBe(4)
    for (const [date, id, kind] of expected) {
      expect(await mapCellColor(page, date, id), `${id} on ${date}`).toBe(swatches[kind])
    }
    expect(await page.getByRole('list', { name: 'Legend' }).textContent()).toMatch(
      /Full detail.*\(3\).*Summary only.*\(2\).*Failed.*\(1\).*Nothing stored.*\(2\)/,
    )

    await clickMapCell(page, '2026-11-10', '61')
    const inspector = page.getByTestId('cell-inspector')
    await inspector.locator('[data-fact="asOf"]').waitFor()
    const file = (
      await env.stack.api<{
        asOf: string
        dataMonth: string
        warnings: string[]
        provenance: { sources: unknown[] }
      }>('GET', '/api/snapshots/2026-11-10/districts/61')
    ).body
    expect(await inspector.locator('[data-fact="asOf"]').textContent()).toBe(file.asOf)
    expect(await inspector.locator('[data-fact="detail"]').textContent()).toBe('full')
    expect(await inspector.locator('[data-fact="dataMonth"]').textContent()).toContain(
      file.dataMonth,
    )
    expect(await inspector.locator('[data-fact="warnings"]').textContent()).toBe(
      String(file.warnings.length),
    )
    expect(await inspector.locator('[data-fact="clubs"]').textContent()).toMatch(/\d+ clubs/)
    expect(await inspector.getByRole('heading', { name: /Sources/ }).textContent()).toBe(
      `Sources (${file.provenance.sources.length})`,
    )

    await clickMapCell(page, '2026-11-12', '61')
    // Playwright's text assertion waits for the snapshot query to answer.
    await inspector.locator('.banner', { hasText: /UPSTREAM_HTTP/ }).waitFor({ timeout: 10_000 })
    expect(await inspector.locator('.banner').textContent()).toMatch(
      /^Collection failed: UPSTREAM_HTTP/,
    )

    // The keyboard reaches every cell: focus stays where the click left it, arrows move it.
    await inspector.getByRole('button', { name: 'Close details' }).click()
    await inspector.waitFor({ state: 'detached' })
    await coverageMap(page).focus()
    expect(await coverageMap(page).getAttribute('data-district-ids')).toBe('02,61')
    const focusText = page.locator('#coverage-map-focus')
    expect(await focusText.textContent()).toBe('District 61 on 2026-11-12: failed')
    await page.keyboard.press('ArrowUp')
    expect(await focusText.textContent()).toBe('District 02 on 2026-11-12: full detail')
    await page.keyboard.press('End')
    expect(await focusText.textContent()).toBe('District 02 on 2026-11-13: nothing stored')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Home')
    expect(await focusText.textContent()).toBe('District 61 on 2026-11-10: full detail')
    await page.keyboard.press('Enter')
    await inspector.locator('[data-fact="asOf"]').waitFor()
    expect(await inspector.getByRole('heading', { level: 3 }).textContent()).toBe(
      'District 61 · 2026-11-10',
    )
    await saveScreenshot(page, 'coverage-map-inspector')
    await page.keyboard.press('Escape')
    await inspector.waitFor({ state: 'detached' })
    await page.context().close()
  })
})

describe('district page in Chromium', () => {
  it('backfills through the district-scoped endpoint and shows that district’s coverage', async () => {
    const page = await env.open('/?district=91')
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('District 91')
    expect(await page.getByLabel('Districts', { exact: true }).count()).toBe(0)
    await setDates(page, '2026-11-15', '2026-11-15')
    const { response, job } = await clickStart(page)
    expect(new URL(response.url()).pathname).toBe('/api/districts/91/backfill')
    expect(job).toMatchObject({ type: 'district', districtId: '91' })
    expect(job.scope.targetDistricts).toEqual(['91'])
    await waitForCardStatus(page, job.backfillId, 'complete')
    expect(await jobCard(page, job.backfillId).getByRole('heading').textContent()).toMatch(
      /District 91 backfill/,
    )

    await page.locator('input[name="coverage-from"]').fill('2026-11-14')
    await page.locator('input[name="coverage-to"]').fill('2026-11-15')
    await page.getByRole('button', { name: 'Show' }).click()
    await painted(page, '2026-11-14', '2026-11-15')
    expect(await coverageMap(page).getAttribute('data-district-ids')).toBe('91')
    expect(await mapCellColor(page, '2026-11-15', '91')).toBe(
      await backgroundColor(page.locator('.legend .cov--full')),
    )
    await page.context().close()
  })
})
