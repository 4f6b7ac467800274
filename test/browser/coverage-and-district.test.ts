import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { CoverageReport } from '../../src/shared/snapshot-types.ts'
import {
  ARTIFACTS_DIR,
  backgroundColor,
  clickMapCell,
  clickStart,
  coverageMap,
  jobCard,
  mapCellColor,
  mapCellPoint,
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

  it('shows a district absent from the stored summary as "not a district on that date"', async () => {
    // 2026-11-10's summary is stored by the test above; 13 was retired in the 2026 realignment.
    const page = await env.open('/?district=13')
    await page.locator('input[name="coverage-from"]').fill('2026-11-09')
    await page.locator('input[name="coverage-to"]').fill('2026-11-10')
    await page.getByRole('button', { name: 'Show' }).click()
    await painted(page, '2026-11-09', '2026-11-10')
    await coverageMap(page).focus()
    await page.keyboard.press('End')
    expect(await page.locator('#coverage-map-focus').textContent()).toBe(
      'District 13 on 2026-11-10: not a district on that date',
    )
    // No summary stored for 2026-11-09: nothing to tell, so "nothing stored".
    await page.keyboard.press('Home')
    expect(await page.locator('#coverage-map-focus').textContent()).toBe(
      'District 13 on 2026-11-09: nothing stored',
    )
    expect(await mapCellColor(page, '2026-11-10', '13')).not.toBe(
      await mapCellColor(page, '2026-11-09', '13'),
    )
    expect(await page.getByRole('list', { name: 'Legend' }).textContent()).toMatch(
      /Not a district on that date \(not in the date's summary\) \(1\)/,
    )
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

/** A synthetic 400-date × 130-district report: a stored range that large costs minutes to write. */
function bigReport(from: string, days: number, districts: number): CoverageReport {
  const ids = Array.from({ length: districts }, (_, i) => String(i + 1).padStart(2, '0'))
  const dates: CoverageReport['dates'] = []
  for (let col = 0; col < days; col++) {
    const asOf = new Date(Date.parse(from) + col * 86_400_000).toISOString().slice(0, 10)
    const cells: CoverageReport['dates'][number]['districts'] = {}
    ids.forEach((id, row) => {
      const k = (col * 7 + row * 3) % 10
      if (k < 6) cells[id] = { detail: 'full', status: 'ok' }
      else if (k < 8) cells[id] = { detail: 'summary', status: 'ok' }
      else if (k < 9) cells[id] = { detail: null, status: 'failed' }
    })
    dates.push({ asOf, snapshot: 'complete', districts: cells })
  }
  return { from, to: dates[dates.length - 1]!.asOf, districtIds: ids, dates }
}

/** Milliseconds from `start` (run in the page) until `done` holds and the next frame painted. */
function timeInPage(start: string, done: string): string {
  return `(async () => {
    const t0 = performance.now()
    ${start}
    await new Promise((resolve) => {
      const check = () => ((${done}) ? resolve() : requestAnimationFrame(check))
      check()
    })
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
    return performance.now() - t0
  })()`
}

describe('coverage map at scale in Chromium', () => {
  it('draws 400 dates × 130 districts and opens a cell, recording the times', async () => {
    const report = bigReport('2025-10-28', 400, 130)
    const page = await env.open()
    // The page's own fetch, answered with the big report: the test measures the page, not storage.
    await page.route(/\/api\/coverage\?/, (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify(report) }),
    )
    await page.locator('input[name="coverage-from"]').fill(report.from)
    await page.locator('input[name="coverage-to"]').fill(report.to)
    const paintMs = (await page.evaluate(
      timeInPage(
        `document.querySelector('form[aria-label="Coverage range"] button[type="submit"]').click()`,
        `document.querySelector('.coverage-map__stack canvas[data-painted^="${report.from}|${report.to}|"]')`,
      ),
    )) as number
    expect(await coverageMap(page).getAttribute('data-columns')).toBe('400')
    expect(await coverageMap(page).getAttribute('data-rows')).toBe('130')
    // Not one element per cell: the whole coverage card stays a few dozen elements.
    const elements = await page.locator('section.coverage *').count()
    expect(elements).toBeLessThan(100)
    const swatch = await backgroundColor(page.locator('.legend .cov--failed'))
    // Cell (date 0, district row 6): (0 * 7 + 6 * 3) % 10 = 8 → failed.
    expect(await mapCellColor(page, '2025-10-28', '07')).toBe(swatch)
    expect(await page.getByRole('list', { name: 'Legend' }).textContent()).toContain(
      `(${400 * 13})`,
    )

    await coverageMap(page).focus()
    const keyMs = (await page.evaluate(
      timeInPage(
        `document.querySelector('canvas.coverage-map__overlay').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }))`,
        `document.querySelector('canvas.coverage-map__overlay').getAttribute('data-focus-date') === '2025-10-29'`,
      ),
    )) as number
    const at = await mapCellPoint(page, '2026-11-30', '130')
    const box = (await coverageMap(page).boundingBox())!
    const inspectorMs = (await page.evaluate(
      timeInPage(
        `document.querySelector('canvas.coverage-map__overlay').dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: ${box.x + at.x}, clientY: ${box.y + at.y} }))`,
        `document.querySelector('[data-testid="cell-inspector"] h3')?.textContent === 'District 130 · 2026-11-30'`,
      ),
    )) as number
    await saveScreenshot(page, 'coverage-map-400x130')

    const timing = {
      measuredAt: new Date().toISOString(),
      dates: 400,
      districts: 130,
      firstPaintMs: Math.round(paintMs),
      keyMoveMs: Math.round(keyMs),
      openInspectorMs: Math.round(inspectorMs),
      coverageElements: elements,
    }
    mkdirSync(ARTIFACTS_DIR, { recursive: true })
    writeFileSync(
      path.join(ARTIFACTS_DIR, 'map-timing.json'),
      `${JSON.stringify(timing, null, 2)}\n`,
    )
    console.log(`coverage map 400 × 130: ${JSON.stringify(timing)}`)
    // The times are the bench's to compare with their budgets (`npm run bench -- --only page`,
    // docs/performance.md#page): how long a paint takes depends on the machine's other work.
    await page.context().close()
  })
})
