/**
 * Registered for every node test file (vitest `setupFiles`): after a file's own hooks ran, no
 * simulator + server stack that the file started through test/helpers/stack.ts may still be
 * open. Files share one worker's modules (no per-file isolation, docs/performance.md#test-suite),
 * so the registry outlives a file: a stack a file leaked is reported by that file, not again by
 * the ones after it.
 */
import { afterAll, beforeAll, expect } from 'vitest'
import { openStackUrls } from './open-stacks.ts'

let before = new Set<string>()
beforeAll(() => {
  before = new Set(openStackUrls())
})
afterAll(() => {
  const leaked = openStackUrls().filter((url) => !before.has(url))
  expect(leaked, 'stacks left open by this test file').toEqual([])
})
