/**
 * Registered for every node test file (vitest `setupFiles`): after a file's own hooks ran, no
 * simulator + server stack started through test/helpers/stack.ts may still be open.
 */
import { afterAll, expect } from 'vitest'
import { openStackUrls } from './open-stacks.ts'

afterAll(() => {
  expect(openStackUrls(), 'stacks left open by this test file').toEqual([])
})
