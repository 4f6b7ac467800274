import { useBackfillContext } from './BackfillContext.tsx'
import { concernsDistrict } from './backfill-registry.ts'
import { JobCard } from './JobCard.tsx'

/** The jobs this page watches (BackfillContext), several at once; optionally one district's. */
export function ActiveJobs({ districtId }: { districtId?: string }) {
  const { activeBackfills } = useBackfillContext()
  const shown =
    districtId === undefined
      ? activeBackfills
      : activeBackfills.filter((b) => concernsDistrict(b, districtId))
  return (
    <section aria-labelledby="active-jobs-title" className="active-jobs">
      <h2 id="active-jobs-title">Backfills ({shown.length})</h2>
      {shown.length === 0 ? (
        <p className="muted">No backfill watched yet: start one, or watch one from the history.</p>
      ) : (
        <div className="job-list">
          {shown.map((info) => (
            <JobCard key={info.backfillId} info={info} />
          ))}
        </div>
      )}
    </section>
  )
}
