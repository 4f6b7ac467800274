/**
 * Stacks started and not closed yet (test/helpers/stack.ts adds and removes them): a test file
 * that ends with one open leaks (docs/architecture.md#tests). A module of its own, importing
 * nothing, so leak-check.ts (a setup file of every node test file) does not load the server and
 * simulator into files that never start a stack.
 */
const OPEN_STACKS = new Set<{ url: string }>()

export function trackOpenStack(stack: { url: string }): void {
  OPEN_STACKS.add(stack)
}

export function untrackOpenStack(stack: { url: string }): void {
  OPEN_STACKS.delete(stack)
}

export function openStackUrls(): string[] {
  return [...OPEN_STACKS].map((s) => s.url)
}
