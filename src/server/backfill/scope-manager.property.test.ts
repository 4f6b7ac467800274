import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import { DISTRICT_ID_RE, normalizeDistrictId } from '../../shared/district-id.ts'
import { safeParseBackfillRequest } from './resolve-request.ts'
import { resolveScope } from './scope-manager.ts'

const districtId = fc.oneof(
  fc.integer({ min: 1, max: 130 }).map((n) => String(n).padStart(2, '0')),
  fc.constantFrom('F', 'U', 'f'),
)
const malformed = fc.oneof(
  fc.constantFrom('', 'D-61', '12345', '6 1', '..', '61/'),
  fc.string().filter((s) => normalizeDistrictId(s) === null),
)
const target = fc.oneof({ weight: 4, arbitrary: districtId }, { weight: 1, arbitrary: malformed })

test.prop(
  [
    fc.array(target, { minLength: 1, maxLength: 12 }),
    fc.uniqueArray(districtId, { maxLength: 10 }),
  ],
  { numRuns: 200 },
)(
  'Feature: unified-backfill-service, Property 2: Targeting Scope Validation',
  (targets, configured) => {
    const parsed = safeParseBackfillRequest(
      { startDate: '2026-03-01', targetDistricts: targets },
      { today: '2026-03-09' },
    )
    const malformedAt = targets.flatMap((t, i) => (normalizeDistrictId(t) === null ? [i] : []))
    if (malformedAt.length > 0) {
      // Malformed ids never reach processing: each is an issue naming its index.
      expect(parsed.ok).toBe(false)
      const fields = parsed.ok ? [] : parsed.issues.map((i) => i.field)
      expect(fields).toEqual(malformedAt.map((i) => `targetDistricts[${i}]`))
      return
    }
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
    const result = resolveScope({
      request: parsed.value,
      configuredDistricts: configured,
      kind: 'global',
    })
    const configuredIds = configured.map((c) => normalizeDistrictId(c))
    const wanted = [...new Set(targets.map((t) => normalizeDistrictId(t) as string))]
    const allowed = wanted.filter((id) => configured.length === 0 || configuredIds.includes(id))
    const { scope } = result
    // Every target is accounted for exactly once: kept, or excluded with its reason.
    expect([...scope.targetDistricts, ...scope.excluded.map((e) => e.districtId)].sort()).toEqual(
      [...wanted].sort(),
    )
    expect([...scope.targetDistricts].sort()).toEqual([...allowed].sort())
    for (const id of scope.targetDistricts) {
      expect(id).toMatch(DISTRICT_ID_RE)
      if (configured.length > 0) expect(configuredIds).toContain(id)
    }
    for (const e of scope.excluded) expect(e.reason).toBe('not-configured')
    expect(result.ok).toBe(allowed.length > 0)
    expect(scope.validationPassed).toBe(result.ok)
  },
)
