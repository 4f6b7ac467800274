import type { RowBase } from '../upstream/index.ts'

/**
 * Columns a typed record cannot hold: unknown columns (`extra`) plus known columns whose cell
 * was not of the expected type (the typed field is null, so the text is kept here).
 */
export function untypedCells(header: readonly string[], row: RowBase): Record<string, string> {
  const out: Record<string, string> = { ...row.extra }
  for (const name of row.invalidCells) {
    const i = header.indexOf(name)
    if (i >= 0) out[name] = row.cells[i] ?? ''
  }
  return out
}
