import { describe, expect, it } from 'vitest'
import { createRowReader, indexHeader } from './row-reader.ts'

const HEADER = ['Club Number', 'Mem.  Base', 'mem. base', 'CSP', 'Charter Date/Suspend Date', 'New']

describe('header index resolved once per body', () => {
  it('finds a column whatever the case and runs of spaces, the first of duplicates, -1 when absent', () => {
    const index = indexHeader(HEADER)
    expect(index.column('MEM. BASE')).toBe(1)
    expect(index.column('Mem. Base')).toBe(1)
    expect(index.column(' club   number ')).toBe(0)
    expect(index.column('Net Growth')).toBe(-1)
    // Asked again: the same answers from the resolved mapping.
    expect(index.column('MEM. BASE')).toBe(1)
    expect(index.column('Net Growth')).toBe(-1)
  })

  it('rows read through one shared index keep their own consumed columns, extras and invalid cells', () => {
    const index = indexHeader(HEADER)
    const a = createRowReader(index, ['00000038', '20', '21', 'Y', 'Charter 05/22/26', 'x'], 2026)
    const b = createRowReader(index, ['00000039', 'n/a?', '3', 'maybe', '', 'y'], 2026)
    expect(b.int('Mem. Base')).toBeNull()
    expect(a.int('Mem. Base')).toBe(20)
    expect(a.flag('CSP')).toBe(true)
    expect(b.flag('CSP')).toBeNull()
    expect(a.charterSuspend('Charter Date/Suspend Date')).toEqual({
      text: 'Charter 05/22/26',
      charterDate: '2026-05-22',
      suspendDate: null,
    })
    expect(a.text('Club Number')).toBe('00000038')
    expect(a.finish()).toEqual({
      extra: { 'mem. base': '21', New: 'x' },
      cells: ['00000038', '20', '21', 'Y', 'Charter 05/22/26', 'x'],
      invalidCells: [],
    })
    expect(b.finish()).toEqual({
      extra: {
        'Club Number': '00000039',
        'mem. base': '3',
        'Charter Date/Suspend Date': '',
        New: 'y',
      },
      cells: ['00000039', 'n/a?', '3', 'maybe', '', 'y'],
      invalidCells: ['Mem.  Base', 'CSP'],
    })
  })
})
