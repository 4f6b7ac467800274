import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import { isTerminal } from '../../shared/backfill-api.ts'
import type { CellState, JobStatus } from '../../shared/backfill-api.ts'
import { compareDistrictIds } from '../../shared/district-id.ts'
import type { CellRef } from './cell-ref.ts'
import type { JobEvent } from './job-events.ts'
import { recountDistrict } from './job-ledger.ts'
import { applyJobEvent, getCell } from './job-state.ts'
import type { JobState } from './job-state.ts'
import { toBackfillResponse } from './job-view.ts'
import { cellError, grid, makeJob } from './test-fixtures.ts'

const AT = '2026-03-09T10:00:00.000Z'

type Final = 'completed' | 'skipped' | 'unavailable' | 'failed'
interface Outcome {
  kind: Final
  retries: number
  retryable: boolean
}

const outcome = fc.record({
  kind: fc.constantFrom<Final>('completed', 'skipped', 'unavailable', 'failed'),
  retries: fc.integer({ min: 0, max: 2 }),
  retryable: fc.boolean(),
})

function cellEvents(cell: CellRef, o: Outcome): JobEvent[] {
  const base = { at: AT, ...cell }
  const events: JobEvent[] = [{ type: 'cell:started', ...base }]
  for (let a = 1; a <= o.retries; a++) {
    events.push({ type: 'cell:retrying', ...base, attempt: a, error: cellError({ attempts: a }) })
  }
  const attempts = o.retries + 1
  if (o.kind === 'completed') {
    events.push({
      type: 'cell:completed',
      ...base,
      asOf: cell.date,
      snapshotId: cell.date,
      bytes: 1,
      detail: 'summary',
    })
  } else if (o.kind === 'failed') {
    events.push({
      type: 'cell:failed',
      ...base,
      error: cellError({ retryable: o.retryable, attempts }),
    })
  } else {
    events.push({ type: `cell:${o.kind}`, ...base })
  }
  return events
}

/** Interleaves the cells' event queues in an arbitrary order, keeping each cell's own order. */
function interleave(queues: JobEvent[][], schedule: number[]): JobEvent[] {
  const live = queues.map((q) => [...q]).filter((q) => q.length > 0)
  const out: JobEvent[] = []
  let step = 0
  while (live.length > 0) {
    const i = (schedule[step++] ?? 0) % live.length
    const q = live[i] as JobEvent[]
    out.push(q.shift() as JobEvent)
    if (q.length === 0) live.splice(i, 1)
  }
  return out
}

const scenario = fc
  .record({
    districts: fc.uniqueArray(fc.constantFrom('02', '10', '61', 'F', '117', '5'), {
      minLength: 1,
      maxLength: 5,
    }),
    days: fc.integer({ min: 1, max: 4 }),
  })
  .chain(({ districts, days }) => {
    const cells = grid(days, districts)
    return fc.record({
      cells: fc.constant(cells),
      outcomes: fc.array(outcome, { minLength: cells.length, maxLength: cells.length }),
      schedule: fc.array(fc.nat(), { maxLength: 80 }),
    })
  })

test.prop([scenario], { numRuns: 200 })(
  'Feature: unified-backfill-service, Property 6: Error Resilience and Partial Success',
  ({ cells, outcomes, schedule }) => {
    const queues = cells.map((c, i) => cellEvents(c, outcomes[i] as Outcome))
    const events: JobEvent[] = [
      { type: 'job:started', at: AT },
      ...interleave(queues, schedule),
      { type: 'job:finished', at: AT },
    ]
    const job = events.reduce(applyJobEvent, makeJob(cells))
    const kinds = outcomes.map((o) => o.kind)
    const count = (k: Final) => kinds.filter((x) => x === k).length

    // Failures never stop the other cells: each one ends as its own outcome says.
    cells.forEach((c, i) => expect(getCell(job, c.date, c.districtId)?.state).toBe(kinds[i]))
    const p = job.progress
    expect([p.completed, p.skipped, p.unavailable, p.failed]).toEqual(
      (['completed', 'skipped', 'unavailable', 'failed'] as const).map(count),
    )
    expect(p.completed + p.skipped + p.unavailable + p.failed).toBe(p.total)
    expect(p.total).toBe(cells.length)

    const failed = count('failed')
    const expected: JobStatus =
      failed === 0 ? 'complete' : failed < cells.length ? 'partial_success' : 'error'
    expect(job.status).toBe(expected)

    const failedIdx = outcomes.flatMap((o, i) => (o.kind === 'failed' ? [i] : []))
    const view = toBackfillResponse(job, { nowMs: Date.parse(AT) })
    expect(view.errorSummary).toEqual({
      totalErrors: failed,
      retryableErrors: failedIdx.filter((i) => outcomes[i]?.retryable).length,
      permanentErrors: failedIdx.filter((i) => !outcomes[i]?.retryable).length,
      affectedDistricts: [...new Set(failedIdx.map((i) => cells[i]?.districtId as string))].sort(
        compareDistrictIds,
      ),
      partialSnapshots: view.partialSnapshots?.length,
    })
    // A partial snapshot is a date with both written and failed districts.
    const partialDates = [...new Set(cells.map((c) => c.date))].filter((d) => {
      const ks = cells.flatMap((c, i) => (c.date === d ? [kinds[i]] : []))
      return ks.includes('completed') && ks.includes('failed')
    })
    expect(view.partialSnapshots?.map((s) => s.snapshotId)).toEqual(partialDates)
    for (const [id, dp] of Object.entries(p.districtProgress)) {
      const mine = cells.flatMap((c, i) =>
        c.districtId === id ? [{ c, o: outcomes[i] as Outcome }] : [],
      )
      expect(dp.failedDates).toEqual(mine.filter((x) => x.o.kind === 'failed').map((x) => x.c.date))
      expect(dp.retryCount).toBe(mine.reduce((n, x) => n + x.o.retries, 0))
      expect(dp.datesProcessed).toBe(dp.datesTotal)
      // The tallies kept event by event match a recount of the whole ledger.
      expect(dp).toEqual(recountDistrict(job.ledger, id, dp))
    }
  },
)

// --- Model-based test of the lifecycle --------------------------------------------------

interface Model {
  status: JobStatus
  cells: CellState[]
}
interface Real {
  state: JobState
  cells: CellRef[]
}

function step(m: Model, r: Real, event: JobEvent, next: (m: Model) => void): void {
  const before = r.state
  const wasTerminal = isTerminal(m.status)
  r.state = applyJobEvent(before, event)
  if (wasTerminal) {
    // A terminal job absorbs every event: the very same object comes back.
    expect(r.state).toBe(before)
  } else {
    next(m)
  }
  expect(r.state.status).toBe(m.status)
  r.cells.forEach((c, i) => expect(getCell(r.state, c.date, c.districtId)?.state).toBe(m.cells[i]))
  const p = r.state.progress
  const settled = m.cells.filter((s) => s !== 'pending' && s !== 'cancelled').length
  expect(p.completed + p.skipped + p.unavailable + p.failed).toBe(settled)
  for (const [id, dp] of Object.entries(p.districtProgress)) {
    expect(dp).toEqual(recountDistrict(r.state.ledger, id, dp))
  }
}

class EventCommand implements fc.Command<Model, Real> {
  constructor(
    readonly label: string,
    readonly event: (r: Real) => JobEvent,
    readonly next: (m: Model) => void,
  ) {}
  check = () => true
  run(m: Model, r: Real): void {
    step(m, r, this.event(r), this.next)
  }
  toString = () => this.label
}

const start = fc.constant(
  new EventCommand(
    'start',
    () => ({ type: 'job:started', at: AT }),
    (m) => {
      if (m.status === 'queued') m.status = 'processing'
    },
  ),
)
const cancel = fc.constant(
  new EventCommand(
    'cancel',
    () => ({ type: 'job:cancelled', at: AT }),
    (m) => {
      m.status = 'cancelled'
      m.cells = m.cells.map((s) => (s === 'pending' ? 'cancelled' : s))
    },
  ),
)
const fail = fc.constant(
  new EventCommand(
    'fail',
    () => ({ type: 'job:failed', at: AT, message: 'fatal' }),
    (m) => {
      m.status = 'error'
      m.cells = m.cells.map((s) => (s === 'pending' ? 'cancelled' : s))
    },
  ),
)
const finish = fc.constant(
  new EventCommand(
    'finish',
    () => ({ type: 'job:finished', at: AT }),
    (m) => {
      if (m.status !== 'processing') return
      m.cells = m.cells.map((s) => (s === 'pending' ? 'failed' : s))
      const failed = m.cells.filter((s) => s === 'failed').length
      m.status = failed === 0 ? 'complete' : failed < m.cells.length ? 'partial_success' : 'error'
    },
  ),
)
const settleCell = fc
  .tuple(fc.nat(), fc.constantFrom<Final>('completed', 'skipped', 'unavailable', 'failed'))
  .map(
    ([n, kind]) =>
      new EventCommand(
        `${kind}(${n})`,
        (r) => {
          const cell = r.cells[n % r.cells.length] as CellRef
          return cellEvents(cell, { kind, retries: 0, retryable: true }).at(-1) as JobEvent
        },
        (m) => {
          const i = n % m.cells.length
          if (m.status === 'processing' && m.cells[i] === 'pending') m.cells[i] = kind
        },
      ),
  )

test.prop(
  [
    fc.commands([start, cancel, fail, finish, settleCell, settleCell, settleCell], {
      maxCommands: 30,
    }),
  ],
  { numRuns: 200 },
)('job lifecycle: cancel is final and terminal states absorb every event', (commands) => {
  const cells = grid(2, ['02', '61', 'F'])
  const setup = () => ({
    model: { status: 'queued' as JobStatus, cells: cells.map((): CellState => 'pending') },
    real: { state: makeJob(cells), cells },
  })
  fc.modelRun(setup, commands)
})
