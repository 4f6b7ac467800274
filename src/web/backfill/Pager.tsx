import { pageLabel } from './view-helpers.ts'

export interface PagerProps {
  /** Index of the first row shown. */
  offset: number
  pageSize: number
  /** Rows on the page now shown (0 while loading). */
  shown: number
  total: number
  onOffset: (offset: number) => void
  /** Accessible name of the navigation, e.g. "History pages". */
  label: string
  /** Button texts, towards the first page and towards the last. */
  previous: string
  next: string
}

/** Previous / "a–b of n" / next, for any list the server pages by offset. */
export function Pager({
  offset,
  pageSize,
  shown,
  total,
  onOffset,
  label,
  previous,
  next,
}: PagerProps) {
  return (
    <nav className="pager" aria-label={label}>
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - pageSize))}
      >
        {previous}
      </button>
      <span>{pageLabel(offset, shown, total)}</span>
      <button
        type="button"
        disabled={offset + shown >= total}
        onClick={() => onOffset(offset + pageSize)}
      >
        {next}
      </button>
    </nav>
  )
}
