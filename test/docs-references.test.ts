/**
 * References from the code to the design documents must resolve inside the repository: every
 * `docs/<file>.md#anchor` names a heading of that file, every "Property N" one of
 * docs/properties.md, and nothing points at documents a clone does not contain.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '..')
const SCANNED_DIRS = ['src', 'test', 'bench']
const SKIPPED_DIRS = new Set(['node_modules', 'fixtures', 'dist'])
const SCANNED_EXT = /\.(ts|tsx|js|md)$/
const ROOT_FILES = ['README.md', 'oxlint.config.mjs', 'vitest.config.ts', 'vite.config.web.ts']
/** This file: its samples are broken on purpose. */
const SELF = 'test/docs-references.test.ts'

/** Section marks of documents outside the repository ("SPEC", "STYLE", "reference" + U+00A7). */
const OUTSIDE_REFERENCE = new RegExp('\\b(SPEC|STYLE|reference)\\s*\\u00a7', 'i')
/** A bare section mark with a number, unless it is an RFC's. */
const BARE_SECTION = new RegExp('(?<!RFC \\d+ )\\u00a7\\s*\\d')
/** `docs/x.md`, `docs/x.md#anchor`, or a bare `#anchor` that continues the last docs/ file named. */
const DOC_TOKEN = /docs\/([\w-]+\.md)(?:#([\w-]+))?|(?<![\w/.#&])#([a-z][a-z0-9-]*)\b/g
const PROPERTY = /\bProperty (\d+)\b/g
const COMMENT_LINE = /^\s*(\*|\/\/|\/\*)/

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return SKIPPED_DIRS.has(name) ? [] : walk(full)
    return SCANNED_EXT.test(name) ? [full] : []
  })
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-')
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>()
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const m = fenced ? null : /^#{1,6}\s+(.+)$/.exec(line)
    if (m?.[1]) anchors.add(slugOf(m[1]))
  }
  return anchors
}

function loadDocs(): Map<string, Set<string>> {
  const dir = path.join(ROOT, 'docs')
  return new Map(
    readdirSync(dir)
      .filter((n) => n.endsWith('.md'))
      .map((n) => [n, anchorsOf(readFileSync(path.join(dir, n), 'utf8'))]),
  )
}

/** Every broken reference in one file's text, as `file:line: problem`. */
export function findBrokenReferences(
  file: string,
  text: string,
  docs: Map<string, Set<string>>,
): string[] {
  const problems: string[] = []
  const properties = docs.get('properties.md') ?? new Set<string>()
  let currentDoc: string | null = null
  text.split('\n').forEach((line, i) => {
    const where = `${file}:${i + 1}`
    if (OUTSIDE_REFERENCE.test(line) || BARE_SECTION.test(line))
      problems.push(`${where}: points at a document outside the repository: ${line.trim()}`)
    if (!COMMENT_LINE.test(line) && !/docs\//.test(line)) currentDoc = null
    for (const m of line.matchAll(DOC_TOKEN)) {
      const [, doc, anchor, bare] = m
      if (doc !== undefined) {
        currentDoc = doc
        if (!docs.has(doc)) problems.push(`${where}: docs/${doc} does not exist`)
        else if (anchor !== undefined && !docs.get(doc)?.has(anchor))
          problems.push(`${where}: docs/${doc} has no heading #${anchor}`)
      } else if (bare !== undefined && currentDoc !== null && docs.has(currentDoc)) {
        if (!docs.get(currentDoc)?.has(bare))
          problems.push(`${where}: docs/${currentDoc} has no heading #${bare}`)
      }
    }
    for (const m of line.matchAll(PROPERTY)) {
      if (!properties.has(`property-${m[1]}`))
        problems.push(`${where}: docs/properties.md has no Property ${m[1]}`)
    }
  })
  return problems
}

describe('references to the design documents', () => {
  const docs = loadDocs()

  it('all resolve inside the repository', () => {
    const files = [
      ...SCANNED_DIRS.flatMap((d) => walk(path.join(ROOT, d))),
      ...ROOT_FILES.map((f) => path.join(ROOT, f)),
      ...[...docs.keys()].map((f) => path.join(ROOT, 'docs', f)),
    ].filter((f) => path.relative(ROOT, f) !== SELF)
    const problems = files.flatMap((f) =>
      findBrokenReferences(path.relative(ROOT, f), readFileSync(f, 'utf8'), docs),
    )
    expect(problems).toEqual([])
  })

  it('reports each kind of broken reference', () => {
    const sample = [
      '/** As docs/architecture.md#no-such-section says. */',
      '/** Wired as docs/nowhere.md explains. */',
      '// Checked in SPEC \u00a75 and reference \u00a73.3.',
      '/** The upstream (docs/upstream.md: #export-tokens, #missing-anchor). */',
      '/** Property 12 of docs/properties.md. */',
      '/** Fine: docs/architecture.md#layers, Property 11, RFC 9110 \u00a710.2.3. */',
    ].join('\n')
    expect(findBrokenReferences('sample.ts', sample, docs)).toEqual([
      'sample.ts:1: docs/architecture.md has no heading #no-such-section',
      'sample.ts:2: docs/nowhere.md does not exist',
      `sample.ts:3: points at a document outside the repository: ${sample.split('\n')[2]?.trim()}`,
      'sample.ts:4: docs/upstream.md has no heading #missing-anchor',
      'sample.ts:5: docs/properties.md has no Property 12',
    ])
  })
})
