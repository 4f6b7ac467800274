import { useQuery } from '@tanstack/react-query'
import { compareDistrictIds } from '../../shared/district-id.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { availableDistrictsOptions } from '../api/queries.ts'

/**
 * The districts of the newest stored summary, as buttons that add an id to the text field.
 * Before anything is stored the server answers 404: then there is nothing to offer.
 */
export function AvailableDistrictChips({
  selected,
  onPick,
}: {
  selected: ReadonlySet<string>
  onPick: (districtId: string) => void
}) {
  const api = useApi()
  const available = useQuery({ ...availableDistrictsOptions(api), retry: false })
  if (!available.data || available.data.districts.length === 0) return null
  // The summary lists districts by region; a picker reads better in id order.
  const districts = available.data.districts.toSorted((a, b) =>
    compareDistrictIds(a.districtId, b.districtId),
  )
  return (
    <div className="districts__group">
      <h3 className="districts__label">In the summary of {available.data.asOf} (click to add)</h3>
      <ul className="chips" aria-label="Available districts">
        {districts.map(({ districtId, region }) => (
          <li key={districtId}>
            <button
              type="button"
              className="chip chip--add"
              title={
                selected.has(districtId)
                  ? 'Already in the list'
                  : `Add ${districtId}${region ? ` (region ${region})` : ''}`
              }
              disabled={selected.has(districtId)}
              onClick={() => onPick(districtId)}
            >
              {districtId}
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}
