import { useQuery } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { normalizeDistrictId } from '../../shared/district-id.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { healthOptions } from '../api/queries.ts'
import { AlertsMenu } from './AlertsMenu.tsx'
import { Link, navigate } from './navigation.tsx'
import type { Route } from './route.ts'
import { headerStatus } from './status-view.ts'
import { TokenField } from './TokenField.tsx'

export function Header({ route }: { route: Route }) {
  const api = useApi()
  const health = useQuery({ ...healthOptions(api), retry: false })
  const [district, setDistrict] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const go = (e: FormEvent) => {
    e.preventDefault()
    const id = normalizeDistrictId(district)
    setProblem(id ? null : 'A district id is 1-4 letters or digits, e.g. 61.')
    if (id) navigate({ page: 'district', districtId: id })
  }
  const status = headerStatus(health.data, health.error)
  return (
    <header className="top">
      <div className="top__brand">
        <Link to={{ page: 'backfill' }} className="brand">
          Toastmasters backfill
        </Link>
        <span
          className={`health health--${status.tone}`}
          title={status.detail}
          role="status"
          data-testid="health"
        >
          {status.text}
        </span>
        <AlertsMenu />
      </div>
      <nav className="top__nav" aria-label="Main">
        <Link to={{ page: 'backfill' }} className={route.page === 'backfill' ? 'active' : ''}>
          All districts
        </Link>
        <form onSubmit={go} className="inline-form" aria-label="Open a district">
          <label className="inline">
            District{' '}
            <input
              name="go-district"
              size={5}
              value={district}
              onChange={(e) => setDistrict(e.target.value)}
              aria-invalid={problem !== null}
            />
          </label>
          <button type="submit">Open</button>
          {problem && <span className="field__error">{problem}</span>}
        </form>
        <TokenField />
      </nav>
    </header>
  )
}
