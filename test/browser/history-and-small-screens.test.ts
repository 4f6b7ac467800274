/**
 * The district page's history and the page on small screens, in Chromium against the product
 * and the simulator: the chart has one point per stored date, a hovered or focused point shows
 * the stored file's value, nothing scrolls sideways at 390 and 360 px, axe finds nothing
 * serious. Each state is saved as a screenshot under test-artifacts/.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DistrictSeries } from '../../src/shared/api-schemas.ts'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import type { DistrictStatistics } from '../../src/shared/district-statistics.ts'
import type { DistrictFile } from '../../src/shared/snapshot-types.ts'
import {
  clickStart,
  horizontalOverflow,
  saveScreenshot,
  seriousAxeViolations,
  setDates,
  startBrowserStack,
  waitForCardStatus,
  type BrowserStack,
} from './harness.ts'

let env: BrowserStack
const FULL = { from: '2026-06-26', to: '2026-07-01' }
const SUMMARY = { from: '2026-07-02', to: '2026-07-04' }
const STORED = 9

async function runJob(body: Record<string, unknown>): Promise<void> {
  const started = await env.stack.api<BackfillResponse>('POST', '/api/districts/backfill', body)
  expect(started.status).toBe(202)
  await env.stack.server.services.backfills.idle()
}

beforeAll(async () => {
  env = await startBrowserStack()
  await runJob({
    startDate: FULL.from,
    endDate: FULL.to,
    targetDistricts: ['61'],
    collectionType: 'per-district',
  })
  await runJob({
    startDate: SUMMARY.from,
    endDate: SUMMARY.to,
    targetDistricts: ['61', '02'],
    collectionType: 'system-wide',
  })
}, 60_000)

afterAll(async () => {
  await env?.close()
})

async function storedPaidClubs(date: string): Promise<number | null | undefined> {
  const res = await env.stack.api<DistrictFile<DistrictStatistics>>(
    'GET',
    `/api/snapshots/${date}/districts/61`,
  )
  expect(res.status).toBe(200)
  return res.body.statistics.summary?.clubs.paid
}

const clubsChart = (page: Page) => page.locator('[data-chart="clubs"]')
const paidPoints = (page: Page) =>
  clubsChart(page).locator('circle.chart-point[data-measure="paidClubs"]')

describe('district page history in Chromium', () => {
  it('charts one point per stored date and shows the stored value on hover and on focus', async () => {
    const series = (await env.stack.api<DistrictSeries>('GET', '/api/districts/61/series')).body
    expect(series.points).toHaveLength(STORED)

    const page = await env.open('/?district=61')
    await paidPoints(page)
      .nth(STORED - 1)
      .waitFor()
    expect(await paidPoints(page).count()).toBe(STORED)
    expect(
      await paidPoints(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-date'))),
    ).toEqual(series.points.map((p) => p.asOf))
    // The program year's end (the last point before the new year's first) is ringed.
    expect(await clubsChart(page).locator('.year-end').count()).toBeGreaterThan(0)
    expect(await page.getByTestId('division-table').locator('tbody tr').count()).toBeGreaterThan(0)
    expect(
      await page
        .getByTestId('latest-figures')
        .locator('[data-measure="paidClubs"] [data-fact="latest"]')
        .textContent(),
    ).toBe(series.points.at(-1)!.paidClubs!.toLocaleString('en-US'))
    await saveScreenshot(page, 'district-61-history')

    // Hover: the tooltip names the hovered date and shows that date's stored paid clubs.
    const hovered = series.points[2]!.asOf
    await clubsChart(page)
      .locator(`circle.chart-point[data-measure="paidClubs"][data-date="${hovered}"]`)
      .hover({ force: true })
    const tooltip = clubsChart(page).getByTestId('chart-tooltip')
    await page
      .locator(`[data-chart="clubs"] [data-testid="chart-tooltip"][data-as-of="${hovered}"]`)
      .waitFor()
    const paid = await storedPaidClubs(hovered)
    expect(await tooltip.locator('[data-tip-measure="paidClubs"] [data-value]').textContent()).toBe(
      paid!.toLocaleString('en-US'),
    )
    expect(await tooltip.locator('[data-tip="source"]').textContent()).toContain(
      `Source as-of ${hovered}`,
    )
    await saveScreenshot(page, 'district-61-hover')

    // Keyboard: the chart surface takes focus; the arrow keys walk the points.
    await page.mouse.move(0, 0)
    await clubsChart(page).locator('svg.recharts-surface[tabindex="0"]').focus()
    await page.keyboard.press('ArrowRight')
    const focused = clubsChart(page).locator('[data-testid="chart-tooltip"]')
    await focused.waitFor()
    const first = await focused.getAttribute('data-as-of')
    await page.keyboard.press('ArrowRight')
    await page
      .locator(`[data-chart="clubs"] [data-testid="chart-tooltip"]:not([data-as-of="${first}"])`)
      .waitFor()
    const date = (await focused.getAttribute('data-as-of'))!
    expect(series.points.map((p) => p.asOf)).toContain(date)
    expect(await focused.locator('[data-tip-measure="paidClubs"] [data-value]').textContent()).toBe(
      (await storedPaidClubs(date))!.toLocaleString('en-US'),
    )
    await saveScreenshot(page, 'district-61-keyboard')
    await page.context().close()
  })

  it('charts a district stored only in the all-districts summary', async () => {
    const page = await env.open('/?district=02')
    await paidPoints(page).nth(2).waitFor()
    const series = (await env.stack.api<DistrictSeries>('GET', '/api/districts/02/series')).body
    expect(await paidPoints(page).count()).toBe(series.points.length)
    expect(series.points.length).toBeGreaterThanOrEqual(3)
    expect(await page.getByText('Only summary-level data is stored').count()).toBe(1)
    await page.context().close()
  })

  it('opens the coverage view on the stored range, not the last fortnight', async () => {
    const page = await env.open('/')
    await page.locator('input[name="coverage-to"]').waitFor()
    expect(await page.locator('input[name="coverage-from"]').inputValue()).toBe(FULL.from)
    expect(await page.locator('input[name="coverage-to"]').inputValue()).toBe(SUMMARY.to)
    await page.getByRole('heading', { name: 'Trends across districts' }).waitFor()
    await page.getByTestId('trend-range').waitFor()
    expect(await page.getByTestId('trend-range').textContent()).toMatch(
      /^10 districts over 9 stored dates/,
    )
    // One line per ranked district, once the lazily loaded chart has drawn.
    await page.locator('.trend .recharts-line').nth(9).waitFor({ state: 'attached' })
    expect(await page.locator('.trend .recharts-line').count()).toBe(10)
    await saveScreenshot(page, 'home-trends')
    await page.context().close()
  })
})

describe('small screens and accessibility in Chromium', () => {
  // One page per view: checked at 390 and 360 px wide, and by axe at 390 and at desktop width.
  for (const at of ['/', '/?district=61']) {
    const name = at === '/' ? 'home' : 'district-61'
    it(`${at}: nothing scrolls sideways at 390 and 360 px, rows are labelled, axe is clean`, async () => {
      const page = await env.open(at, { viewport: { width: 390, height: 844 }, bypassCSP: true })
      if (at !== '/')
        await paidPoints(page)
          .nth(STORED - 1)
          .waitFor()
      else await page.locator('.trend .recharts-line').nth(9).waitFor({ state: 'attached' })
      for (const width of [390, 360]) {
        await page.setViewportSize({ width, height: 844 })
        // The charts follow their container through a ResizeObserver: wait for the new layout.
        await expect
          .poll(
            async () => {
              const { scrollWidth, clientWidth } = await horizontalOverflow(page)
              return scrollWidth - clientWidth
            },
            { message: `document wider than ${width} px`, timeout: 10_000 },
          )
          .toBeLessThanOrEqual(0)
        await saveScreenshot(page, `narrow-${width}-${name}`)
      }
      // Tables become labelled rows: each cell shows its column's name.
      const cell =
        at === '/'
          ? page.locator('tr[data-history-job] td[data-label="Status"]').first()
          : page.getByTestId('division-table').locator('td[data-label="Paid clubs"]').first()
      const label = at === '/' ? 'Status' : 'Paid clubs'
      expect(
        await cell.evaluate(
          (el) => el.ownerDocument.defaultView!.getComputedStyle(el, '::before').content,
        ),
      ).toBe(`"${label}"`)
      expect(await seriousAxeViolations(page), 'axe at 360 px').toEqual([])
      await page.setViewportSize({ width: 1360, height: 900 })
      expect(await seriousAxeViolations(page), 'axe at 1360 px').toEqual([])
      await page.context().close()
    })
  }

  it('draws a focus ring with at least 3:1 contrast on the card and on the header', async () => {
    const page = await env.open('/?district=61')
    const ring = async (selector: string) => {
      const el = page.locator(selector).first()
      await el.focus()
      return el.evaluate((e) => {
        const s = e.ownerDocument.defaultView!.getComputedStyle(e)
        return { outline: s.outlineColor, style: s.outlineStyle, width: s.outlineWidth }
      })
    }
    const card = await ring('main button')
    const header = await ring('header input')
    expect(card.style).toBe('solid')
    expect(contrast(card.outline, 'rgb(255, 255, 255)')).toBeGreaterThanOrEqual(3)
    expect(contrast(header.outline, 'rgb(0, 65, 101)')).toBeGreaterThanOrEqual(3)
    await page.context().close()
  })
})

// Last: it stores new dates, which the tests above do not expect.
describe('after a backfill on the district page', () => {
  it('charts the new dates once the job ends', async () => {
    const page = await env.open('/?district=21')
    await paidPoints(page)
      .nth(STORED - 1)
      .waitFor()
    expect(await paidPoints(page).count()).toBe(STORED)
    await setDates(page, '2026-07-06', '2026-07-07')
    const { job } = await clickStart(page)
    await waitForCardStatus(page, job.backfillId, 'complete')
    await paidPoints(page)
      .nth(STORED + 1)
      .waitFor({ timeout: 10_000 })
    expect(await paidPoints(page).count()).toBe(STORED + 2)
    await page.context().close()
  })
})

function luminance(rgb: string): number {
  const [r, g, b] = rgb
    .match(/\d+(\.\d+)?/g)!
    .slice(0, 3)
    .map(Number)
    .map((c) => {
      const v = c / 255
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
    }) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}
