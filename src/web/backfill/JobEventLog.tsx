import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { describeApiError } from '../api/api-error.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { JOB_EVENTS_PAGE, jobEventsOptions } from '../api/queries.ts'
import { describeEvent } from './event-view.ts'
import { Pager } from './Pager.tsx'

/** A job's recorded events, fetched only once the section is opened; pages of 50. */
export function JobEventLog({ backfillId }: { backfillId: string }) {
  const [open, setOpen] = useState(false)
  return (
    <details
      className="job__details"
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>Event log</summary>
      {open && <EventPages backfillId={backfillId} />}
    </details>
  )
}

function EventPages({ backfillId }: { backfillId: string }) {
  const api = useApi()
  const [offset, setOffset] = useState(0)
  const page = useQuery(jobEventsOptions(api, backfillId, offset))
  if (page.error) return <p className="banner banner--error">{describeApiError(page.error)}</p>
  if (!page.data) return <p className="muted">Loading…</p>
  const { events, total } = page.data
  return (
    <>
      <ol className="event-log" start={offset + 1} aria-label={`Events of ${backfillId}`}>
        {events.map((e, i) => (
          <li key={offset + i} data-type={e.type}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time> <code>{e.type}</code>{' '}
            {describeEvent(e)}
          </li>
        ))}
      </ol>
      <Pager
        offset={offset}
        pageSize={JOB_EVENTS_PAGE}
        shown={events.length}
        total={total}
        onOffset={setOffset}
        label="Event pages"
        previous="‹ Earlier"
        next="Later ›"
      />
    </>
  )
}
