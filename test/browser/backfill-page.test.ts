import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import { waitFor } from '../helpers/jobs.ts'
import {
  clickStart,
  jobCard,
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

const jobTotal = async () =>
  (await env.stack.api<{ total: number }>('GET', '/api/districts/backfill')).body.total

/** What the advanced-options test types into the form, as a request body. */
const FORM_BODY = {
  targetDistricts: ['61', '02'],
  startDate: '2026-11-18',
  endDate: '2026-11-18',
  cadence: 'daily',
  collectionType: 'per-district',
  concurrency: 2,
  retryFailures: false,
  // The radio "Everything again"; the resolved request spells it both ways.
  skipExisting: false,
  reprocess: 'all',
  rateLimitDelayMs: 5,
  enableCaching: false,
}

const getJob = async (id: string) =>
  (await env.stack.api<BackfillResponse>('GET', `/api/districts/backfill/${id}`)).body

describe('backfill page in Chromium', () => {
  it('starts a quick backfill from the form and follows it to 100% and complete', async () => {
    const page = await env.open()
    const coverageRange = page.getByRole('form', { name: 'Coverage range' })
    const shownRange = async () => [
      await coverageRange.getByLabel('From').inputValue(),
      await coverageRange.getByLabel('To').inputValue(),
    ]
    await coverageRange.waitFor()
    const opening = await shownRange()
    await setDates(page, '2026-11-20', '2026-11-21')
    const { job } = await clickStart(page)
    expect(job.request).toMatchObject({ startDate: '2026-11-20', endDate: '2026-11-21' })

    await waitForCardStatus(page, job.backfillId, 'complete')
    // The coverage view moved from where it opened to the range of the job just run.
    expect(opening).not.toEqual(['2026-11-20', '2026-11-21'])
    await waitFor(
      'the coverage view on the job range',
      async () => (await shownRange()).join('..') === '2026-11-20..2026-11-21',
      30_000,
    )
    expect(await shownRange()).toEqual(['2026-11-20', '2026-11-21'])
    const card = jobCard(page, job.backfillId)
    const bar = card.getByRole('progressbar')
    expect(await bar.getAttribute('aria-valuenow')).toBe('100')
    const final = await getJob(job.backfillId)
    expect(final.status).toBe('complete')
    const p = final.progress
    expect(await card.getByTestId('job-counts').textContent()).toBe(
      `completed ${p.completed} · skipped ${p.skipped} · unavailable ${p.unavailable} · failed ${p.failed} of ${p.total} cells`,
    )
    expect(p.total).toBeGreaterThan(0)
    expect(await card.getByRole('button', { name: 'Cancel' }).count()).toBe(0)
    await page.screenshot({ path: '/tmp/web-main.png', fullPage: true })
    await page.context().close()
  })

  it('sends every advanced option, as the job view request shows', async () => {
    const page = await env.open()
    await setDates(page, '2026-11-18', '2026-11-18')
    await page.getByRole('button', { name: /Advanced options/ }).click()
    await page.getByLabel('Districts', { exact: true }).fill('61, 02')
    await page.getByLabel(/^Per district/).check()
    await page.getByLabel('Concurrency').fill('2')
    await page.getByLabel('Request delay (ms)').fill('5')
    await page.getByLabel('Retry failures').uncheck()
    await page.getByLabel(/^Everything again/).check()
    await page.getByLabel('Use raw CSV cache').uncheck()

    // The preview shows the server's plan for exactly these options and starts nothing.
    const plan = (
      await env.stack.api<{ counts: { fetch: number }; requests: { total: number } }>(
        'POST',
        '/api/districts/backfill',
        { ...FORM_BODY, dryRun: true },
      )
    ).body
    const before = await jobTotal()
    await page.getByRole('button', { name: /Preview/ }).click()
    const preview = page.getByTestId('plan-preview')
    await preview.waitFor()
    expect(await preview.locator('[data-count="fetch"]').textContent()).toBe(
      String(plan.counts.fetch),
    )
    expect(await preview.locator('[data-count="requests"]').textContent()).toMatch(
      new RegExp(`^${plan.requests.total} `),
    )
    expect(await preview.textContent()).toMatch(/Strategy: per-district/)
    expect(await jobTotal()).toBe(before)

    const { job } = await clickStart(page)
    const viewed = await getJob(job.backfillId)
    expect(viewed.request).toEqual({ ...FORM_BODY, dates: null, dryRun: false })
    expect(viewed.collectionStrategy.type).toBe('per-district')
    await waitForCardStatus(page, job.backfillId, 'complete')
    await page.context().close()
  })

  it('previews a month-end cadence: the dates chosen and their request count', async () => {
    const page = await env.open()
    await setDates(page, '2026-08-01', '2026-11-20')
    await page.getByRole('button', { name: /Advanced options/ }).click()
    await page.getByLabel('Districts', { exact: true }).fill('61')
    await page.getByLabel('Cadence').selectOption('month-end')
    const plan = (
      await env.stack.api<{ chosenDates: string[]; requests: { total: number } }>(
        'POST',
        '/api/districts/backfill',
        {
          startDate: '2026-08-01',
          endDate: '2026-11-20',
          cadence: 'month-end',
          targetDistricts: ['61'],
          dryRun: true,
        },
      )
    ).body
    expect(plan.chosenDates.length).toBeGreaterThanOrEqual(3)
    const before = await jobTotal()
    await page.getByRole('button', { name: /Preview/ }).click()
    const preview = page.getByTestId('plan-preview')
    await preview.waitFor()
    expect(await preview.getByTestId('chosen-dates').textContent()).toBe(
      `Dates (month-end): ${plan.chosenDates.join(', ')}`,
    )
    expect(await preview.locator('[data-count="requests"]').textContent()).toMatch(
      new RegExp(`^${plan.requests.total} `),
    )
    expect(await jobTotal()).toBe(before)
    await page.context().close()
  })

  it('shows two jobs at once, each with its own progress, both running', async () => {
    env.stack.sim.addFault({ id: 'slow-two', kind: 'latency', ms: 250 })
    const page = await env.open()
    let ids: string[]
    try {
      await setDates(page, '2026-11-01', '2026-11-03')
      const first = await clickStart(page)
      await setDates(page, '2026-11-04', '2026-11-06')
      const second = await clickStart(page)
      ids = [first.job.backfillId, second.job.backfillId]
      for (const id of ids) {
        await jobCard(page, id).waitFor()
        expect(await jobCard(page, id).getByRole('progressbar').count()).toBe(1)
      }
      expect(await page.locator('article[data-job-id]').count()).toBe(2)
      // Both cards show a running job, and the server agrees that both run at once.
      await Promise.all(ids.map((id) => waitForCardStatus(page, id, 'processing', 5_000)))
      const statuses = await Promise.all(ids.map(async (id) => (await getJob(id)).status))
      expect(statuses).toEqual(['processing', 'processing'])
    } finally {
      env.stack.sim.clearFaults()
    }
    for (const id of ids) {
      await waitForCardStatus(page, id, 'complete')
    }
    await page.context().close()
  })

  it('cancels a running job from its card', async () => {
    env.stack.sim.addFault({ id: 'slow-cancel', kind: 'latency', ms: 300 })
    const page = await env.open()
    try {
      await setDates(page, '2026-10-01', '2026-10-20')
      const { job } = await clickStart(page)
      await waitForCardStatus(page, job.backfillId, 'processing')
      await jobCard(page, job.backfillId).getByRole('button', { name: 'Cancel' }).click()
      await jobCard(page, job.backfillId).getByRole('button', { name: 'Yes, cancel' }).click()
      await waitForCardStatus(page, job.backfillId, 'cancelled')
    } finally {
      env.stack.sim.clearFaults()
    }
    const jobs = (
      await env.stack.api<{ jobs: BackfillResponse[] }>(
        'GET',
        '/api/districts/backfill?status=cancelled',
      )
    ).body.jobs
    expect(jobs).toHaveLength(1)
    const p = jobs[0]!.progress
    expect(p.completed + p.skipped + p.unavailable + p.failed).toBeLessThan(p.total)
    await page.context().close()
  })

  it('shows validation errors at the field: end before start, and the server’s own', async () => {
    const page = await env.open()
    const posts: string[] = []
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url())
    })
    await setDates(page, '2026-11-05', '2026-11-01')
    await page.getByRole('button', { name: 'Start backfill' }).click()
    await page.locator('#endDate-error').waitFor()
    expect(await page.locator('#endDate-error').textContent()).toMatch(
      /endDate must not be before startDate/,
    )
    expect(await page.getByLabel('End date').getAttribute('aria-invalid')).toBe('true')
    expect(posts).toEqual([])

    await setDates(page, '2001-01-01', '2001-01-02')
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Start backfill' }).click(),
    ])
    expect(res.status()).toBe(400)
    await page.locator('#startDate-error').waitFor()
    expect(await page.locator('#startDate-error').textContent()).toMatch(
      /startDate must not be before 2008-07-01/,
    )
    expect(await page.getByRole('alert').first().textContent()).toMatch(/startDate/)
    await page.context().close()
  })
})
