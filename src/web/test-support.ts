/** Builders for web tests: a plausible job view and an in-memory Storage. */
import type { BackfillProgress, BackfillResponse } from '../shared/backfill-api.ts'

export function makeProgress(overrides: Partial<BackfillProgress> = {}): BackfillProgress {
  return {
    total: 10,
    completed: 0,
    skipped: 0,
    unavailable: 0,
    notADistrict: 0,
    failed: 0,
    current: '',
    districtProgress: {},
    partialSnapshots: 0,
    totalErrors: 0,
    retryableErrors: 0,
    permanentErrors: 0,
    etaSeconds: null,
    cellsPerMinute: null,
    ...overrides,
  }
}

export function makeJob(
  overrides: Partial<Omit<BackfillResponse, 'progress'>> & {
    progress?: Partial<BackfillProgress>
  } = {},
): BackfillResponse {
  const { progress, ...rest } = overrides
  return {
    backfillId: 'bf_test_1',
    status: 'processing',
    type: 'global',
    request: {
      targetDistricts: null,
      startDate: '2026-11-20',
      endDate: '2026-11-22',
      cadence: 'daily',
      dates: null,
      collectionType: 'auto',
      concurrency: 3,
      retryFailures: true,
      skipExisting: true,
      reprocess: 'missing-and-failed',
      rateLimitDelayMs: 0,
      enableCaching: true,
      dryRun: false,
    },
    scope: {
      targetDistricts: ['02', '61'],
      configuredDistricts: ['02', '61'],
      scopeType: 'system-wide',
      validationPassed: true,
      excluded: [],
    },
    progress: makeProgress(progress),
    collectionStrategy: {
      type: 'per-district',
      detail: 'full',
      refreshMethod: { name: 'getMultipleDistricts' },
      rationale: 'two districts',
      estimatedEfficiency: 3.5,
    },
    snapshotIds: [],
    createdAt: '2026-11-29T10:00:00.000Z',
    startedAt: '2026-11-29T10:00:00.100Z',
    completedAt: null,
    pausedReason: null,
    pausedUntil: null,
    ...rest,
  }
}

export function memoryStorage(): Storage {
  const map = new Map<string, string>()
  return {
    get length() {
      return map.size
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  }
}
