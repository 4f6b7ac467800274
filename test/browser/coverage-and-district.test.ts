import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackfillResponse } from '../../src/shared/backfill-api.ts'
import {
  backgroundColor,
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
    const cell = (date: string, id: string) =>
      page.locator(`button[data-date="${date}"][data-district="${id}"]`)
    await cell('2026-11-13', '61').waitFor()

    const expected: [string, string, string][] = [
      ['2026-11-10', '61', 'full'],
      ['2026-11-10', '02', 'full'],
      ['2026-11-11', '61', 'summary'],
      ['2026-11-12', '61', 'failed'],
      ['2026-11-12', '02', 'full'],
      ['2026-11-13', '61', 'missing'],
    ]
    for (const [date, id, kind] of expected) {
      expect(await cell(date, id).getAttribute('class'), `${id} on ${date}`).toContain(
        `cov--${kind}`,
      )
    }
    const colors = await Promise.all(
      ['2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13'].map((d) =>
        backgroundColor(cell(d, '61')),
      ),
    )
    expect(new Set(colors).size).toBe(4)
    expect(await page.getByRole('list', { name: 'Legend' }).textContent()).toMatch(
      /Full detail.*Summary only.*Failed.*Nothing stored/,
    )

    await cell('2026-11-10', '61').click()
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

    await cell('2026-11-12', '61').click()
    // Playwright's text assertion waits for the snapshot query to answer.
    await inspector.locator('.banner', { hasText: /UPSTREAM_HTTP/ }).waitFor({ timeout: 10_000 })
    expect(await inspector.locator('.banner').textContent()).toMatch(
      /^Collection failed: UPSTREAM_HTTP/,
    )
    await page.context().close()
  })

  it('shows a district absent from the stored summary as "not a district on that date"', async () => {
    // 2026-11-10's summary is stored by the test above; 13 was retired in the 2026 realignment.
    const page = await env.open('/?district=13')
    await page.locator('input[name="coverage-from"]').fill('2026-11-09')
    await page.locator('input[name="coverage-to"]').fill('2026-11-10')
    await page.getByRole('button', { name: 'Show' }).click()
    const gone = page.locator('button[data-date="2026-11-10"][data-district="13"]')
    await page
      .locator('button[data-date="2026-11-10"][data-district="13"].cov--not-a-district')
      .waitFor()
    expect(await gone.getAttribute('aria-label')).toBe(
      'District 13 on 2026-11-10: not a district on that date',
    )
    // No summary stored for 2026-11-09: nothing to tell, so "nothing stored".
    const unknown = page.locator('button[data-date="2026-11-09"][data-district="13"]')
    expect(await unknown.getAttribute('class')).toContain('cov--missing')
    expect(await backgroundColor(gone)).not.toBe(await backgroundColor(unknown))
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
    const stored = page.locator('button[data-date="2026-11-15"][data-district="91"]')
    await page.locator('button[data-date="2026-11-15"][data-district="91"].cov--full').waitFor()
    expect(await stored.getAttribute('data-kind')).toBe('full')
    expect(await page.locator('button[data-district]:not([data-district="91"])').count()).toBe(0)
    await page.context().close()
  })
})
