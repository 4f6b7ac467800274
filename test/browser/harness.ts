/**
 * Real-browser harness: the full stack (simulator + server serving dist/web) and Debian's
 * Chromium driven by playwright-core, one Chromium for the whole run (chromium.global-setup.ts).
 */
import { mkdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Locator, type Page, type Response } from 'playwright-core'
import { inject } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import { startStack, type Stack, type StackOptions } from '../helpers/stack.ts'

/**
 * A connection to the run's one Chromium (test/browser/chromium.global-setup.ts). Closing it
 * closes every context opened through it and leaves the browser running for the next file.
 */
export function connectChromium(): Promise<Browser> {
  return chromium.connect(inject('chromium').wsEndpoint)
}

export interface BrowserStack {
  stack: Stack
  browser: Browser
  /**
   * A fresh browser context (own sessionStorage) on the page at `path`. `bypassCSP` lets a
   * test inject a checker script (axe) that the page's own policy would refuse.
   */
  open(path?: string, options?: OpenOptions): Promise<Page>
  close(): Promise<void>
}

export interface OpenOptions {
  viewport?: { width: number; height: number }
  bypassCSP?: boolean
}

export async function startBrowserStack(options: StackOptions = {}): Promise<BrowserStack> {
  const stack = await startStack(options)
  let browser: Browser
  try {
    browser = await connectChromium()
  } catch (error) {
    await stack.close()
    throw error
  }
  return {
    stack,
    browser,
    async open(at = '/', options: OpenOptions = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1360, height: 900 },
        bypassCSP: options.bypassCSP ?? false,
      })
      const page = await context.newPage()
      await page.goto(`${stack.url}${at}`)
      await page.getByRole('heading', { name: /Start a backfill|Backfill district/ }).waitFor()
      return page
    },
    async close() {
      await browser.close()
      await stack.close()
    },
  }
}

/** Matches the POST that starts a backfill (global or district-scoped), not its preview. */
const START_PATH = /^\/api\/districts\/(?:[A-Z0-9]{1,4}\/)?backfill$/

export async function setDates(page: Page, start: string, end: string): Promise<void> {
  await page.getByLabel('Start date').fill(start)
  await page.getByLabel('End date').fill(end)
}

/** Clicks "Start backfill" and returns the server's answer to that click. */
export async function clickStart(
  page: Page,
): Promise<{ response: Response; job: BackfillResponse }> {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && START_PATH.test(new URL(r.url()).pathname),
    ),
    page.getByRole('button', { name: 'Start backfill' }).click(),
  ])
  if (response.status() !== 202) {
    throw new Error(`start answered ${response.status()}: ${await response.text()}`)
  }
  return { response, job: (await response.json()) as BackfillResponse }
}

export function jobCard(page: Page, backfillId: string) {
  return page.locator(`article[data-job-id="${backfillId}"]`)
}

/** Waits until the job's card shows `status` (the card's data-status follows the polled view). */
export async function waitForCardStatus(
  page: Page,
  backfillId: string,
  status: string,
  timeoutMs = 20_000,
): Promise<void> {
  await page
    .locator(`article[data-job-id="${backfillId}"][data-status="${status}"]`)
    .waitFor({ timeout: timeoutMs })
}

/**
 * The element's computed background color. Reached through the element, not the page's global
 * `getComputedStyle`: this file is type-checked for Node, without the DOM library.
 */
export function backgroundColor(locator: Locator): Promise<string> {
  return locator.evaluate(
    (el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor,
  )
}

/** The coverage map's focusable canvas (src/web/coverage/CoverageMap.tsx). */
export function coverageMap(page: Page): Locator {
  return page.locator('canvas.coverage-map__overlay')
}

/**
 * Centre of a map cell in the canvas's CSS pixels, from the geometry the canvas publishes
 * (first date, district order, gutter, header and cell sizes).
 */
export async function mapCellPoint(
  page: Page,
  date: string,
  districtId: string,
): Promise<{ x: number; y: number }> {
  const map = coverageMap(page)
  const [range, ids, gutter, header, cw, ch] = await Promise.all(
    [
      'data-dates',
      'data-district-ids',
      'data-gutter',
      'data-header',
      'data-cell-width',
      'data-cell-height',
    ].map((a) => map.getAttribute(a)),
  )
  const first = (range ?? '').split('..')[0] ?? ''
  const col = Math.round((Date.parse(date) - Date.parse(first)) / 86_400_000)
  const row = (ids ?? '').split(',').indexOf(districtId)
  if (row < 0 || col < 0) throw new Error(`no map cell for ${districtId} on ${date}`)
  return {
    x: Number(gutter) + col * Number(cw) + Number(cw) / 2 - 0.5,
    y: Number(header) + row * Number(ch) + Number(ch) / 2 - 0.5,
  }
}

export async function clickMapCell(page: Page, date: string, districtId: string): Promise<void> {
  await coverageMap(page).click({ position: await mapCellPoint(page, date, districtId) })
}

/** The colour drawn for a cell, read back from the cells canvas as "rgb(r, g, b)". */
export async function mapCellColor(page: Page, date: string, districtId: string): Promise<string> {
  const at = await mapCellPoint(page, date, districtId)
  return page
    .locator('.coverage-map__stack canvas')
    .first()
    .evaluate((el, p) => {
      const canvas = el as unknown as {
        width: number
        clientWidth: number
        getContext(k: '2d'): {
          getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> }
        }
      }
      const ratio = canvas.width / canvas.clientWidth
      const d = canvas
        .getContext('2d')
        .getImageData(Math.floor(p.x * ratio), Math.floor(p.y * ratio), 1, 1).data
      return `rgb(${d[0]}, ${d[1]}, ${d[2]})`
    }, at)
}

/** The folder of browser-test artifacts (screenshots, timings); gitignored. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))

/** Saves a full-page screenshot under test-artifacts/screenshots and prints where. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS_DIR, 'screenshots', `${name}.png`)
  mkdirSync(path.dirname(file), { recursive: true })
  await page.screenshot({ path: file, fullPage: true })
  console.log(`screenshot: ${file}`)
  return file
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  targets: string[]
}

let axeSource: string | null = null

/**
 * Runs axe-core (the pinned devDependency, injected into the page: open it with `bypassCSP`)
 * and answers its violations of impact serious or critical.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(
    createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
    'utf8',
  )
  await page.addScriptTag({ content: axeSource })
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown,
          ): Promise<{
            violations: {
              id: string
              impact: string | null
              help: string
              nodes: { target: unknown[] }[]
            }[]
          }>
        }
      }
    ).axe
    const doc = (globalThis as unknown as { document: object }).document
    const result = await axe.run(doc, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

/** The document's width beyond the viewport, in CSS pixels (0 when nothing scrolls sideways). */
export function horizontalOverflow(
  page: Page,
): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => {
    const el = (
      globalThis as unknown as {
        document: { documentElement: { scrollWidth: number; clientWidth: number } }
      }
    ).document.documentElement
    return { scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }
  })
}
