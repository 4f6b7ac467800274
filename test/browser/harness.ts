/**
 * Real-browser harness: the full stack (simulator + server serving dist/web) and Debian's
 * Chromium driven by playwright-core. Missing Chromium is a failure, never a skip.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Locator, type Page, type Response } from 'playwright-core'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import { startStack, type Stack } from '../helpers/stack.ts'

export const CHROMIUM_PATH = '/usr/bin/chromium'

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
]

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM_PATH}, which is missing. ` +
        'Install it with: apt-get update && apt-get install -y chromium',
    )
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
}

export interface BrowserStack {
  stack: Stack
  browser: Browser
  /** A fresh browser context (own sessionStorage) on the page at `path`. */
  open(path?: string): Promise<Page>
  close(): Promise<void>
}

export async function startBrowserStack(): Promise<BrowserStack> {
  const stack = await startStack()
  let browser: Browser
  try {
    browser = await launchChromium()
  } catch (error) {
    await stack.close()
    throw error
  }
  return {
    stack,
    browser,
    async open(path = '/') {
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 } })
      const page = await context.newPage()
      await page.goto(`${stack.url}${path}`)
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
