import { describe, expect, it } from 'vitest'
import { exportPath, get, parseCsvBody, parseFooter, startTestSimulator } from './test-support.ts'

const CLUB = 'clubperformance'

describe('export routing on the root path', () => {
  it('serves the current snapshot for empty slots, whatever ASOF and PY say', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23' })
    const current = await get(sim, exportPath(CLUB, '21~~~2026-2027'))
    expect(current.status).toBe(200)
    expect(current.headers.get('content-type')).toBe('application/octet-stream')
    expect(parseCsvBody(current.body).footer).toBe('Month of Sep, As of 09/22/2026')
    expect(current.body).toBe(sim.truth.renderReport(CLUB, '21', '2026-09-22'))
    const wrongTokens = await get(sim, exportPath(CLUB, '21~~9/1/2026~2019-2020'))
    expect(wrongTokens.body).toBe(current.body)
  })

  it('serves a published as-of of the live year and ignores the month-end value', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23' })
    const a = await get(sim, exportPath(CLUB, '21~9/30/2026~9/3/2026~2026-2027'))
    const b = await get(sim, exportPath(CLUB, '21~8/31/2026~9/3/2026~2026-2027'))
    expect(parseFooter(parseCsvBody(a.body).footer)?.asOf).toBe('2026-09-03')
    expect(a.body).toBe(b.body)
    expect(parseCsvBody(a.body).rows.length).toBeGreaterThan(0)
  })

  it('answers a closing-period as-of with the previous month', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23' })
    // July 2026 closed on 08-10 (docs/upstream.md#month-end-closing-periods).
    const closing = await get(sim, exportPath(CLUB, '21~7/31/2026~8/5/2026~2026-2027'))
    expect(parseCsvBody(closing.body).footer).toBe('Month of Jul, As of 08/05/2026')
    const after = await get(sim, exportPath(CLUB, '21~8/31/2026~8/11/2026~2026-2027'))
    expect(parseCsvBody(after.body).footer).toBe('Month of Aug, As of 08/11/2026')
  })

  it('answers an unpublished as-of with header and echoing footer only', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23' })
    const future = await get(sim, exportPath(CLUB, '21~9/30/2026~9/25/2026~2026-2027'))
    expect(future.status).toBe(200)
    const parsed = parseCsvBody(future.body)
    expect(parsed.rows).toHaveLength(0)
    expect(parsed.footer).toBe('Month of Sep, As of 09/25/2026')
    expect(future.body.split('\r\n')).toHaveLength(3)
    const archived = await get(sim, exportPath(CLUB, '21~3/31/2026~4/3/2026~2025-2026'))
    expect(parseCsvBody(archived.body).rows).toHaveLength(0)
  })

  it('accepts zero-padded dates and a URL-encoded token', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23' })
    const plain = await get(sim, exportPath(CLUB, '21~9/30/2026~9/3/2026~2026-2027'))
    const encoded = await get(
      sim,
      '/export.aspx?type=CSV&report=clubperformance%7E21%7E09%2F30%2F2026%7E09%2F03%2F2026%7E2026-2027',
    )
    expect(encoded.body).toBe(plain.body)
  })

  it('returns zero rows for the new year during the July dark window', async () => {
    const sim = await startTestSimulator({ today: '2026-07-10' })
    const current = await get(sim, exportPath(CLUB, '21~~~2026-2027'))
    expect(parseCsvBody(current.body).footer).toBe('Month of Jun, As of 07/09/2026')
    expect(parseCsvBody(current.body).rows.length).toBeGreaterThan(0)
    const dark = await get(sim, exportPath(CLUB, '21~7/31/2026~7/5/2026~2026-2027'))
    expect(dark.status).toBe(200)
    expect(parseCsvBody(dark.body).rows).toHaveLength(0)
    expect(parseCsvBody(dark.body).footer).toBe('Month of Jul, As of 07/05/2026')
  })

  it('flips to the new year on its first live day', async () => {
    const sim = await startTestSimulator({ today: '2026-07-28' })
    const current = await get(sim, exportPath('districtsummary', '~~2026-2027'))
    expect(parseCsvBody(current.body).footer).toBe('Month of Jul, As of 07/27/2026')
    expect(sim.truth.liveProgramYear()).toBe('2026-2027')
  })
})

describe('export routing on archive paths', () => {
  it('serves the exact (month, as-of) snapshot', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23' })
    const r = await get(
      sim,
      exportPath('districtperformance', '61~3/31/2026~4/3/2026~2025-2026', '2025-2026'),
    )
    expect(parseCsvBody(r.body).footer).toBe('Month of Mar, As of 04/03/2026')
    expect(r.body).toBe(
      sim.truth.renderReport('districtperformance', '61', '2026-04-03', '2026-03'),
    )
  })

  it('answers a (month, as-of) pair that was never published with an echoing empty body', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23' })
    // 04-03 still belonged to March, so April has no such as-of.
    const r = await get(sim, exportPath(CLUB, '61~4/30/2026~4/3/2026~2025-2026', '2025-2026'))
    const parsed = parseCsvBody(r.body)
    expect(parsed.rows).toHaveLength(0)
    expect(parsed.footer).toBe('Month of Apr, As of 04/03/2026')
  })

  it('serves the June close stamped with today for empty slots', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23' })
    const r = await get(sim, exportPath(CLUB, '61~~~2024-2025', '2024-2025'))
    expect(parseCsvBody(r.body).footer).toBe('Month of Jun, As of 09/23/2026')
    const close = sim.truth.closingDate('2025-06')
    const finalBody = sim.truth.renderReport(CLUB, '61', close, '2025-06') ?? ''
    const withoutFooter = (body: string): string => body.split('\r\n').slice(0, -2).join('\r\n')
    expect(withoutFooter(r.body)).toBe(withoutFooter(finalBody))
    expect(parseCsvBody(r.body).rows.length).toBeGreaterThan(0)
  })

  it('keeps June close as-ofs in the archive while July starts on the root', async () => {
    const sim = await startTestSimulator({ today: '2026-07-28' })
    const june = await get(sim, exportPath(CLUB, '61~6/30/2026~7/27/2026~2025-2026', '2025-2026'))
    expect(parseCsvBody(june.body).footer).toBe('Month of Jun, As of 07/27/2026')
    expect(parseCsvBody(june.body).rows.length).toBeGreaterThan(0)
  })

  it('answers the live year path with the URL Rewrite 500 by default', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23' })
    const r = await get(sim, exportPath(CLUB, '61~~~2026-2027', '2026-2027'))
    expect(r.status).toBe(500)
    expect(r.body).toBe('URL Rewrite Module Error.')
  })

  it('can redirect the live year path to the error page instead', async () => {
    const sim = await startTestSimulator({ today: '2026-09-23', liveArchivePathBehaviour: '302' })
    const r = await get(sim, exportPath(CLUB, '61~~~2026-2027', '2026-2027'))
    expect(r.status).toBe(302)
    expect(r.headers.get('location')).toBe('/error.aspx?aspxerrorpath=/2026-2027/export.aspx')
  })

  it('redirects unknown or unpublished years to the error page, which answers 200 HTML', async () => {
    const sim = await startTestSimulator({ today: '2026-07-10' })
    for (const py of ['2019-2020', '2026-2027']) {
      const r = await get(sim, exportPath(CLUB, `61~~~${py}`, py))
      expect(r.status).toBe(302)
      expect(r.body).toContain('<title>Object moved</title>')
      expect(r.headers.get('location')).toBe(`/error.aspx?aspxerrorpath=/${py}/export.aspx`)
    }
    const followed = await fetch(`${sim.url}${exportPath(CLUB, '61~~~2019-2020', '2019-2020')}`)
    const html = await followed.text()
    expect(followed.status).toBe(200)
    expect(html).toContain('<title>\r\n\tToastmasters International\r\n</title>')
    expect(html).toContain('An error has occured please report this')
    expect(html.length).toBeGreaterThan(7000)
  })
})
