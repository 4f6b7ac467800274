import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { describeApiError } from '../api/api-error.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { configuredDistrictsOptions } from '../api/queries.ts'
import type { ConfiguredDistricts } from '../api/types.ts'
import { Link } from '../app/navigation.tsx'
import { formatDistrictList } from './district-list.ts'
import { DistrictListForm } from './DistrictListForm.tsx'

/** The configured districts: read-only list, or (after "Edit") the form that changes them. */
export function ConfiguredDistrictsEditor() {
  const api = useApi()
  const configured = useQuery(configuredDistrictsOptions(api))
  const [editing, setEditing] = useState(false)
  const ids = configured.data?.configured ?? []

  return (
    <section className="card districts" aria-labelledby="districts-title">
      <div className="section-head">
        <h2 id="districts-title">Configured districts</h2>
        {!editing && configured.data && (
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
      </div>
      {configured.error && (
        <p className="banner banner--error">{describeApiError(configured.error)}</p>
      )}
      {configured.data &&
        (editing ? (
          <DistrictListForm
            configured={ids}
            initialText={formatDistrictList(ids)}
            onDone={() => setEditing(false)}
          />
        ) : (
          <ConfiguredList ids={ids} flags={configured.data.districts ?? []} />
        ))}
    </section>
  )
}

type DistrictFlag = ConfiguredDistricts['districts'][number]

function ConfiguredList({
  ids,
  flags,
}: {
  ids: readonly string[]
  flags: readonly DistrictFlag[]
}) {
  const gone = flags.filter((f) => f.inNewestSummary === false)
  if (ids.length === 0) {
    return (
      <p className="muted configured" data-testid="configured-list">
        None configured: backfills and refreshes cover every district in each date’s summary.
      </p>
    )
  }
  return (
    <>
      <ul className="chips" aria-label="Configured districts" data-testid="configured-list">
        {ids.map((id) => {
          const flag = gone.find((f) => f.districtId === id)
          return (
            <li
              key={id}
              title={flag?.hint ?? undefined}
              data-not-in-summary={flag ? 'true' : undefined}
            >
              <Link
                to={{ page: 'district', districtId: id }}
                className={flag ? 'chip chip--gone' : 'chip'}
              >
                {id}
                {flag && <span className="visually-hidden"> (not in the newest summary)</span>}
              </Link>
            </li>
          )
        })}
      </ul>
      {gone.length > 0 && (
        <ul className="banner banner--warn" data-testid="not-in-summary" role="status">
          {gone.map((f) => (
            <li key={f.districtId}>{f.hint}</li>
          ))}
        </ul>
      )}
    </>
  )
}
