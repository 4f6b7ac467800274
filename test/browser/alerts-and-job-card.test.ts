/**
 * The page's trust signals in Chromium against the server and the simulator: the header
 * follows the circuit and the alert badge, and the job card of a failed, a cancelled and a
 * retry job states what happened. Screenshots go to test-artifacts/screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import { configureDistricts } from '../helpers/jobs.ts'
import {
  clickStart,
  jobCard,
  saveScreenshot,
  setDates,
  startBrowserStack,
  waitForCardStatus,
  type BrowserStack,
} from './harness.ts'

const OPEN_MS = 300
let env: BrowserStack

beforeAll(async () => {
  env = await startBrowserStack({
    env: {
      CIRCUIT_FAILURE_THRESHOLD: '2',
      CIRCUIT_OPEN_MS: String(OPEN_MS),
      CIRCUIT_MAX_OUTAGE_MS: '1500',
    },
    overrides: { retryPolicy: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 } },
  })
  await configureDistricts(env.stack, ['61'])
}, 60_000)

afterAll(async () => {
  await env?.close()
})

/** Refreshes until a run gets through (the circuit lets a probe through after OPEN_MS). */
async function refreshUntilThrough(): Promise<void> {
  const until = Date.now() + 20_000
  for (;;) {
    const r = await env.stack.api('POST', '/api/refresh?wait=true')
    if (r.status === 200) return
    if (Date.now() > until) throw new Error(`refresh kept answering ${r.status}`)
    await new Promise((resolve) => setTimeout(resolve, OPEN_MS))
  }
}

describe('header and alerts in Chromium', () => {
  it('shows the open circuit and an alert badge during an outage, and clears both after it', async () => {
    const page = await env.open()
    const health = page.getByTestId('health')
    const badge = page.getByTestId('alerts-badge')
    await page.getByText('server ok · upstream circuit closed').waitFor()
    expect(await badge.count()).toBe(0)

    env.stack.sim.addFault({ kind: 'outage', mode: 'status' })
    const failed = await env.stack.api('POST', '/api/refresh?wait=true')
    expect(failed.status).toBe(503)
    await page
      .getByTestId('health')
      .filter({ hasText: /upstream circuit (open|half-open)/ })
      .waitFor({ timeout: 15_000 })
    expect(await health.textContent()).toMatch(/^server degraded · /)
    await badge.waitFor({ timeout: 15_000 })
    expect(await badge.textContent()).toBe('1')
    await saveScreenshot(page, 'header-circuit-open')

    env.stack.sim.clearFaults()
    await refreshUntilThrough()
    await page.getByText('server ok · upstream circuit closed').waitFor({ timeout: 15_000 })
    await badge.waitFor({ state: 'detached', timeout: 15_000 })

    await page.getByRole('button', { name: /^Alerts/ }).click()
    const list = page.getByRole('region', { name: 'Alerts' })
    const opened = list.locator('li[data-kind="circuit:open"]')
    expect(await opened.textContent()).toMatch(/critical.*unreachable.*\(resolved\)/)
    expect(await list.locator('li[data-kind="circuit:closed"]').textContent()).toMatch(
      /info.*reachable again/,
    )
    expect(await opened.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    await saveScreenshot(page, 'alerts-list')
    await page.context().close()
  })
})

describe('job card states in Chromium', () => {
  it('says a job ended on an unreachable dashboard, lists its errors and finishes it later', async () => {
    const page = await env.open()
    env.stack.sim.addFault({ kind: 'outage', mode: 'reset' })
    await setDates(page, '2026-11-02', '2026-11-03')
    const { job } = await clickStart(page)
    await waitForCardStatus(page, job.backfillId, 'error', 30_000)
    const card = jobCard(page, job.backfillId)
    expect(await card.getByTestId('unreachable').textContent()).toMatch(
      /dashboard could not be reached/,
    )
    const errors = await card.getByTestId('job-errors').textContent()
    expect(errors).toMatch(/District 61.*[A-Z]+_[A-Z_]+/)
    expect(await card.textContent()).not.toMatch(/in the summary/)
    expect(await card.locator('tr[data-district="61"]').getAttribute('data-status')).not.toMatch(
      /processing|pending/,
    )
    expect(await card.getByText('Performance').count()).toBe(0)
    // The badge counts the job's error alert; it links to the job.
    await page.getByTestId('alerts-badge').waitFor({ timeout: 15_000 })
    await saveScreenshot(page, 'job-failed-unreachable')

    env.stack.sim.clearFaults()
    const [retryResponse] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/${job.backfillId}/retry`)),
      // "Retry failed cells" when every unfinished cell failed, else "Finish remaining cells".
      card.getByRole('button', { name: /^(Finish remaining|Retry failed) cells \(\d+\)$/ }).click(),
    ])
    expect(retryResponse.status()).toBe(202)
    const retry = (await retryResponse.json()) as BackfillResponse
    expect(retry.retryOf).toBe(job.backfillId)
    await waitForCardStatus(page, retry.backfillId, 'complete', 30_000)
    expect(await jobCard(page, retry.backfillId).getByTestId('retry-of').textContent()).toBe(
      `Retries the unfinished cells of ${job.backfillId}`,
    )
    await saveScreenshot(page, 'job-retry-complete')
    await page.context().close()
  }, 90_000)

  it('asks before cancelling, then shows every district’s final state and the event log', async () => {
    await configureDistricts(env.stack, ['02', '61'])
    const page = await env.open()
    env.stack.sim.addFault({ kind: 'latency', ms: 400 })
    try {
      await setDates(page, '2026-10-01', '2026-10-20')
      const { job } = await clickStart(page)
      const card = jobCard(page, job.backfillId)
      await waitForCardStatus(page, job.backfillId, 'processing')
      await card.getByRole('button', { name: 'Cancel' }).click()
      await card.getByRole('button', { name: 'Keep running' }).click()
      expect(await card.getAttribute('data-status')).toBe('processing')
      await card.getByRole('button', { name: 'Cancel' }).click()
      await card.getByRole('button', { name: 'Yes, cancel' }).click()
      await waitForCardStatus(page, job.backfillId, 'cancelled').catch(async (e: unknown) => {
        await saveScreenshot(page, 'debug-cancel')
        throw e
      })
      const rows = card.locator('tr[data-district]')
      await card.getByText(/^Districts/).click()
      for (const status of await rows.evaluateAll((trs) =>
        trs.map((tr) => tr.getAttribute('data-status')),
      ))
        expect(['completed', 'cancelled', 'failed', 'skipped']).toContain(status)
      expect(await card.textContent()).not.toMatch(/processing/)
      expect(await card.getByText('Performance').count()).toBe(0)
      expect(
        await card.getByRole('button', { name: /^Finish remaining cells \(\d+\)$/ }).count(),
      ).toBe(1)

      await card.getByText('Event log').click()
      const events = card.getByRole('list', { name: `Events of ${job.backfillId}` })
      await events.locator('li').first().waitFor()
      expect(await events.locator('li').first().getAttribute('data-type')).toBe('job:queued')
      const recorded = await env.stack.api<{ total: number }>(
        'GET',
        `/api/districts/backfill/${job.backfillId}/events?limit=1`,
      )
      expect(await card.getByRole('navigation', { name: 'Event pages' }).textContent()).toContain(
        `of ${recorded.body.total}`,
      )
      await saveScreenshot(page, 'job-cancelled')
    } finally {
      env.stack.sim.clearFaults()
    }
    await page.context().close()
  }, 90_000)
})
